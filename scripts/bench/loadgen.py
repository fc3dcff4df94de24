"""Drive one workload with wrk and parse the JSON line its done() callback prints."""

import json
import os
import subprocess

LUA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lua")


def run_wrk(
    port: int,
    script: str,
    token: str,
    data_file: str,
    prefix: str,
    connections: int,
    seconds: int,
    extra_env: dict | None = None,
) -> dict:
    """wrk -c connections -t min(2, connections) -d seconds with lua/<script>.lua (`extra_env`
    on top of the usual BENCH_* variables, e.g. BENCH_PATH for list_query.lua); returns the
    parsed summary (requests, duration_us, non2xx, p50_us, p90_us, p99_us, ...) plus req_per_s."""
    threads = min(2, connections)
    env = dict(os.environ)
    env.update(
        BENCH_TOKEN=token, BENCH_DATA=data_file, BENCH_PREFIX=prefix, BENCH_LUA_DIR=LUA_DIR
    )
    env.update(extra_env or {})
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "5s",
        "-s",
        os.path.join(LUA_DIR, f"{script}.lua"),
        f"http://127.0.0.1:{port}",
    ]
    out = subprocess.run(
        cmd, env=env, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if out.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stderr.strip()}\n{out.stdout}")
    result = json.loads(line[len("BENCH_JSON ") :])
    result["req_per_s"] = result["requests"] / (result["duration_us"] / 1e6)
    result["threads"] = threads
    result["socket_errors"] = (
        result["connect_errors"] + result["read_errors"] + result["write_errors"] + result["timeouts"]
    )
    return result
