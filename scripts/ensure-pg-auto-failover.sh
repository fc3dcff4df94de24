#!/usr/bin/env bash
# Makes sure the failover test (tests/e2e/e2e_failover.rs) can run pg_auto_failover: installs
# Debian's postgresql-15-auto-failover when `pg_autoctl` is absent and, when run as root, creates
# the unprivileged OS user `pgaf` that runs it (pg_autoctl refuses root) in the `postgres` group
# (PostgreSQL puts its socket lock files in /var/run/postgresql). Idempotent; fails loudly.
set -euo pipefail
if ! command -v pg_autoctl >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "pg_autoctl is missing: install the Debian package postgresql-15-auto-failover" >&2
    exit 1
  fi
  echo "installing postgresql-15-auto-failover" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql-15-auto-failover >/dev/null \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql-15-auto-failover >/dev/null; }
fi
command -v pg_autoctl >/dev/null
if [ "$(id -u)" -eq 0 ]; then
  id pgaf >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin pgaf
  if getent group postgres >/dev/null && ! id -nG pgaf | tr ' ' '\n' | grep -qx postgres; then
    usermod -aG postgres pgaf
  fi
fi
