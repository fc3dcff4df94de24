"""What the per-request log line costs, in instructions: the release server run under
valgrind's callgrind at its default level (one JSON line per request) and at `RUST_LOG=warn`
(none), each answering the same GETs by id. Callgrind counts instructions, not seconds, so the
figure does not move with whatever else the machine is doing (the wrk A/B of `just bench` does,
by ±10% on a shared VM). Only the requests are counted: collection is zeroed after warm-up and
dumped after the last answer.

Usage: logcost.py BINARY DATABASE_URL [REQUESTS]  (the database is migrated by the server)
"""

import http.client
import json
import os
import subprocess
import sys
import tempfile
import time

from server import free_port

ADMIN = "bench-admin-token-0123456789"


def _get_many(port: int, path: str, n: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    for _ in range(n):
        conn.request("GET", path, headers={"Authorization": f"Bearer {ADMIN}"})
        resp = conn.getresponse()
        resp.read()
        if resp.status != 200:
            raise SystemExit(f"GET {path}: {resp.status}")


def _post(port: int, path: str, body: dict) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/json"}
    conn.request("POST", path, body=json.dumps(body), headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    if resp.status >= 300:
        raise SystemExit(f"POST {path}: {resp.status} {data[:200]!r}")
    return json.loads(data)


def _instructions(outfile: str) -> int:
    with open(outfile) as f:
        for line in f:
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
    raise SystemExit(f"no totals in {outfile}")


def measure(binary: str, database_url: str, level: str, requests: int, work: str) -> int:
    """Instructions the server spends on `requests` GETs of one agent at log level `level`."""
    port = free_port()
    out = os.path.join(work, f"callgrind.{level}")
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        ADMIN_TOKEN=ADMIN,
        KEY_HASH_SECRET="bench-key-hash-secret-0123456789abcdef",
        BIND=f"127.0.0.1:{port}",
        LOG_FORMAT="json",
        # Under callgrind everything runs ~50x slower: no timeout may fire meanwhile.
        DB_POOL_TIMEOUT_MS="120000",
        REQUEST_TIMEOUT_SECONDS="600",
        HEARTBEAT_CHECK_INTERVAL_SECONDS="3600",
    )
    env.pop("RUST_LOG", None)
    if level != "default":
        env["RUST_LOG"] = level
    log = open(os.path.join(work, f"server.{level}.log"), "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}.%p", binary, "serve"],
        env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/readyz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                with open(log.name, errors="replace") as f:
                    tail = "".join(ln for ln in f if not ln.startswith("=="))[-2000:]
                raise SystemExit(f"server under callgrind did not start:\n{tail}")
            time.sleep(1)
        agent = _post(port, "/agents/register-build", {"name": f"logcost-{level}", "description": "log cost"})
        path = f"/agents/{agent['id']}"
        _get_many(port, path, 200)
        subprocess.run(["callgrind_control", "--zero", str(proc.pid)], check=True,
                       capture_output=True)
        _get_many(port, path, requests)
        subprocess.run(["callgrind_control", "--dump=requests", str(proc.pid)], check=True,
                       capture_output=True)
        dumps = [f for f in os.listdir(work) if f.startswith(f"callgrind.{level}.{proc.pid}.")]
        if not dumps:
            raise SystemExit("callgrind wrote no dump")
        return _instructions(os.path.join(work, sorted(dumps)[-1]))
    finally:
        proc.terminate()
        proc.wait(timeout=120)
        log.close()


def main() -> int:
    binary, database_url = sys.argv[1], sys.argv[2]
    requests = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    with tempfile.TemporaryDirectory(prefix="logcost-") as work:
        per = {}
        for level in ("default", "warn"):
            print(f"log cost: {requests} GETs under callgrind at {level} ...", flush=True)
            per[level] = measure(binary, database_url, level, requests, work) / requests
    cost = per["default"] / per["warn"] - 1
    print(f"instructions per GET: default level {per['default']:,.0f}, "
          f"RUST_LOG=warn {per['warn']:,.0f}; the log line costs {per['default'] - per['warn']:,.0f} "
          f"instructions, {cost:.1%} of the server's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
