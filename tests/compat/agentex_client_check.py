"""Drives the official Agentex Python client (agentex-client 0.28.4) against a running registry.

Usage: python agentex_client_check.py <base_url> <token> [<org_slug> [<foreign_name>]]
Exits non-zero (with the failing step) if any registry call of the client does not work unchanged.

With <org_slug>, the client sends `X-Registry-Org: <org_slug>` through its own `default_headers`
(how the platform admin addresses an org; any other token acts in its own org and may pass
`-` here). With <foreign_name>, the name of an agent that lives in another org, the client must
neither list nor retrieve it.
"""

import json
import sys
import uuid
from typing import Any, Dict, List

import agentex
from agentex import Agentex

base_url, token = sys.argv[1], sys.argv[2]
org = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] != "-" else None
foreign_name = sys.argv[4] if len(sys.argv) > 4 else None
headers = {"X-Registry-Org": org} if org else None
client = Agentex(base_url=base_url, api_key=token, max_retries=0, default_headers=headers)
name = "compat-" + uuid.uuid4().hex[:10]
steps = []


def step(label, ok, got=None):
    steps.append(label)
    if not ok:
        raise SystemExit(f"FAILED at {label}" + ("" if got is None else f": got {got!r}"))


built = client.agents.register_build(
    name=name,
    description="built by the official client",
    registration_metadata={"agent_card": {"metadata": {"compat": True}}},
    agent_input_type="text",
)
step("register_build returns a BuildOnly Agent", built.status == "BuildOnly" and built.name == name)
again = client.agents.register_build(name=name, description="again")
step("register_build is idempotent by name", again.id == built.id)
step("retrieve", client.agents.retrieve(built.id).name == name)
step("retrieve_by_name", client.agents.retrieve_by_name(name).id == built.id)
listed = client.agents.list(limit=10, order_by="created_at", order_direction="asc")
step("list", any(a.id == built.id for a in listed))
filtered = client.agents.list(agent_card_metadata=json.dumps({"compat": True}))
step("list with agent_card_metadata", [a.id for a in filtered] == [built.id])
if foreign_name:
    everything = client.agents.list(limit=1000)
    step("list shows no other org's agent", all(a.name != foreign_name for a in everything))
    try:
        client.agents.retrieve_by_name(foreign_name)
        step("another org's agent is not found by name", False)
    except agentex.NotFoundError:
        step("another org's agent is a 404 NotFoundError by name", True)

dep = client.agents.deployments.create(built.id, docker_image="img:1")
step("deployments.create", dep.status == "Pending" and dep.agent_id == built.id)
step("deployments.list", [d.id for d in client.agents.deployments.list(built.id)] == [dep.id])
step("deployments.retrieve", client.agents.deployments.retrieve(dep.id, agent_id=built.id).id == dep.id)
try:
    client.agents.deployments.promote(dep.id, agent_id=built.id)
    step("promote of a Pending deployment is refused", False)
except agentex.ConflictError:
    step("promote of a Pending deployment is a 409 ConflictError", True)
registered = client.post(
    "/agents/register",
    body={
        "name": name,
        "description": "deployed",
        "acp_url": "http://agent:8000",
        "acp_type": "async",
        "registration_metadata": {"deployment_id": dep.id},
    },
    cast_to=Dict[str, Any],
)
step("deployment-scoped register keeps BuildOnly", registered["status"] == "BuildOnly")
promoted = client.agents.deployments.promote(dep.id, agent_id=built.id)
step("deployments.promote", promoted.is_production is True)
live = client.agents.retrieve(built.id)
step("promote made the agent Ready", live.status == "Ready" and live.production_deployment_id == dep.id)
dep2 = client.agents.deployments.create(built.id, docker_image="img:2")
deleted_dep = client.agents.deployments.delete(dep2.id, agent_id=built.id)
step("deployments.delete", deleted_dep.id == dep2.id)

# Agent API keys: agentex-client 0.28.4 has no `agent_api_keys` resource (its only key path is
# webhooks' `/agent_api_keys/webhook-trigger`, out of scope here), so the key calls go through the
# client's own generic requests: its authentication, JSON and error mapping, unchanged.
Json = Dict[str, Any]
key = client.post(
    "/agent_api_keys",
    body={"agent_id": built.id, "name": "ci", "api_key_type": "external"},
    cast_to=Json,
)
step("agent_api_keys create", key["api_key"].startswith("agk_") and key["name"] == "ci", key)
keys = client.get("/agent_api_keys", options={"params": {"agent_id": built.id}}, cast_to=List[Json])
step(
    "agent_api_keys list (no secrets)",
    [k["id"] for k in keys if k["name"] == "ci"] == [key["id"]] and all("api_key" not in k for k in keys),
    keys,
)
step("agent_api_keys retrieve", client.get(f"/agent_api_keys/{key['id']}", cast_to=Json)["name"] == "ci")
by_name = client.get(
    "/agent_api_keys/name/ci",
    options={"params": {"agent_name": name, "api_key_type": "external"}},
    cast_to=Json,
)
step("agent_api_keys retrieve by name", by_name["id"] == key["id"])
try:
    client.post("/agent_api_keys", body={"agent_id": built.id, "name": "mine", "api_key": "x"}, cast_to=Json)
    step("a client-supplied secret is refused", False)
except agentex.UnprocessableEntityError:
    step("a client-supplied secret is a 422 UnprocessableEntityError", True)
try:
    Agentex(base_url=base_url, api_key=key["api_key"], max_retries=0).agents.retrieve(built.id)
    step("an external key is not a credential", False)
except agentex.AuthenticationError:
    step("an external key is a 401 AuthenticationError", True)
internal = client.post(
    "/agent_api_keys",
    body={"agent_name": name, "name": "pod", "api_key_type": "internal"},
    cast_to=Json,
)
as_agent = Agentex(base_url=base_url, api_key=internal["api_key"], max_retries=0)
step("an internal key authenticates as its agent", as_agent.agents.retrieve(built.id).id == built.id)
deleted_key = client.delete(f"/agent_api_keys/{key['id']}", cast_to=object)
step("agent_api_keys delete", deleted_key == f"Agent API key with ID {key['id']} deleted", deleted_key)
try:
    client.delete(f"/agent_api_keys/{key['id']}", cast_to=object)
    step("a deleted key is gone", False)
except agentex.NotFoundError:
    step("a second agent_api_keys delete is a 404 NotFoundError", True)

history = client.deployment_history.list(agent_id=built.id)
step("deployment_history.list", isinstance(history, list))

deleted = client.agents.delete(built.id)
step("delete", deleted.id == built.id and "deleted successfully" in deleted.message)
try:
    client.agents.retrieve(built.id)
    step("a deleted agent is not found", False)
except agentex.NotFoundError:
    step("a deleted agent is a 404 NotFoundError", True)
other = client.agents.register_build(name=name, description="reborn")
step("a deleted name is free again", other.id != built.id)
step("delete_by_name", client.agents.delete_by_name(name).id == other.id)
try:
    Agentex(base_url=base_url, api_key="wrong", max_retries=0).agents.list()
    step("a wrong key is refused", False)
except agentex.AuthenticationError:
    step("a wrong key is a 401 AuthenticationError", True)

print(f"{len(steps)} passed, 0 failed: official Agentex client {agentex.__version__}")
