"""A tiny keep-alive JSON client for 127.0.0.1 (stdlib http.client)."""

import http.client
import json
import os


class Client:
    """One persistent connection to the server, authenticated as one principal: a bearer
    token, or an agent API key (`agent_key=True`, sent in `X-Agent-API-Key`)."""

    def __init__(self, port: int, token: str, timeout: float = 10, agent_key: bool = False):
        self.port = port
        self.token = token
        self.timeout = timeout
        self.agent_key = agent_key
        self.last_headers: dict = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def call(self, method: str, path: str, body=None):
        """Send one request; returns (status, parsed JSON body or None). Reconnects once.
        The response's headers (lower-cased names) are kept in `last_headers`."""
        payload = None if body is None else json.dumps(body).encode()
        if self.agent_key:
            headers = {"X-Agent-API-Key": self.token}
        else:
            headers = {"Authorization": f"Bearer {self.token}"}
            # The org the platform admin acts in (the server ignores it for other tokens).
            if os.environ.get("BENCH_ORG"):
                headers["X-Registry-Org"] = os.environ["BENCH_ORG"]
        if payload is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (0, 1):
            try:
                self.conn.request(method, path, body=payload, headers=headers)
                resp = self.conn.getresponse()
                raw = resp.read()
                self.last_headers = {k.lower(): v for k, v in resp.getheaders()}
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                if attempt == 1:
                    raise
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return resp.status, parsed

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()
