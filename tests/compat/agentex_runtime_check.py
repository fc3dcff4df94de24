"""Runs the real Agentex agent runtime's start-up registration (agentex-sdk 0.28.4) against a registry.

Usage: python agentex_runtime_check.py
Configured like a real agent pod, by environment: AGENTEX_BASE_URL, AGENT_NAME, ACP_URL, ACP_PORT,
ACP_TYPE and optionally AGENT_API_KEY, AGENT_ID (see agentex/lib/environment_variables.py).

It does what the runtime does when an ACP server starts (base_acp_server.get_lifespan_function):
`EnvironmentVariables.refresh()`, `assert_backend_compatible(AGENTEX_BASE_URL)`, then
`register_agent(env_vars)` — the SDK's own functions, unchanged. Two things are observed, not
changed: the module's `asyncio.sleep` (the retry back-off, 5 s then 10 s) is replaced by a stub that
records the delay and returns at once, and the module's `httpx.AsyncClient` gets a response hook
that records each registration response (the SDK logs only the status, never the body).

Prints one line `RUNTIME_RESULT <json>` with: ok, error, attempts [{status, body}], sleeps,
agent_id, response_key (the agent_api_key of the last 200 response), env_key (AGENT_API_KEY after
the run, which is what the agent would authenticate with from then on).
Exits 0 whatever the outcome: the caller (tests/e2e/e2e_agentex_runtime.rs) asserts.
"""

import asyncio
import json
import os
import sys
import types

import httpx
from agentex.lib.core.compat.version_guard import assert_backend_compatible
from agentex.lib.environment_variables import EnvironmentVariables
from agentex.lib.utils import registration

attempts = []
sleeps = []


async def _record_response(response: httpx.Response) -> None:
    if response.request.url.path.endswith("/agents/register"):
        await response.aread()
        try:
            body = response.json()
        except ValueError:
            body = response.text
        attempts.append({"status": response.status_code, "body": body})


class _RecordingAsyncClient(httpx.AsyncClient):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("event_hooks", {"response": [_record_response]})
        super().__init__(*args, **kwargs)


async def _no_wait(delay, *args, **kwargs):
    sleeps.append(delay)


# Only the names `registration` looks up change; httpx and asyncio themselves are untouched.
registration.httpx = types.SimpleNamespace(AsyncClient=_RecordingAsyncClient)
registration.asyncio = types.SimpleNamespace(sleep=_no_wait)


async def main() -> dict:
    env_vars = EnvironmentVariables.refresh()
    result = {"ok": False, "error": None}
    try:
        await assert_backend_compatible(env_vars.AGENTEX_BASE_URL)
        await registration.register_agent(env_vars)
        result["ok"] = True
    except Exception as e:  # the runtime would crash the pod here; report it instead
        result["error"] = f"{type(e).__name__}: {e}"
    last_ok = next((a["body"] for a in reversed(attempts) if a["status"] == 200), None)
    result.update(
        attempts=attempts,
        sleeps=sleeps,
        agent_id=os.environ.get("AGENT_ID"),
        response_key=last_ok.get("agent_api_key") if isinstance(last_ok, dict) else None,
        env_key=os.environ.get("AGENT_API_KEY"),
    )
    return result


print("RUNTIME_RESULT " + json.dumps(asyncio.run(main())))
sys.stdout.flush()
