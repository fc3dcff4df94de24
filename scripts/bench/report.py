"""Render one run: the table (plain text and Markdown), results.json, docs/benchmarks.md."""

import json
import os

BEGIN = "<!-- bench:results:begin (written by scripts/bench/report.py; edits here are lost) -->"
END = "<!-- bench:results:end -->"

COLUMNS = [
    ("workload", "workload"),
    ("principal", "principal"),
    ("conns", "connections"),
    ("req/s", "req_per_s"),
    ("p50 ms", "p50_ms"),
    ("p90 ms", "p90_ms"),
    ("p99 ms", "p99_ms"),
    ("non-2xx", "non2xx"),
    ("floor", "floor"),
    ("floor req/s", "floor_req_per_s"),
    ("ratio", "ratio"),
    ("CPU ms/req", "cpu_ms_per_req"),
    ("peak RSS MiB", "peak_rss_mib"),
]


def _fmt(key: str, value) -> str:
    if value is None:
        return "–"
    if key in ("req_per_s", "floor_req_per_s"):
        return f"{value:,.0f}"
    if key in ("p50_ms", "p90_ms", "p99_ms"):
        return f"{value:.2f}"
    if key == "ratio":
        return f"{value * 100:.0f}%" if value >= 0.1 else f"{value * 100:.1f}%"
    if key == "cpu_ms_per_req":
        return f"{value:.3f}"
    if key == "peak_rss_mib":
        return f"{value:.1f}"
    return str(value)


def _cells(rows: list) -> list:
    return [[_fmt(k, r.get(k)) for _, k in COLUMNS] for r in rows]


def text_table(rows: list) -> str:
    """A fixed-width table for the terminal."""
    head = [h for h, _ in COLUMNS]
    cells = _cells(rows)
    widths = [max(len(x) for x in col) for col in zip(head, *cells)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths))]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append(
            "  ".join(
                c.ljust(w) if i < 3 or i == 8 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths))
            )
        )
    return "\n".join(lines)


def markdown_table(rows: list) -> str:
    """The same table in Markdown."""
    head = [h for h, _ in COLUMNS]
    align = ["---" if i < 3 or i == 8 else "---:" for i in range(len(head))]
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(c) + " |" for c in _cells(rows)]
    return "\n".join(lines)


def _floor_table(floors: dict) -> str:
    lines = [
        "| floor | statement | conns | tx/s | p50 ms | p99 ms | failed |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for name, by_conns in floors.items():
        for conns, f in sorted(by_conns.items(), key=lambda kv: int(kv[0])):
            lines.append(
                f"| {name} | scripts/bench/sql/{name}.sql | {conns} | {f['req_per_s']:,.0f} |"
                f" {f['p50_us'] / 1000:.2f} | {f['p99_us'] / 1000:.2f} | {f['failed']} |"
            )
    return "\n".join(lines)


def _targets_md(targets: list) -> str:
    lines = ["| target | principal | measured | met |", "| --- | --- | ---: | --- |"]
    for t in targets:
        unit = t["unit"]
        value = f"{t['value']:,.0f} {unit}" if unit == "req/s" else f"{t['value']:.2f} {unit}"
        lines.append(
            f"| {t['target']} | {t['principal']} | {value} | {'met' if t['met'] else '**missed**'} |"
        )
    return "\n".join(lines)


def targets_text(targets: list) -> str:
    """Targets as plain lines for the terminal."""
    out = []
    for t in targets:
        mark = "met   " if t["met"] else "MISSED"
        out.append(f"  {mark} {t['target']} [{t['principal']}]: {t['value']:,.2f} {t['unit']}")
    return "\n".join(out)


SCALE_COLUMNS = [
    ("row", "workload"),
    ("request", "route"),
    ("conns", "connections"),
    ("req/s", "req_per_s"),
    ("p50 ms", "p50_ms"),
    ("p90 ms", "p90_ms"),
    ("p99 ms", "p99_ms"),
    ("non-2xx", "non2xx"),
    ("CPU ms/req", "cpu_ms_per_req"),
    ("X-Total-Count", "total"),
]


def _scale_cells(scaled: dict) -> list:
    out = []
    for r in scaled["rows"]:
        probe = r.get("probe") or {}
        total = probe.get("total") or "–"
        if probe.get("capped") == "true":
            total += " (capped)"
        row = dict(r, total=total)
        out.append([_fmt(k, row.get(k)) for _, k in SCALE_COLUMNS])
    return out


def scale_text(scaled: dict) -> str:
    """The large row set as plain lines for the terminal."""
    lines = []
    for cells in _scale_cells(scaled):
        lines.append("  ".join([cells[0].ljust(22), cells[2].rjust(3)] + cells[3:]))
    return "\n".join(lines)


def scale_markdown(scaled: dict) -> str:
    """The large row set in Markdown."""
    head = [h for h, _ in SCALE_COLUMNS]
    align = ["---", "---", "---:"] + ["---:"] * (len(head) - 3)
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join(align) + " |"]
    for cells in _scale_cells(scaled):
        cells[1] = "`" + cells[1] + "`"
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def log_ab_text(log_ab: dict) -> str:
    """The log line's cost in one paragraph."""
    runs = log_ab["runs"]
    fmt = lambda xs: ", ".join(f"{x['req_per_s']:,.0f}" for x in xs)  # noqa: E731
    mean = log_ab["mean_req_per_s"]
    cpu = log_ab["mean_cpu_ms_per_req"]
    return (
        f"Log line cost ({log_ab['workload']} as the {log_ab['principal']}, "
        f"{log_ab['connections']} connections, {log_ab['seconds']} s per run, interleaved, same "
        f"database): default level {fmt(runs['default'])} req/s (mean {mean['default']:,.0f}, "
        f"CPU {cpu['default']:.3f} ms/req); `RUST_LOG=warn` {fmt(runs['warn'])} req/s "
        f"(mean {mean['warn']:,.0f}, CPU {cpu['warn']:.3f} ms/req). The line costs "
        f"**{log_ab['cost'] * 100:.1f}%** of the throughput (median of the rounds' "
        f"default/warn ratios; {log_ab['cost_of_means'] * 100:.1f}% from the means) and "
        f"{log_ab['cpu_cost'] * 100:.0f}% more server CPU per request."
    )


def write_json(path: str, result: dict) -> None:
    """results.json (pretty, stable key order)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
        f.write("\n")


def results_section(result: dict) -> str:
    """The generated part of docs/benchmarks.md."""
    m = result["machine"]
    s = result["settings"]
    seed = result["seed"]
    return "\n".join(
        [
            BEGIN,
            "",
            f"## Latest results ({result['started_at']})",
            "",
            "Command: `" + result["command"] + "`",
            "",
            f"Machine: {m['nproc']} CPUs ({m['cpu_model']}), {m['memory_gib']} GiB RAM, "
            f"Linux {m['kernel']}; {m['postgresql']}; {m['wrk']}; {m['pgbench']}; "
            f"commit {m['commit']}.",
            "",
            f"Settings: {s['seconds']} s per measurement after {s['warmup_seconds']} s warm-up; "
            f"connections {', '.join(str(c) for c in s['connections'])}; wrk threads ≤ 2; "
            f"server `RUST_LOG={s['rust_log'] or 'unset (default: info)'}`, "
            f"`LOG_FORMAT={s['log_format']}`, "
            f"`DB_POOL_SIZE={s['db_pool_size'] or 'server default'}`; "
            f"{s['agents']} seeded agents ({s['agents'] - s['user_agents']} by the admin, "
            f"{s['user_agents']} by `{s['user_principal']}`), seeded through the API at "
            f"{seed['rate']:,.0f} agents/s ({seed['concurrency']} connections, {seed['seconds']:.1f} s)"
            + (
                f"; {seed['agent_keys']} of them heartbeat (principal `agent`), each with its own "
                f"internal key minted by the admin at {seed['agent_keys_rate']:,.0f} keys/s."
                if seed.get("agent_keys")
                else "."
            ),
            "",
            markdown_table(result["results"]),
            "",
            "PostgreSQL floors (pgbench `-n -M prepared`, same connection count and duration):",
            "",
            _floor_table(result["floors"]),
            "",
            *(
                [
                    f"Over {result['scale']['agents']:,} agents (issue 16), seeded with SQL in "
                    f"{result['scale']['seed_seconds']:.1f} s (scripts/bench/bulk.py: 30% "
                    "BuildOnly, 60% Ready, 10% Unhealthy, card metadata `team` one of 50), "
                    "a database and server of their own, as the admin; X-Total-Count as the "
                    "probe before the row saw it:",
                    "",
                    scale_markdown(result["scale"]),
                    "",
                ]
                if result.get("scale")
                else []
            ),
            *([log_ab_text(result["log_ab"]), ""] if result.get("log_ab") else []),
            "Targets of issues 8, 15 and 16 (16 connections):",
            "",
            _targets_md(result["targets"]),
            "",
            END,
        ]
    )


def update_docs(path: str, result: dict) -> None:
    """Replace the generated section of docs/benchmarks.md (append it if the markers are absent)."""
    section = results_section(result)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        text = "# Benchmarks\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
