# The user's verbs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help setup test lint format typecheck test-unit test-integration test-stack bench
.PHONY: up down status logs health restart fault clean-stack
.PHONY: load-smoke load-basic load-stress load-cache load-spike load-all load-interactive load-breakpoint load-scaling
.PHONY: load-failover load-redis-outage load-db-outage load-pool load-faults
.PHONY: load-cpu load-memory load-cascade load-quota load-overload
.PHONY: load-ingest load-ingest-faults
.PHONY: k8s-render k8s-load

# The stack runner (scripts/stack/cli.ts). Settings come from the environment or the command line, e.g.
# `make up REPLICAS=5 BALANCE=least_conn`, `make up STACK=native`, `make up MONITOR=off`; see README.md ("The stack").
STACK_CLI := npx --no-install tsx scripts/stack/cli.ts

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

setup: ## install PostgreSQL, Redis, nginx, Prometheus and its exporters (apt, as root) and the npm dependencies
	@bash scripts/setup.sh

test: setup ## lint, type-check, then every test (unit and integration on real Postgres and Redis)
	npm run lint
	npm run typecheck
	npx --no-install vitest run

test-unit: setup ## unit tests only (no services)
	npx --no-install vitest run --project unit

test-integration: setup ## integration tests only
	npx --no-install vitest run --project integration

test-stack: setup ## gateway and stack tests (each file brings its own native stack up and down)
	npx --no-install vitest run --project stack

up: setup ## start the stack (gateway on :8080, REPLICAS=3 replicas, WORKERS=1 ingest workers, Postgres, Redis, Prometheus on :9090 unless MONITOR=off) and wait until healthy
	@$(STACK_CLI) up

down: ## stop everything `make up` started
	@$(STACK_CLI) down

status: ## each part of the stack: pid, running, port; then Prometheus's scrape targets
	@$(STACK_CLI) status

logs: ## the last lines of every log in .stack/logs (PART=app2 for one, FOLLOW=1 to follow)
	@$(STACK_CLI) logs $(PART) $(if $(FOLLOW),--follow)

health: ## one table: gateway, each replica (status, instance, uptime, ready), Postgres, Redis, Prometheus, exporters; then each scrape target
	@$(STACK_CLI) health

restart: ## restart one part of the stack: make restart PART=app2
	@$(STACK_CLI) restart $(PART)

fault: ## a fault on one part: make fault DO=kill|stop|start|restart|freeze|thaw|degrade|heal PART=redis [FOR=10s] [LATENCY_MS= JITTER_MS= ERROR_RATE=] [CHECK=1] [JSON=1]
	@$(STACK_CLI) fault $(DO) $(PART) $(if $(FOR),--for $(FOR)) $(if $(LATENCY_MS),--latency-ms $(LATENCY_MS)) \
		$(if $(JITTER_MS),--jitter-ms $(JITTER_MS)) $(if $(ERROR_RATE),--error-rate $(ERROR_RATE)) \
		$(if $(CHECK),--check) $(if $(JSON),--json)

clean-stack: down ## stop the stack and delete .stack/ (database included)
	rm -rf .stack

k8s-render: ## the stack's Kubernetes manifests for the settings (OVERLAY=local|cluster, REPLICAS=...) into .stack/k8s/; deploy/k8s/README.md
	@npx --no-install tsx scripts/k8s/render.ts
k8s-load: ## a mode as an Indexed Job on the cluster (MODE=basic SEGMENTS=3 [IMAGE= LEAD_S=90]), merged; deploy/k8s/load/README.md
	@MODE=$(or $(MODE),basic) SEGMENTS=$(or $(SEGMENTS),3) sh deploy/k8s/load/k8s-load.sh

# Load tests: each brings the stack up first (installing what is missing), then runs ./load_test.sh MODE.
# USERS, SPAWN_RATE, RUN_TIME and HOST override the mode's profile (scenarios/profiles.json).
load-smoke: up ## 5 users for 20 s: no failures, every replica serves (what CI runs)
	./load_test.sh smoke
load-basic: up ## the main job: 10 users for 60 s; avg < 200 ms, no failures, HITs faster than MISSes
	./load_test.sh basic
load-stress: up ## 50 users for 5 min; p95 < 500 ms, failures < 1%, replicas within 10% of an even share
	./load_test.sh stress
load-cache: up ## 20 fast readers for 2 min; hit ratio >= 90% after warm-up, HITs faster than MISSes
	./load_test.sh cache
load-spike: up ## 1 -> 50 -> 1 users as one run; failures < 1%, latency recovers after the spike
	./load_test.sh spike
load-all: up ## basic, cache, stress and spike in turn, one combined verdict
	./load_test.sh all
load-breakpoint: up ## how much can it take: arrivals 50/s -> 3000/s until p95 > 500 ms or failures > 1%; the knee
	./load_test.sh breakpoint
load-scaling: up ## does scaling out help: the breakpoint at 1..REPLICAS_MAX (default 3) replicas; scaling.json/html
	./load_test.sh scaling
load-failover: up ## failure lab: app2 killed at 30%, started at 60% (60 s); reads never fail, app2 back with its share
	./load_test.sh failover
load-redis-outage: up ## failure lab: Redis frozen 10 s, then stopped 10 s; reads stay 200, hit ratio back in 15 s
	./load_test.sh redis-outage
load-db-outage: up ## failure lab: Postgres stopped 10 s; writes fail fast (503), cached reads served, back in 5 s
	./load_test.sh db-outage
load-pool: up ## failure lab: pool exhaustion with 1 replica, 3 replicas, 3 through PgBouncer, side by side (pool.html)
	./load_test.sh pool
load-faults: up ## the failure lab: failover, redis-outage, db-outage and pool in turn, one verdict
	./load_test.sh faults
load-cpu: up ## overload lab: CPU-heavy calls beside cheap reads, without and with load shedding (cpu.html)
	./load_test.sh cpu
load-memory: up ## overload lab: 10-30 MB allocations ramping to 20 users on a 128 MB heap, without and with the guard
	./load_test.sh memory
load-cascade: up ## overload lab: the downstream slows to 2 s and 20% errors, without and with timeout+breaker+bulkhead
	./load_test.sh cascade
load-quota: up ## overload lab: clients above the gateway quota (10r/s, burst 20), without and with it (quota.html)
	./load_test.sh quota
load-overload: up ## the overload lab: cpu, memory, cascade and quota in turn, one verdict
	./load_test.sh overload
load-ingest: up ## async ingest: events ramped to TARGET_VUS (50) users; every 202 stored exactly once, drained < 60 s
	./load_test.sh ingest
load-ingest-faults: up ## async ingest with worker1 killed at 40%, started at 70% (make up WORKERS=2 first); still exactly once
	./load_test.sh ingest-faults
load-interactive: up ## the live web UI on http://127.0.0.1:8089
	./load_test.sh interactive

lint: ## check formatting and lint rules
	npm run lint

format: ## format and apply safe lint fixes
	npm run format

typecheck: ## TypeScript, strict
	npm run typecheck

bench: setup ## cached GET /api/users/:id against a bare Hono handler (see BENCHMARKS.md)
	npm run bench:api
