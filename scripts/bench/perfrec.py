"""Optional sampling profile of the server during one measured run (BENCH_PERF=<workload>)."""

import os
import shutil
import signal
import subprocess


class Profiler:
    """`perf record -e cpu-clock -g -p <pid>` around a run; `stop()` writes a text report.

    `BENCH_PERF_CALLGRAPH=dwarf` records call chains from the debug info instead of frame
    pointers (which the release build omits): complete callers, much larger data files."""

    def __init__(self, pid: int, out_prefix: str):
        self.data = out_prefix + ".data"
        self.report = out_prefix + ".txt"
        self.proc = None
        if shutil.which("perf") is None:
            print("BENCH_PERF: perf not installed; no profile", flush=True)
            return
        self.proc = subprocess.Popen(
            ["perf", "record", "-q", "-e", "cpu-clock", "-F", "499",
             "--call-graph", os.environ.get("BENCH_PERF_CALLGRAPH", "fp"), "-p", str(pid),
             "-o", self.data],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        """End the recording and write the flat and caller-folded reports next to the data."""
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        if not os.path.exists(self.data):
            return
        with open(self.report, "w", encoding="utf-8") as out:
            for extra in (["--no-children", "-g", "none"], ["--children", "-g", "none"]):
                rep = subprocess.run(
                    ["perf", "report", "-i", self.data, "--stdio", "--percent-limit", "0.5",
                     "--sort", "dso,symbol", *extra],
                    capture_output=True,
                    text=True,
                    timeout=300,
                    check=False,
                )
                for line in rep.stdout.splitlines():
                    if line.strip() and not line.startswith("#"):
                        out.write(" ".join(line.split()) + "\n")
                out.write("\n")
        print(f"profile: {self.report}", flush=True)
