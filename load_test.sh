#!/usr/bin/env bash
# Runs a load-test mode against the stack and writes its reports.
#
#   ./load_test.sh [--engine swarm|k6] MODE [extra swarm flags]
#   MODE: smoke, basic, stress, cache, spike, breakpoint, scaling, all, interactive (scenarios/profiles.json, LOAD_TESTING.md)
#         the failure lab, which breaks the stack on purpose: failover, redis-outage, db-outage, pool, faults (all four)
#         the overload lab, each without and with its protection: cpu, memory, cascade, quota, overload (all four)
#         async ingest: ingest (events through the workers, counted in Postgres), ingest-faults (worker1 killed mid-run)
#   USERS, SPAWN_RATE, RUN_TIME, HOST (RATE for breakpoint and scaling, REPLICAS_MAX for scaling, TARGET_VUS for
#   ingest) override the mode's values, e.g. USERS=100 ./load_test.sh stress, TARGET_VUS=200 ./load_test.sh ingest
#
# Reports go to load_test_reports/<mode>-<timestamp>/ (summary.json, stats_*.csv, junit.xml, report.html);
# the exit code is the verdict: 0 every criterion held, 1 one failed, 2 the run could not start.
set -euo pipefail
cd "$(dirname "$0")"

engine=swarm
case "${1:-}" in
  --engine) engine="${2:-}"; shift 2 || true ;;
  --engine=*) engine="${1#--engine=}"; shift ;;
esac
mode="${1:-}"
if [ -z "$mode" ] || [ "$mode" = "-h" ] || [ "$mode" = "--help" ]; then
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
  [ -n "$mode" ] && exit 0 || exit 2
fi
shift

[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
out="load_test_reports/${mode}-$(date +%Y%m%d-%H%M%S)"
# swarmgate-source: Swarm's public API from its TypeScript sources (as tsconfig.json and the swarm command see it),
# never a stale or absent dist/ build.
exec node --conditions=swarmgate-source --import tsx scenarios/run-mode.ts "$engine" "$mode" "$out" "$@"
