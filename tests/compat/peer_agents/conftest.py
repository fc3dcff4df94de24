"""Fixtures that let the peer's (Agentex's) own agent HTTP integration tests run against our binary.

The peer's tests (agentex/tests/integration/api/agents/*.py in scaleapi/scale-agentex) ask for two
fixtures: `isolated_client`, an `httpx.AsyncClient` on a registry with an empty database, and
`test_data_factory`, a dict of helpers that make unique agent payloads. The peer builds them from
its FastAPI app and test containers; here they are built from the real `agent-registry` binary:

- once per session, a template database is created and migrated (`agent-registry migrate`);
- per test, a fresh database is copied from it (`CREATE DATABASE ... TEMPLATE`) and a fresh
  `agent-registry serve` is started on it, on a free loopback port;
- the client authenticates as the admin (`Authorization: Bearer <ADMIN_TOKEN>`), because every
  registry endpoint requires credentials here (contract §2.3) while the peer's tests run with its
  authorization mocked out.

Run by scripts/peer-agent-tests.sh, which provides:
  AGENT_REGISTRY_BIN   the built binary (required)
  TEST_DATABASE_URL    a PostgreSQL server URL with CREATE DATABASE rights
                       (default postgres://postgres@127.0.0.1:5432/postgres)
"""

import os
import socket
import subprocess
import tempfile
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
import pytest_asyncio

ADMIN_TOKEN = "peer-tests-admin-token-0123456789"
KEY_HASH_SECRET = "peer-tests-key-hash-secret-0123456789abcdef"
SERVER_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)


def pytest_configure(config):
    # The peer runs with --strict-markers and registers these in its pytest.ini.
    config.addinivalue_line("markers", "integration: peer integration tests")
    config.addinivalue_line("markers", "unit: peer unit tests")


def _binary() -> str:
    path = os.environ.get("AGENT_REGISTRY_BIN")
    if not path or not os.access(path, os.X_OK):
        pytest.exit(
            "AGENT_REGISTRY_BIN must name the built agent-registry binary "
            "(run scripts/peer-agent-tests.sh, which builds it)",
            returncode=2,
        )
    return path


def _database_url(name: str) -> str:
    parts = urlsplit(SERVER_URL)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _psql(sql: str) -> None:
    subprocess.run(
        ["psql", SERVER_URL, "-v", "ON_ERROR_STOP=1", "-qc", sql],
        check=True,
        capture_output=True,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_env(database: str, port: int) -> dict:
    return {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": _database_url(database),
        "BIND": f"127.0.0.1:{port}",
        "ADMIN_TOKEN": ADMIN_TOKEN,
        "KEY_HASH_SECRET": KEY_HASH_SECRET,
        "DB_POOL_SIZE": "4",
        "WORKERS": "1",
        "LOG_FORMAT": "json",
        "RUST_LOG": "warn",
    }


@pytest.fixture(scope="session")
def migrated_template():
    """A migrated database, the template of every test's database (dropped at the end)."""
    name = "peer_tpl_" + uuid.uuid4().hex[:12]
    _psql(f'CREATE DATABASE "{name}"')
    try:
        subprocess.run(
            [_binary(), "migrate"],
            env=_server_env(name, 0),
            check=True,
            capture_output=True,
        )
        yield name
    finally:
        _psql(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture
def registry_server(migrated_template):
    """A fresh `agent-registry serve` on a fresh database: yields its base URL."""
    database = "peer_" + uuid.uuid4().hex[:12]
    _psql(f'CREATE DATABASE "{database}" TEMPLATE "{migrated_template}"')
    port = _free_port()
    log = tempfile.NamedTemporaryFile(prefix="peer-agent-registry-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        [_binary(), "serve"],
        env=_server_env(database, port),
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"agent-registry exited ({proc.returncode}); log: {log.name}")
            try:
                if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"agent-registry not ready after 30 s; log: {log.name}")
            time.sleep(0.05)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        os.unlink(log.name)
        _psql(f'DROP DATABASE IF EXISTS "{database}"')


@pytest_asyncio.fixture
async def isolated_client(registry_server):
    """What the peer's tests expect: an httpx.AsyncClient on an empty registry."""
    async with httpx.AsyncClient(
        base_url=registry_server,
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        timeout=30,
    ) as client:
        yield client


@pytest.fixture
def test_data_factory():
    """The helpers the peer's agent tests call (same keys, same payload shapes)."""
    test_id = uuid.uuid4().hex[:12]

    def create_unique_name(base_name: str) -> str:
        return f"{base_name}-{test_id}"

    def create_agent_data(name: str = "test-agent") -> dict:
        return {
            "name": create_unique_name(name),
            "description": f"Test agent for {test_id}",
            "acp_url": f"http://{create_unique_name('test')}:8000",
            "acp_type": "sync",
        }

    return {
        "test_id": test_id,
        "create_unique_name": create_unique_name,
        "create_agent_data": create_agent_data,
    }
