"""What the per-request log line costs: GET by id at the default log level (one JSON line per
request) against `RUST_LOG=warn` (none), same binary, same database, interleaved.

A second server with `RUST_LOG=warn` is started on the main run's database beside the one
under test (which runs at the default level); the two take turns on the same workload, the
order alternating per round (default, warn; warn, default; ...) so a drift of the machine
during the measurement weighs on both sides alike. Only one of them is loaded at a time.
"""

import os
import statistics

from server import Server, free_port

WORKLOAD = "get_by_id"


def run(cfg: dict, srv: Server, env: dict, principal: dict, measure, run_id: str) -> dict:
    """Interleaved rounds of `WORKLOAD` at the highest connection count on `srv` (default level)
    and on a twin with RUST_LOG=warn; returns every run and the cost of the log line: 1 − the
    median over rounds of default/warn req/s (each round's pair measured back to back), also
    1 − the ratio of the means, and the extra server CPU per request."""
    conns = max(cfg["connections"])
    port = free_port()
    twin_env = dict(env, BIND=f"127.0.0.1:{port}", RUST_LOG="warn")
    twin = Server(cfg["binary"], twin_env, port, os.path.join(cfg["out_dir"], "server-warn.log"))
    runs = {"default": [], "warn": []}
    try:
        twin.wait_ready()
        sides = {"default": srv, "warn": twin}
        for round_no in range(cfg["log_ab_rounds"]):
            order = ("default", "warn") if round_no % 2 == 0 else ("warn", "default")
            for side in order:
                print(f"log A/B round {round_no + 1}: {WORKLOAD} at {side} @ {conns} ...",
                      flush=True)
                tag = f"l{side[0]}{round_no}{run_id[-4:]}"
                r = measure(sides[side], cfg, WORKLOAD, principal, conns, tag)
                runs[side].append(
                    {
                        "round": round_no + 1,
                        "req_per_s": r["req_per_s"],
                        "p99_ms": r["p99_us"] / 1000,
                        "cpu_ms_per_req": r["cpu_ms_per_req"],
                        "non2xx": r["non2xx"],
                    }
                )
    finally:
        twin.stop()
    mean = {side: statistics.fmean(x["req_per_s"] for x in xs) for side, xs in runs.items()}
    # Each round's two runs are adjacent in time: their ratio cancels the machine's drift.
    paired = [
        d["req_per_s"] / w["req_per_s"]
        for d, w in zip(runs["default"], runs["warn"])
        if w["req_per_s"]
    ]
    cpu = {
        side: statistics.fmean(x["cpu_ms_per_req"] for x in xs if x["cpu_ms_per_req"])
        for side, xs in runs.items()
    }
    return {
        "workload": WORKLOAD,
        "principal": principal["name"],
        "connections": conns,
        "seconds": cfg["seconds"],
        "runs": runs,
        "mean_req_per_s": mean,
        "mean_cpu_ms_per_req": cpu,
        "cost": 1 - statistics.median(paired) if paired else None,
        "cost_of_means": 1 - mean["default"] / mean["warn"] if mean["warn"] else None,
        "cpu_cost": cpu["default"] / cpu["warn"] - 1 if cpu["warn"] else None,
    }
