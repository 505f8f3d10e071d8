# The user's verbs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help setup test lint format typecheck test-unit test-integration bench

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

setup: ## install PostgreSQL, Redis, nginx (apt, as root) and the npm dependencies
	@bash scripts/setup.sh

test: setup ## lint, type-check, then every test (unit and integration on real Postgres and Redis)
	npm run lint
	npm run typecheck
	npx --no-install vitest run

test-unit: setup ## unit tests only (no services)
	npx --no-install vitest run --project unit

test-integration: setup ## integration tests only
	npx --no-install vitest run --project integration

lint: ## check formatting and lint rules
	npm run lint

format: ## format and apply safe lint fixes
	npm run format

typecheck: ## TypeScript, strict
	npm run typecheck

bench: setup ## cached GET /api/users/:id against a bare Hono handler (see BENCHMARKS.md)
	npm run bench:api
