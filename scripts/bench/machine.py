"""What the benchmark ran on: cores, memory, CPU model, kernel, PostgreSQL, tool versions, commit."""

import os
import platform
import subprocess


def _first(path: str, key: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def _cmd(args: list) -> str:
    try:
        out = subprocess.run(args, capture_output=True, text=True, timeout=10, check=False)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unknown"


def describe(pg_version: str, repo_dir: str) -> dict:
    """A dict of machine facts for results.json and docs/benchmarks.md."""
    mem_kib = _first("/proc/meminfo", "MemTotal").split()[0]
    commit = _cmd(["git", "-C", repo_dir, "rev-parse", "--short", "HEAD"])
    dirty = _cmd(["git", "-C", repo_dir, "status", "--porcelain", "--untracked-files=no"])
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(int(mem_kib) / 1024 / 1024, 1) if mem_kib.isdigit() else None,
        "cpu_model": _first("/proc/cpuinfo", "model name"),
        "kernel": platform.release(),
        "postgresql": pg_version,
        "wrk": _cmd(["wrk", "--version"]).split(" [")[0],
        "pgbench": _cmd(["pgbench", "--version"]),
        "commit": commit + (" (with uncommitted changes)" if dirty not in ("", "unknown") else ""),
    }
