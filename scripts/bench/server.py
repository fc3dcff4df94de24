"""Start the release `agent-registry serve` on a free 127.0.0.1 port, wait for /readyz, stop it."""

import ctypes
import http.client
import os
import signal
import socket
import subprocess
import time

_PR_SET_PDEATHSIG = 1


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    # If the orchestrator is killed outright, the kernel sends SIGTERM to the server too.
    try:
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


class Server:
    """A running server process; `stop()` is idempotent."""

    def __init__(self, binary: str, env: dict, port: int, log_path: str):
        self.port = port
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 (closed in stop)
        full_env = dict(os.environ)
        full_env.update(env)
        self.proc = subprocess.Popen(
            [binary, "serve"],
            env=full_env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
        self.pid = self.proc.pid

    def wait_ready(self, timeout: float = 60) -> None:
        """Poll GET /readyz until 200; raise if the process exits or the time runs out."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"server exited with {self.proc.returncode} before ready; see {self.log_path}"
                )
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/readyz")
                resp = conn.getresponse()
                resp.read()
                conn.close()
                if resp.status == 200:
                    return
                last = f"status {resp.status}"
            except OSError as e:
                last = str(e)
            time.sleep(0.2)
        raise RuntimeError(f"server not ready after {timeout}s ({last}); see {self.log_path}")

    def alive(self) -> bool:
        """True while the process runs."""
        return self.proc.poll() is None

    def check_alive(self, during: str) -> None:
        """Raise, with the exit status, if the process is gone (e.g. killed from outside)."""
        code = self.proc.poll()
        if code is not None:
            raise RuntimeError(
                f"server exited with {code} (negative: killed by that signal) before or during "
                f"{during}; see {self.log_path}"
            )

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 10 s."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if not self._log.closed:
            self._log.close()
