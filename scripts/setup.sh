#!/usr/bin/env bash
# Installs what the stack and the tests need on a Debian machine: PostgreSQL, PgBouncer, Redis, nginx, Prometheus and its
# exporters, Locust and Chromium from apt, then the npm dependencies. Safe to run again: it installs only what is
# missing. Elsewhere it says what to install.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
have_postgres() { ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || command -v postgres >/dev/null 2>&1 || [ -n "${PG_BIN:-}" ]; }
have_postgres || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v nginx >/dev/null 2>&1 || missing+=(nginx-light)
# PgBouncer for PGBOUNCER=on (the pool mode); Debian puts it in /usr/sbin. Its system service (port 6432) is
# turned off below like the exporters': the stack runs its own.
pgbouncer=()
command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || pgbouncer=(pgbouncer)
missing+=("${pgbouncer[@]}")
# Prometheus 2.x and the exporters `make up` runs beside the stack (MONITOR=off leaves them out).
monitoring=()
for bin in prometheus prometheus-nginx-exporter prometheus-redis-exporter prometheus-postgres-exporter; do
  command -v "$bin" >/dev/null 2>&1 || monitoring+=("$bin")
done
missing+=("${monitoring[@]}")
# Locust (a peer for tests and benchmarks; PyPI is not needed: Debian packages it).
[ -x /usr/bin/locust ] || missing+=(python3-locust)
# A real browser for the web UI and HTML report tests (driven by playwright-core, never downloaded by it).
[ -x /usr/bin/chromium ] || missing+=(chromium)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # Under systemd these packages start system-wide services on the ports the stack uses (9090, 9113, 9121,
    # 9187), scraping nothing of ours; the stack runs its own, so the ones installed just now are turned off.
    services=("${monitoring[@]}" "${pgbouncer[@]}")
    if [ ${#services[@]} -gt 0 ] && [ -d /run/systemd/system ]; then
      systemctl disable --now "${services[@]}" >/dev/null 2>&1 || true
      echo "setup: disabled the system services of ${services[*]} (the stack starts its own)"
    fi
  else
    echo "setup: missing ${missing[*]}." >&2
    echo "  Debian/Ubuntu: sudo apt-get install -y ${missing[*]}" >&2
    echo "  macOS:         brew install postgresql@15 redis nginx pgbouncer locust prometheus nginx-prometheus-exporter redis_exporter postgres_exporter" >&2
    exit 1
  fi
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi
