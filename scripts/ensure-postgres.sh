#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers at TEST_DATABASE_URL's host (default 127.0.0.1:5432).
# If nothing listens and a Debian cluster is installed, starts it; otherwise says what to do.
# (The test harness can also start a throwaway cluster of its own; see crates/registry_test_db.)
set -euo pipefail
url="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
if pg_isready -d "$url" -q 2>/dev/null; then exit 0; fi
if command -v pg_ctlcluster >/dev/null 2>&1 && ls /etc/postgresql/*/main >/dev/null 2>&1; then
  version=$(ls /etc/postgresql | sort -V | tail -n1)
  echo "starting PostgreSQL cluster $version/main" >&2
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_isready -d "$url" -q && exit 0; sleep 1; done
fi
if command -v pg_isready >/dev/null 2>&1; then
  echo "note: no PostgreSQL answers at $url; the test harness will try a throwaway cluster" >&2
fi
exit 0
