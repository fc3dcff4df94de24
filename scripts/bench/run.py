#!/usr/bin/env python3
"""Load benchmark of agent-registry against the PostgreSQL floor (issue 8; `just bench`).

Fresh database → release server on a free 127.0.0.1 port (default log level) → 10,000 agents
seeded through the API → pgbench floors → every workload with wrk at 1 and 16 connections, as
the admin and as an ordinary principal, and heartbeats by the agents themselves (each with its
own key) → the log line's cost (default level against RUST_LOG=warn, interleaved, issue 16) →
lists over 100,000 agents seeded with SQL in a second database (issue 16) → table on stdout,
target/bench/results.json, docs/benchmarks.md.
Everything is bounded in time and count; the server and the database go away at the end, also
on failure or Ctrl-C. Settings by environment, see docs/benchmarks.md.
"""

import datetime
import os
import secrets
import signal
import sys
import time

sys.dont_write_bytecode = True  # keep scripts/bench/ free of __pycache__

import database  # noqa: E402 (after the bytecode switch)
import floor  # noqa: E402
import loadgen  # noqa: E402
import logab  # noqa: E402
import machine  # noqa: E402
import procstat  # noqa: E402
import perfrec  # noqa: E402
import report  # noqa: E402
import scale  # noqa: E402
import seed  # noqa: E402
import targets  # noqa: E402
from api import Client  # noqa: E402
from server import Server, free_port  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# (workload, route, floor script, expected status of a probe request)
WORKLOADS = [
    ("get_by_id", "GET /agents/{id}", "pk", 200),
    ("get_by_name", "GET /agents/name/{name}", "by_name", 200),
    ("list", "GET /agents?limit=50", "list", 200),
    ("events", "GET /events?limit=50", "events", 200),
    ("search", "GET /agents/search?q=forecast&limit=50", "search", 200),
    ("put_unchanged", "PUT /agents/name/{name} (unchanged)", "by_name", 200),
    ("register_existing", "POST /agents/register-build (existing)", "by_name", 200),
    ("register_new", "POST /agents/register-build (new)", "insert", 200),
    ("heartbeat", "POST /agents/{id}/heartbeat (own agent key)", "heartbeat", 200),
]

# Workloads that are one fixed GET: run by lua/list_query.lua with this BENCH_PATH.
FIXED_PATHS = {
    "events": "/events?limit=50",
    "search": "/agents/search?q=forecast&limit=50",
}

# Workloads whose caller is the agent itself (principal `agent`: each request sends the key of
# the agent it addresses); the others run as the admin and as the ordinary principal.
AGENT_WORKLOADS = ("heartbeat",)


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def settings() -> dict:
    """Knobs from the environment (documented in docs/benchmarks.md)."""
    only = [w for w in os.environ.get("BENCH_ONLY", "").split(",") if w]
    known = [w[0] for w in WORKLOADS]
    for w in only:
        if w not in known:
            raise SystemExit(f"BENCH_ONLY: unknown workload {w!r} (known: {', '.join(known)})")
    agents = _env_int("BENCH_AGENTS", 10000)
    principals = [p for p in os.environ.get("BENCH_PRINCIPALS", "admin,user,agent").split(",") if p]
    for p in principals:
        if p not in ("admin", "user", "agent"):
            raise SystemExit(f"BENCH_PRINCIPALS: unknown principal {p!r} (known: admin, user, agent)")
    return {
        "seconds": _env_int("BENCH_SECONDS", 10),
        "warmup_seconds": _env_int("BENCH_WARMUP_SECONDS", 1),
        "connections": [int(c) for c in os.environ.get("BENCH_CONNECTIONS", "1,16").split(",")],
        "agents": agents,
        "user_agents": agents // 10,
        "heartbeat_agents": max(1, min(_env_int("BENCH_HEARTBEAT_AGENTS", 1000), agents)),
        "workloads": only or known,
        "principals": principals,
        # Unset: the server's own default level (info: one line per request), as a user runs it.
        "rust_log": os.environ.get("BENCH_RUST_LOG", ""),
        "log_ab_rounds": _env_int("BENCH_LOG_AB_ROUNDS", 4),
        "scale_agents": _env_int("BENCH_SCALE_AGENTS", 100000),
        "scale_connections": [
            int(c) for c in os.environ.get("BENCH_SCALE_CONNECTIONS", "16").split(",")
        ],
        "log_format": "json",
        "db_pool_size": os.environ.get("BENCH_DB_POOL_SIZE", ""),
        "perf": os.environ.get("BENCH_PERF", ""),
        "write_docs": os.environ.get("BENCH_WRITE_DOCS", "1") != "0",
        "binary": os.environ.get(
            "BENCH_BINARY", os.path.join(REPO, "target", "release", "agent-registry")
        ),
        "admin_url": database.plain_on_loopback(
            os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        ),
        "out_dir": os.path.join(REPO, "target", "bench"),
    }


def command_line() -> str:
    """How this run was started: the BENCH_* / TEST_DATABASE_URL settings, then the command."""
    knobs = sorted(
        f"{k}={v}"
        for k, v in os.environ.items()
        if (k.startswith("BENCH_") and k != "BENCH_COMMAND") or k == "TEST_DATABASE_URL"
    )
    return " ".join(knobs + [os.environ.get("BENCH_COMMAND", "scripts/bench/run.py")])


def probe(port: int, token: str, workload: str, ids: list, names: list, tag: str) -> int:
    """One request of the workload's kind, so a wrong status is caught before it is measured."""
    client = Client(port, token)
    try:
        if workload == "get_by_id":
            status, _ = client.call("GET", f"/agents/{ids[0]}")
        elif workload == "get_by_name":
            status, _ = client.call("GET", f"/agents/name/{names[0]}")
        elif workload == "list":
            status, _ = client.call("GET", "/agents?limit=50")
        elif workload == "events":
            status, resp = client.call("GET", FIXED_PATHS["events"])
            if status == 200 and not (isinstance(resp, dict) and resp.get("events")):
                status = -200  # 200 but an empty feed page
        elif workload == "search":
            status, resp = client.call("GET", FIXED_PATHS["search"])
            if status == 200 and not (isinstance(resp, dict) and resp.get("total")):
                status = -200  # 200 but nothing found: the cards were not seeded
        elif workload == "put_unchanged":
            body = {"description": seed.SEEDED_DESCRIPTION}
            status, resp = client.call("PUT", f"/agents/name/{names[0]}", body)
            if status == 200 and isinstance(resp, dict) and resp.get("created") is not False:
                status = -200  # 200 but not the unchanged path
        elif workload == "heartbeat":
            # Two heartbeats with the agent's own key: 200, and the ETag stays (issue 15).
            client.close()
            client = Client(port, token, agent_key=True)
            status, _ = client.call("POST", f"/agents/{ids[0]}/heartbeat")
            etag = client.last_headers.get("etag")
            again, _ = client.call("POST", f"/agents/{ids[0]}/heartbeat")
            if status == 200 and (again != 200 or client.last_headers.get("etag") != etag):
                status = -200  # 200 but the second heartbeat failed or changed the ETag
        elif workload == "register_existing":
            body = {"name": names[0], "description": seed.SEEDED_DESCRIPTION}
            status, _ = client.call("POST", "/agents/register-build", body)
        else:
            body = {"name": f"probe-{tag}", "description": "bench probe"}
            status, _ = client.call("POST", "/agents/register-build", body)
        return status
    finally:
        client.close()


def measure(
    srv: Server,
    cfg: dict,
    workload: str,
    principal: dict,
    conns: int,
    tag: str,
    script: str | None = None,
    extra_env: dict | None = None,
) -> dict:
    """Warm up, then one measured wrk run with CPU and peak-RSS deltas of the server. The wrk
    script is lua/<script or workload>.lua, given `extra_env`."""
    args = (srv.port, script or workload, principal["token"], principal["data"])

    def wrk(prefix: str, seconds: int) -> dict:
        try:
            return loadgen.run_wrk(*args, prefix, conns, seconds, extra_env)
        except RuntimeError:
            srv.check_alive(workload)  # a dead server is the better explanation
            raise

    if cfg["warmup_seconds"] > 0:
        wrk(f"w{tag}", cfg["warmup_seconds"])
    peak_reset = procstat.reset_peak(srv.pid)
    profiler = None
    if cfg["perf"] == workload and conns == max(cfg["connections"]):
        name = f"perf-{workload}-{principal['name']}-{conns}"
        profiler = perfrec.Profiler(srv.pid, os.path.join(cfg["out_dir"], name))
    cpu_before = procstat.cpu_seconds(srv.pid)
    try:
        result = wrk(f"m{tag}", cfg["seconds"])
    finally:
        cpu = procstat.cpu_seconds(srv.pid) - cpu_before
        if profiler is not None:
            profiler.stop()
    result["profiled"] = profiler is not None
    result["cpu_seconds"] = cpu
    result["cpu_ms_per_req"] = cpu * 1000 / result["requests"] if result["requests"] else None
    result["peak_rss_mib"] = procstat.peak_rss_mib(srv.pid)
    result["peak_rss_since"] = "workload start" if peak_reset else "server start"
    srv.check_alive(workload)
    return result


def main() -> int:
    cfg = settings()
    os.makedirs(cfg["out_dir"], exist_ok=True)
    if not os.access(cfg["binary"], os.X_OK):
        raise SystemExit(f"{cfg['binary']} missing: cargo build --release -p registry_server")
    stamp = datetime.datetime.now(datetime.timezone.utc)
    run_id = stamp.strftime("%Y%m%d%H%M%S") + secrets.token_hex(2)
    dbname = f"bench_{run_id}"
    db_url = database.with_database(cfg["admin_url"], dbname)
    admin_token = "bench-admin-" + secrets.token_hex(16)
    srv = None

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    database.create_database(cfg["admin_url"], dbname)
    try:
        port = free_port()
        env = {
            "DATABASE_URL": db_url,
            "BIND": f"127.0.0.1:{port}",
            "ADMIN_TOKEN": admin_token,
            "KEY_HASH_SECRET": secrets.token_hex(32),
            "LOG_FORMAT": cfg["log_format"],
        }
        if cfg["rust_log"]:
            env["RUST_LOG"] = cfg["rust_log"]
        if cfg["db_pool_size"]:
            env["DB_POOL_SIZE"] = cfg["db_pool_size"]
        log_path = os.path.join(cfg["out_dir"], "server.log")
        srv = Server(cfg["binary"], env, port, log_path)
        srv.wait_ready()
        print(f"server pid {srv.pid} on 127.0.0.1:{port}, database {dbname}", flush=True)

        # Every row below runs in a non-default org (issue 16): the admin names it in
        # X-Registry-Org, the user's token and the agents' keys belong to it.
        seed.create_org(port, admin_token, "bench")
        os.environ["BENCH_ORG"] = "bench"
        user_name = f"bench-{run_id}"
        user = seed.create_user_token(port, admin_token, user_name)
        user_principal = user.get("principal", f"user:{user_name}")
        plan = [
            (n, user["token"] if n % 10 == 0 else admin_token)
            for n in range(1, cfg["agents"] + 1)
        ]
        print(f"seeding {len(plan)} agents through the API ...", flush=True)
        seeded = seed.seed(port, plan, concurrency=16)
        print(f"seeded in {seeded['seconds']:.1f} s ({seeded['rate']:,.0f} agents/s)", flush=True)
        ids = seeded["ids"]
        principals = {}
        for name, token, numbers in (
            ("admin", admin_token, sorted(ids)),
            ("user", user["token"], [n for n in sorted(ids) if n % 10 == 0]),
        ):
            data = os.path.join(cfg["out_dir"], f"data_{name}.lua")
            id_list = [ids[n] for n in numbers]
            name_list = [seed.seed_name(n) for n in numbers]
            seed.write_lua_data(data, id_list, name_list)
            principals[name] = {"name": name, "token": token, "data": data, "ids": id_list, "names": name_list}
        if "search" in cfg["workloads"]:
            # The user's agents (every tenth) carry an A2A card the search row finds.
            carded = [ids[n] for n in sorted(ids) if n % 10 == 0]
            print(f"putting {len(carded)} agent cards ...", flush=True)
            put = seed.put_cards(port, admin_token, carded, concurrency=16)
            print(f"put in {put['seconds']:.1f} s ({put['rate']:,.0f} cards/s)", flush=True)
        minted = None
        heartbeating = "agent" in cfg["principals"] and "heartbeat" in cfg["workloads"]
        if heartbeating:
            # Seeded agents 1..N heartbeat, each with its own internal key minted by the admin.
            numbers = sorted(ids)[: cfg["heartbeat_agents"]]
            id_list = [ids[n] for n in numbers]
            print(f"minting {len(id_list)} agent keys ...", flush=True)
            minted = seed.mint_agent_keys(port, admin_token, id_list, concurrency=16)
            print(f"minted in {minted['seconds']:.1f} s ({minted['rate']:,.0f} keys/s)", flush=True)
            data = os.path.join(cfg["out_dir"], "data_agent.lua")
            name_list = [seed.seed_name(n) for n in numbers]
            seed.write_lua_data(data, id_list, name_list, minted["keys"])
            principals["agent"] = {
                "name": "agent",
                "token": "",  # no bearer token: heartbeat.lua sends each agent's own key
                "probe_token": minted["keys"][0],
                "data": data,
                "ids": id_list,
                "names": name_list,
            }
            database.make_heartbeat_ids(db_url, id_list)

        # Statistics for every table the rows read, as a database in service has them: right
        # after seeding, autovacuum may not have analyzed a table yet, and a plan made for an
        # empty table (a sort of every event for a page of the feed) slowed one floor 30-fold.
        for table in ("agents", "agent_events", "agent_cards", "grants"):
            database.vacuum(db_url, table)
        numbered = database.make_numbered_copy(db_url)
        pgbench_vars = {"nseed": numbered, "nheart": cfg["heartbeat_agents"]}
        floors: dict = {}

        def floor_at(script: str, conns: int) -> None:
            print(f"floor {script} @ {conns} ...", flush=True)
            floors.setdefault(script, {})[str(conns)] = floor.run_pgbench(
                db_url, script, conns, cfg["seconds"], pgbench_vars
            )

        def run_floor(script: str) -> None:
            for conns in cfg["connections"]:
                floor_at(script, conns)

        needed = {w[2] for w in WORKLOADS if w[0] in cfg["workloads"]}
        for script in ("pk", "by_name", "list", "events", "search"):
            if script in needed:
                run_floor(script)
        if "list" in needed:
            run_floor("list_counted")  # what the server's list statement costs in PostgreSQL

        rows = []

        def measured_row(workload, route, floor_name, expected, pname, conns, status) -> None:
            print(f"{workload} as {pname} @ {conns} ...", flush=True)
            tag = f"{pname[0]}{conns}{workload[:3]}{run_id[-4:]}".replace("_", "")
            path = FIXED_PATHS.get(workload)
            r = measure(srv, cfg, workload, principals[pname], conns, tag,
                        script="list_query" if path else None,
                        extra_env={"BENCH_PATH": path} if path else None)
            rows.append(
                {
                    "workload": workload,
                    "route": route,
                    "principal": pname,
                    "connections": conns,
                    "req_per_s": r["req_per_s"],
                    "p50_ms": r["p50_us"] / 1000,
                    "p90_ms": r["p90_us"] / 1000,
                    "p99_ms": r["p99_us"] / 1000,
                    "max_ms": r["max_us"] / 1000,
                    "requests": r["requests"],
                    "non2xx": r["non2xx"],
                    "socket_errors": r["socket_errors"],
                    "floor": floor_name,
                    "cpu_ms_per_req": r["cpu_ms_per_req"],
                    "peak_rss_mib": r["peak_rss_mib"],
                    "peak_rss_since": r["peak_rss_since"],
                    "profiled_with_perf": r["profiled"],
                    "probe_status": status,
                    "expected_status": expected,
                }
            )

        def probed(workload: str, pname: str, expected: int) -> int:
            p = principals[pname]
            token = p.get("probe_token", p["token"])
            status = probe(port, token, workload, p["ids"], p["names"], f"{pname}-{run_id}")
            if status != expected:
                print(f"WARNING {workload} as {pname}: probe got {status}, expected {expected}",
                      flush=True)
            return status

        for pname in cfg["principals"]:
            if pname == "agent":
                continue
            for workload, route, floor_name, expected in WORKLOADS:
                if workload not in cfg["workloads"] or workload in AGENT_WORKLOADS:
                    continue
                status = probed(workload, pname, expected)
                for conns in cfg["connections"]:
                    measured_row(workload, route, floor_name, expected, pname, conns, status)
        if heartbeating:
            # Writes to the agents every other workload reads, so after them; the floor and the
            # server alternate per connection count (each pair measured close together), and
            # each starts from a vacuumed table, so neither pays the other's dead row versions.
            workload, route, floor_name, expected = next(w for w in WORKLOADS if w[0] == "heartbeat")
            status = probed(workload, "agent", expected)
            for conns in cfg["connections"]:
                database.vacuum(db_url, "agents")
                floor_at(floor_name, conns)
                database.vacuum(db_url, "agents")
                measured_row(workload, route, floor_name, expected, "agent", conns, status)
        if "insert" in needed:
            run_floor("insert")
        log_ab = None
        if cfg["log_ab_rounds"] > 0 and not cfg["rust_log"] and "admin" in principals:
            log_ab = logab.run(cfg, srv, env, principals["admin"], measure, run_id)
            print(f"log line cost: {log_ab['cost'] * 100:.1f}% of {logab.WORKLOAD} req/s",
                  flush=True)
        scaled = None
        if cfg["scale_agents"] > 0:
            # The 100,000-agent rows seed the default org with SQL: no org header there.
            os.environ.pop("BENCH_ORG", None)
            scaled = scale.run(cfg, run_id, admin_token, measure)
        for r in rows:
            f = floors.get(r["floor"], {}).get(str(r["connections"]))
            r["floor_req_per_s"] = f["req_per_s"] if f else None
            r["ratio"] = r["req_per_s"] / f["req_per_s"] if f and f["req_per_s"] else None

        pg_version = database.server_version(db_url)
        result = {
            "started_at": stamp.strftime("%Y-%m-%d %H:%M UTC"),
            "command": command_line(),
            "settings": {
                k: v for k, v in cfg.items() if k not in ("binary", "admin_url", "out_dir")
            }
            | {"user_principal": user_principal, "server_port": port},
            "machine": machine.describe(pg_version, REPO)
            | {"pg_max_connections": database.setting(db_url, "max_connections"),
               "pg_shared_buffers": database.setting(db_url, "shared_buffers")},
            "seed": {
                "agents": len(plan),
                "seconds": seeded["seconds"],
                "rate": seeded["rate"],
                "concurrency": 16,
                "agent_keys": len(minted["keys"]) if minted else 0,
                "agent_keys_seconds": minted["seconds"] if minted else None,
                "agent_keys_rate": minted["rate"] if minted else None,
            },
            "floors": floors,
            "results": rows,
            "log_ab": log_ab,
            "scale": scaled,
        }
        result["targets"] = targets.check(rows, floors, scaled=scaled, log_ab=log_ab)
        out_json = os.path.join(cfg["out_dir"], "results.json")
        report.write_json(out_json, result)
        print()
        print(report.text_table(rows))
        if scaled:
            print(f"\nover {scaled['agents']:,} agents (seeded with SQL in "
                  f"{scaled['seed_seconds']:.1f} s):")
            print(report.scale_text(scaled))
        if log_ab:
            print()
            print(report.log_ab_text(log_ab))
        print()
        print("targets (16 connections):")
        print(report.targets_text(result["targets"]))
        bad = [r for r in rows if r["non2xx"] or r["socket_errors"] or r["probe_status"] != r["expected_status"]]
        for r in bad:
            print(f"WARNING {r['workload']} as {r['principal']} @ {r['connections']}: "
                  f"{r['non2xx']} non-2xx, {r['socket_errors']} socket errors, "
                  f"probe {r['probe_status']} (expected {r['expected_status']})")
        for r in (scaled or {}).get("rows", []):
            if r["non2xx"] or r["socket_errors"] or not r["probe_ok"]:
                print(f"WARNING {r['workload']} over {scaled['agents']:,} agents: "
                      f"{r['non2xx']} non-2xx, {r['socket_errors']} socket errors, "
                      f"probe {r['probe']}")
        print(f"\nwritten: {out_json}")
        if cfg["write_docs"]:
            docs = os.path.join(REPO, "docs", "benchmarks.md")
            report.update_docs(docs, result)
            print(f"written: {docs}")
        return 0
    finally:
        if srv is not None:
            srv.stop()
        try:
            database.drop_database(cfg["admin_url"], dbname)
        except Exception as e:  # noqa: BLE001 — report and keep the original error
            print(f"could not drop database {dbname}: {e}", file=sys.stderr)


if __name__ == "__main__":
    started = time.monotonic()
    try:
        code = main()
    except KeyboardInterrupt:
        code = 130
    print(f"bench finished in {time.monotonic() - started:.0f} s", file=sys.stderr)
    sys.exit(code)
