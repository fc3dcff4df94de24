"""PostgreSQL helpers via psql: the throwaway benchmark database and the floor's helper table."""

import subprocess
import urllib.parse


def plain_on_loopback(url: str) -> str:
    """`url` with sslmode=disable and gssencmode=disable when the server is on this machine and
    neither is given: the server under test and pgbench then both talk to PostgreSQL without
    TLS or GSSAPI encryption, as the tests do (registry_test_db), and pay the same transport."""
    parts = urllib.parse.urlsplit(url)
    local = parts.hostname in (None, "", "127.0.0.1", "localhost", "::1")
    if not local or "sslmode=" in parts.query or "gssencmode=" in parts.query:
        return url
    plain = "sslmode=disable&gssencmode=disable"
    query = f"{parts.query}&{plain}" if parts.query else plain
    return urllib.parse.urlunsplit(parts._replace(query=query))


def with_database(url: str, dbname: str) -> str:
    """The same server URL pointing at another database."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + dbname))


def psql(url: str, sql: str, timeout: float = 120) -> str:
    """Run SQL with psql (stop on the first error) and return its unaligned, tuples-only output."""
    out = subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-tA", "-d", url, "-c", sql],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"psql failed: {sql[:200]}\n{out.stderr.strip()}")
    return out.stdout.strip()


def create_database(admin_url: str, dbname: str) -> None:
    """CREATE DATABASE dbname on admin_url's server."""
    psql(admin_url, f'CREATE DATABASE "{dbname}"')


def drop_database(admin_url: str, dbname: str) -> None:
    """DROP DATABASE dbname, disconnecting whoever is still on it."""
    psql(admin_url, f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def server_version(url: str) -> str:
    """PostgreSQL's version string, e.g. 'PostgreSQL 15.2 (Debian ...)'."""
    return psql(url, "SELECT version()")


def setting(url: str, name: str) -> str:
    """One server setting (SHOW name)."""
    return psql(url, f"SHOW {name}")


def make_numbered_copy(url: str) -> int:
    """Copy the live agents into bench_agents_numbered(n PRIMARY KEY, ...) so pgbench can pick
    a random row by an integer key; returns the row count."""
    psql(
        url,
        "DROP TABLE IF EXISTS bench_agents_numbered;"
        " CREATE TABLE bench_agents_numbered AS"
        " SELECT row_number() OVER (ORDER BY a.created_at, a.id) AS n, a.* FROM agents a"
        " WHERE a.status <> 'Deleted';"
        " ALTER TABLE bench_agents_numbered ADD PRIMARY KEY (n);"
        " ANALYZE bench_agents_numbered; ANALYZE agents;",
    )
    return int(psql(url, "SELECT count(*) FROM bench_agents_numbered"))


def make_heartbeat_ids(url: str, ids: list) -> None:
    """Number the heartbeating agents' uuids in bench_heartbeat_ids(n PRIMARY KEY, id) (n from 1)
    so the heartbeat floor can pick a random one of exactly those agents."""
    values = ",".join(f"({n},'{i}')" for n, i in enumerate(ids, start=1))
    psql(
        url,
        "DROP TABLE IF EXISTS bench_heartbeat_ids;"
        " CREATE TABLE bench_heartbeat_ids (n integer PRIMARY KEY, id uuid NOT NULL);"
        f" INSERT INTO bench_heartbeat_ids (n, id) VALUES {values};"
        " ANALYZE bench_heartbeat_ids;",
    )


def vacuum(url: str, table: str) -> None:
    """VACUUM (ANALYZE) table: a write workload and its floor each start without the dead row
    versions and index entries the other left behind."""
    psql(url, f"VACUUM (ANALYZE) {table}", timeout=300)
