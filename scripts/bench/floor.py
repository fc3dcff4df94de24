"""The PostgreSQL floor: pgbench (prepared protocol) runs the nearest single statement."""

import glob
import os
import re
import subprocess
import tempfile

SQL_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sql")


def _percentile(sorted_values: list, p: float) -> float:
    if not sorted_values:
        return 0.0
    k = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return float(sorted_values[k])


def run_pgbench(url: str, script: str, connections: int, seconds: int, variables: dict) -> dict:
    """pgbench -n -M prepared -c connections -j min(2, connections) -T seconds -f sql/<script>.sql
    with -D name=value for each of `variables` (nseed: numbered agents, nheart: heartbeating
    agents); returns req_per_s (tps without connection time), failed count and p50/p90/p99 in µs from
    the per-transaction log."""
    threads = min(2, connections)
    with tempfile.TemporaryDirectory(prefix="bench-pgbench-") as tmp:
        prefix = os.path.join(tmp, "tx")
        cmd = [
            "pgbench",
            "-n",
            "-M",
            "prepared",
            "-c",
            str(connections),
            "-j",
            str(threads),
            "-T",
            str(seconds),
            *(arg for k, v in variables.items() for arg in ("-D", f"{k}={v}")),
            "-f",
            os.path.join(SQL_DIR, f"{script}.sql"),
            "-l",
            f"--log-prefix={prefix}",
            url,
        ]
        out = subprocess.run(
            cmd, capture_output=True, text=True, timeout=seconds + 60, check=False, cwd=tmp
        )
        if out.returncode != 0:
            raise RuntimeError(f"pgbench {script} failed: {out.stderr.strip()}\n{out.stdout}")
        tps = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out.stdout)
        if tps is None:
            raise RuntimeError(f"pgbench output without tps:\n{out.stdout}")
        failed = re.search(r"number of failed transactions: (\d+)", out.stdout)
        latencies = []
        for path in glob.glob(prefix + ".*"):
            with open(path, encoding="ascii") as f:
                for line in f:
                    fields = line.split()
                    if len(fields) >= 3 and fields[2].isdigit():
                        latencies.append(int(fields[2]))
    latencies.sort()
    return {
        "req_per_s": float(tps.group(1)),
        "transactions": len(latencies),
        "failed": int(failed.group(1)) if failed else 0,
        "p50_us": _percentile(latencies, 50),
        "p90_us": _percentile(latencies, 90),
        "p99_us": _percentile(latencies, 99),
        "threads": threads,
    }
