"""The targets of issue 8 and issue 15's heartbeat (2-core machine, 16 connections), checked
against one run's rows."""


def _row(rows: list, workload: str, principal: str, connections: int):
    return next(
        (
            r
            for r in rows
            if r["workload"] == workload
            and r["principal"] == principal
            and r["connections"] == connections
        ),
        None,
    )


def check(
    rows: list, floors: dict, connections: int = 16, scaled=None, log_ab=None
) -> list:
    """One entry per (target, principal): {target, principal, value, limit, met}. `scaled`:
    the large row set (issue 16: every list of 50 but the metadata-filtered one ≥ 1,000 req/s);
    `log_ab`: the log line's measured cost (issue 16: ≤ 5%)."""
    pk_floor = floors.get("pk", {}).get(str(connections), {}).get("req_per_s")
    insert_floor = floors.get("insert", {}).get(str(connections), {}).get("req_per_s")
    out = []

    def add(target, principal, value, limit, met, unit=""):
        out.append(
            {
                "target": target,
                "principal": principal,
                "value": value,
                "limit": limit,
                "unit": unit,
                "met": met,
            }
        )

    for principal in ("admin", "user"):
        for wl, label in (("get_by_id", "GET by id"), ("get_by_name", "GET by name")):
            r = _row(rows, wl, principal, connections)
            if r is None:
                continue
            add(f"{label} ≥ 10,000 req/s", principal, r["req_per_s"], 10000,
                r["req_per_s"] >= 10000, "req/s")
            if pk_floor:
                ratio = r["req_per_s"] / pk_floor
                add(f"{label} ≥ 35% of the pgbench primary-key floor", principal, ratio * 100, 35,
                    ratio >= 0.35, "%")
            add(f"{label} p99 ≤ 10 ms", principal, r["p99_ms"], 10, r["p99_ms"] <= 10, "ms")
            add(f"{label} server CPU ≤ 0.15 ms/request", principal, r["cpu_ms_per_req"], 0.15,
                r["cpu_ms_per_req"] <= 0.15, "ms")
        r = _row(rows, "register_new", principal, connections)
        if r is not None:
            add("register-build new names ≥ 3,000 req/s", principal, r["req_per_s"], 3000,
                r["req_per_s"] >= 3000, "req/s")
            if insert_floor:
                ratio = r["req_per_s"] / insert_floor
                add("register-build new names ≥ 35% of the insert floor", principal, ratio * 100,
                    35, ratio >= 0.35, "%")
        r = _row(rows, "register_existing", principal, connections)
        if r is not None:
            add("register-build repeated names ≥ 8,000 req/s", principal, r["req_per_s"], 8000,
                r["req_per_s"] >= 8000, "req/s")
        r = _row(rows, "list", principal, connections)
        if r is not None:
            add("list of 50 ≥ 3,000 req/s", principal, r["req_per_s"], 3000,
                r["req_per_s"] >= 3000, "req/s")
    r = _row(rows, "heartbeat", "agent", connections)
    heartbeat_floor = floors.get("heartbeat", {}).get(str(connections), {}).get("req_per_s")
    if r is not None and heartbeat_floor:
        ratio = r["req_per_s"] / heartbeat_floor
        add("heartbeat ≥ 35% of the heartbeat floor (issue 15)", "agent", ratio * 100, 35,
            ratio >= 0.35, "%")
    for r in (scaled or {}).get("rows", []):
        if r["list_target"] and r["connections"] == connections:
            add(f"{r['workload']} over {scaled['agents']:,} agents ≥ 1,000 req/s (issue 16)",
                r["principal"], r["req_per_s"], 1000, r["req_per_s"] >= 1000, "req/s")
    if log_ab and log_ab.get("cost") is not None:
        cost = log_ab["cost"] * 100
        add("per-request log line costs ≤ 5% of GET by id (issue 16)", log_ab["principal"],
            cost, 5, cost <= 5, "%")
    loaded = [r for r in rows if r["connections"] == connections and r["peak_rss_mib"] is not None]
    if loaded:
        peak = max(r["peak_rss_mib"] for r in loaded)
        add("peak RSS ≤ 64 MiB under load", "both", peak, 64, peak <= 64, "MiB")
    return out
