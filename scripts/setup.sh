#!/usr/bin/env bash
# Installs what the stack and the tests need on a Debian machine: PostgreSQL, Redis, nginx, Locust and Chromium from apt, then the
# npm dependencies. Safe to run again: it installs only what is missing. Elsewhere it says what to install.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
have_postgres() { ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || command -v postgres >/dev/null 2>&1 || [ -n "${PG_BIN:-}" ]; }
have_postgres || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v nginx >/dev/null 2>&1 || missing+=(nginx-light)
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
  else
    echo "setup: missing ${missing[*]}." >&2
    echo "  Debian/Ubuntu: sudo apt-get install -y ${missing[*]}" >&2
    echo "  macOS:         brew install postgresql@15 redis nginx locust" >&2
    exit 1
  fi
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi
