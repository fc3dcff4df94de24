"""Seed agents through the API with bounded concurrency, and write the Lua data files."""

import threading
import time

from api import Client

SEEDED_DESCRIPTION = "seeded agent"  # must match seeded_description in lua/common.lua


def seed_name(n: int) -> str:
    """The name of seeded agent n (1-based); the pgbench by-name floor rebuilds it as 'seed-' || n."""
    return f"seed-{n}"


def create_org(port: int, admin_token: str, slug: str) -> None:
    """POST /orgs as the platform admin (the rows run in a non-default org, issue 16)."""
    client = Client(port, admin_token)
    try:
        status, body = client.call("POST", "/orgs", {"slug": slug, "display_name": "Bench"})
    finally:
        client.close()
    if status != 201:
        raise RuntimeError(f"POST /orgs answered {status}: {body}")


def create_user_token(port: int, admin_token: str, name: str) -> dict:
    """POST /service_tokens as the admin: an ordinary principal of kind user."""
    client = Client(port, admin_token)
    try:
        status, body = client.call("POST", "/service_tokens", {"name": name, "kind": "user"})
    finally:
        client.close()
    if status not in (200, 201) or not isinstance(body, dict) or "token" not in body:
        raise RuntimeError(f"POST /service_tokens answered {status}: {body}")
    return body


def seed(port: int, plan: list, concurrency: int = 16) -> dict:
    """Create every (n, token) in plan with POST /agents/register-build, `concurrency` keep-alive
    connections at a time. Returns {"ids": {n: id}, "seconds": s, "rate": per second}.
    Raises if any answer is not 200."""
    ids: dict = {}
    failures: list = []
    lock = threading.Lock()
    cursor = iter(plan)

    def worker() -> None:
        clients: dict = {}
        try:
            while True:
                with lock:
                    item = next(cursor, None)
                    if item is None or len(failures) >= 10:
                        return
                n, token = item
                client = clients.get(token) or clients.setdefault(token, Client(port, token))
                body = {"name": seed_name(n), "description": SEEDED_DESCRIPTION}
                try:
                    status, resp = client.call("POST", "/agents/register-build", body)
                except OSError as e:
                    status, resp = -1, str(e)
                with lock:
                    if status == 200 and isinstance(resp, dict) and "id" in resp:
                        ids[n] = resp["id"]
                    else:
                        failures.append((n, status, resp))
        finally:
            for c in clients.values():
                c.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    seconds = time.monotonic() - started
    if failures:
        raise RuntimeError(f"seeding failed ({len(failures)}+ errors), first: {failures[:3]}")
    if len(ids) != len(plan):
        raise RuntimeError(f"seeding incomplete: {len(ids)} of {len(plan)}")
    return {"ids": ids, "seconds": seconds, "rate": len(plan) / seconds}


def card_of(agent_id: str) -> dict:
    """The A2A v1.0 card seeded on an agent: one skill whose words the search row asks for."""
    return {
        "name": f"Bench agent {agent_id[:8]}",
        "description": "seeded agent card",
        "supportedInterfaces": [
            {"url": f"https://{agent_id}.bench.example/a2a", "protocolBinding": "JSONRPC",
             "protocolVersion": "1.0"}
        ],
        "version": "1.0.0",
        "capabilities": {"streaming": False},
        "defaultInputModes": ["text/plain"],
        "defaultOutputModes": ["application/json"],
        "skills": [{"id": "forecast", "name": "Weather forecast",
                    "description": "forecast the weather for a city", "tags": ["weather:read"],
                    "examples": ["will it rain in Lyon tomorrow?"]}],
    }


def put_cards(port: int, admin_token: str, agent_ids: list, concurrency: int = 16) -> dict:
    """PUT /agents/{id}/card (card_of) on every agent of agent_ids as the admin, `concurrency`
    keep-alive connections at a time. Returns {"seconds": s, "rate": per second}; raises if any
    answer is not 200."""
    failures: list = []
    lock = threading.Lock()
    cursor = iter(agent_ids)

    def worker() -> None:
        client = Client(port, admin_token)
        try:
            while True:
                with lock:
                    agent_id = next(cursor, None)
                    if agent_id is None or len(failures) >= 10:
                        return
                body = {"card": card_of(agent_id), "visibility": "org"}
                try:
                    status, resp = client.call("PUT", f"/agents/{agent_id}/card", body)
                except OSError as e:
                    status, resp = -1, str(e)
                if status != 200:
                    with lock:
                        failures.append((agent_id, status, resp))
        finally:
            client.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    seconds = time.monotonic() - started
    if failures:
        raise RuntimeError(f"putting cards failed ({len(failures)}+ errors), first: {failures[:3]}")
    return {"seconds": seconds, "rate": len(agent_ids) / seconds if seconds else 0.0}


HEARTBEAT_KEY_NAME = "bench-heartbeat"


def mint_agent_keys(port: int, admin_token: str, agent_ids: list, concurrency: int = 16) -> dict:
    """One internal agent API key per agent in agent_ids, minted as the admin with
    POST /agent_api_keys, `concurrency` keep-alive connections at a time. Returns
    {"keys": [secret per agent, in agent_ids order], "seconds": s, "rate": per second}.
    Raises if any answer is not 200 with the secret (the peer answers 200)."""
    keys: list = [None] * len(agent_ids)
    failures: list = []
    lock = threading.Lock()
    cursor = iter(enumerate(agent_ids))

    def worker() -> None:
        client = Client(port, admin_token)
        try:
            while True:
                with lock:
                    item = next(cursor, None)
                    if item is None or len(failures) >= 10:
                        return
                i, agent_id = item
                body = {"agent_id": agent_id, "name": HEARTBEAT_KEY_NAME, "api_key_type": "internal"}
                try:
                    status, resp = client.call("POST", "/agent_api_keys", body)
                except OSError as e:
                    status, resp = -1, str(e)
                with lock:
                    if status == 200 and isinstance(resp, dict) and resp.get("api_key"):
                        keys[i] = resp["api_key"]
                    else:
                        failures.append((agent_id, status, resp))
        finally:
            client.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    seconds = time.monotonic() - started
    if failures:
        raise RuntimeError(f"minting agent keys failed ({len(failures)}+ errors), first: {failures[:3]}")
    if any(k is None for k in keys):
        raise RuntimeError(f"minting incomplete: {sum(k is not None for k in keys)} of {len(keys)}")
    return {"keys": keys, "seconds": seconds, "rate": len(keys) / seconds if seconds else 0.0}


def _lua_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_lua_data(path: str, ids: list, names: list, keys: list = ()) -> None:
    """A Lua chunk returning { ids = {...}, names = {...}, keys = {...} } for lua/common.lua
    (keys[i] is agent ids[i]'s own API key; empty unless given)."""
    with open(path, "w", encoding="utf-8") as f:
        for field, values in (("ids", ids), ("names", names), ("keys", keys)):
            f.write("return {\n" if field == "ids" else "},\n")
            f.write(f"{field} = {{\n")
            f.write(",\n".join(_lua_str(v) for v in values))
            f.write("\n")
        f.write("},\n}\n")
