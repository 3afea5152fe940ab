# sendwise — two commands matter: `make demo` and `make test` (see README).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Demo settings (override: make demo SCALE=small)
SCALE ?= seed
SEED ?= 42
# The demo data ends here; every window is relative to it (the `as_of` var).
AS_OF ?= 2026-11-15 00:00:00
PYTEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -lt 2 ] && n=2; [ $$n -gt 4 ] && n=4; echo $$n)
DEMO_DB ?= data/sendwise.duckdb
TEST_DB ?= data/test.duckdb
LINT_DB ?= data/lint.duckdb
# a command prefix for checks that run beside the DuckDB build (`make test` sets a lower priority)
BESIDE ?=
EXPORT_DIR ?= out/schedule

export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
# no wheel cache: a CI machine once ran out of disk during the install (the cache doubles it)
export PIP_NO_CACHE_DIR := 1

.PHONY: help venv demo test lint sqlfluff dbt-test pytest bq-gate bq-check zetasql-deps rules-check clean test-scales dashboard bench-dashboard chromium world-check edge-worlds

help: ## list the targets and what they do (the comment after the double hash on each target line)
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-z0-9_-]*:.*## / {printf "  make %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): requirements.txt constraints.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip==25.3" "setuptools==80.9.0" "wheel==0.45.1"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# Node dependencies of `sendwise bq-check` (Google's ZetaSQL analyzer + evaluator, tools/zetasql),
# pinned by package-lock.json; reinstalled only when the lock changes. No npm cache is left behind.
ZETASQL_DIR := tools/zetasql
ZETASQL_STAMP := $(ZETASQL_DIR)/node_modules/.installed
$(ZETASQL_STAMP): $(ZETASQL_DIR)/package.json $(ZETASQL_DIR)/package-lock.json
	@command -v npm >/dev/null || { echo "bq-check needs Node 20 and npm on PATH" >&2; exit 2; }
	cache=$$(mktemp -d) && trap 'rm -rf "$$cache"' EXIT && \
		cd $(ZETASQL_DIR) && npm ci --cache "$$cache" --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $(ZETASQL_STAMP)

zetasql-deps: $(ZETASQL_STAMP) ## install the ZetaSQL Node bridge (npm ci, pinned by package-lock.json)

profiles.yml: profiles.example.yml
	@test -f profiles.yml || cp profiles.example.yml profiles.yml

venv: $(STAMP) profiles.yml ## set up .venv with the pinned dependencies and profiles.yml

demo: venv ## generate demo data (SCALE=seed), the daily build on DuckDB (models + data tests), export the schedules
	@# a fresh world: incremental marts must not keep rows of an earlier demo (another seed or scale)
	rm -f $(DEMO_DB) $(DEMO_DB).wal
	$(BIN)/sendwise demo-data --scale $(SCALE) --seed $(SEED) --db $(DEMO_DB) --end "$(AS_OF)"
	SENDWISE_DUCKDB_PATH=$(DEMO_DB) $(BIN)/dbt build --exclude-resource-type unit_test --vars '{as_of: "$(AS_OF)"}'
	SENDWISE_DUCKDB_PATH=$(DEMO_DB) $(BIN)/sendwise export-schedule --db $(DEMO_DB) --out $(EXPORT_DIR)
	@$(BIN)/sendwise where --db $(DEMO_DB) --export $(EXPORT_DIR)

# The BigQuery gate compiles into its own target path (target_bq) and sqlfluff into target_lint with
# its own database, so both run beside the DuckDB build (whose dbt process keeps about one core busy);
# bq-check then reuses the BigQuery compile and compares with the DuckDB build. The three installs
# (Python packages, Debian's chromium, the ZetaSQL bridge's npm packages) run side by side first.
# The DuckDB build is the longest of the three and mostly one Python thread (dbt holds the GIL), so
# the gate and sqlfluff run at a lower priority (BESIDE): they take the core the build leaves free
# instead of slowing the build (on 2 cores, sqlfluff's two processes and the gate beside an equal
# build stretched it from ~200 s to ~350 s).
test: ## every check: lint, dbt build + tests, BigQuery gate and check, project rules, pytest
	$(MAKE) --no-print-directory -j3 --output-sync=target venv chromium zetasql-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MAKE) --no-print-directory -j3 --output-sync=target dbt-test bq-gate zetasql-deps sqlfluff BESIDE="nice -n 10"
	$(MAKE) --no-print-directory bq-check BQ_CHECK_ARGS=--skip-compile
	$(MAKE) --no-print-directory rules-check pytest

lint: venv ## ruff, ruff format --check and sqlfluff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MAKE) --no-print-directory sqlfluff

# The dbt templater compiles against the DuckDB target; it needs a database with the raw tables
# (its own, so it never waits for the lock of a build on the test database).
sqlfluff: venv $(LINT_DB) ## sqlfluff lint of models, analyses and tests (dbt templater)
	DBT_TARGET_PATH=target_lint SENDWISE_DUCKDB_PATH=$(LINT_DB) $(BESIDE) $(BIN)/sqlfluff lint models analyses tests --processes 0

$(LINT_DB): $(STAMP)
	$(BIN)/sendwise demo-data --scale small --seed $(SEED) --db $(LINT_DB) --end "$(AS_OF)"

dbt-test: venv ## small demo data, then dbt build (models, data and unit tests) and docs on data/test.duckdb
	@# a fresh database: incremental models must not carry state from an earlier build (or older code)
	rm -f $(TEST_DB) $(TEST_DB).wal
	$(BIN)/sendwise demo-data --scale small --seed $(SEED) --db $(TEST_DB) --end "$(AS_OF)"
	@# unit tests of incremental models read the columns of `this`: create the tables (empty) on a fresh DB
	$(BIN)/sendwise prepare-db --db $(TEST_DB) --as-of "$(AS_OF)"
	@# the absolute path, as prepare-db passes it: the DuckDB path is part of dbt's profile, and a
	@# changed profile makes dbt parse the whole project again (~17 s of CPU) instead of reusing the parse
	SENDWISE_DUCKDB_PATH=$(abspath $(TEST_DB)) $(BIN)/dbt build --vars '{as_of: "$(AS_OF)"}'
	SENDWISE_DUCKDB_PATH=$(abspath $(TEST_DB)) $(BIN)/dbt docs generate --quiet --vars '{as_of: "$(AS_OF)"}'

# one worker per core, at least 2 and at most 4 (pytest-xdist; each end-to-end module runs a DuckDB
# build of its own, so more would only compete for memory): the end-to-end tests are mostly dbt start-up and parsing, one core each.
# --dist loadfile keeps each test module on one worker, so a module's built database is built once
# (loadgroup would group across files, but xdist 3.8 cannot rename node ids under pytest 9.2).
pytest: venv chromium ## pytest on one worker per core, 2 to 4 (after dbt-test)
	SENDWISE_DUCKDB_PATH=$(TEST_DB) $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --durations=15

# The dashboard's browser test drives Debian's chromium (Playwright, no browser download). CI runs
# as root: install it when missing (lean: no recommended packages, apt lists removed afterwards).
CHROMIUM := /usr/bin/chromium
chromium: ## install Debian's chromium for the browser test when missing (as root)
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null \
				&& apt-get clean && rm -rf /var/lib/apt/lists/*; \
		else \
			echo "note: no $(CHROMIUM); the dashboard's browser test is skipped (sudo apt-get install chromium)"; \
		fi; \
	fi

# Serve the dashboard on the demo database (read-only: a build can run while it is up).
PORT ?= 8501
dashboard: venv ## serve the dashboard on http://127.0.0.1:8501 (after make demo)
	$(BIN)/sendwise dashboard --db $(DEMO_DB) --port $(PORT)

# Render time of every dashboard page (cold and cached, median of 3) on the demo database.
bench-dashboard: venv ## render time of every dashboard page, median of 3 (after make demo)
	$(BIN)/sendwise bench-dashboard --db $(DEMO_DB) --runs 3 --csv benchmarks/dashboard.csv

bq-gate: venv ## compile every model for BigQuery offline and parse it with sqlglot
	$(BESIDE) $(BIN)/sendwise bq-gate

# ZetaSQL analyzer, plan limits, partition filters and reference-evaluator parity (after dbt-test).
BQ_CHECK_ARGS ?=
bq-check: venv zetasql-deps ## ZetaSQL analyzer, plan limits, partition filters, evaluator parity (after dbt-test)
	SENDWISE_DUCKDB_PATH=$(TEST_DB) $(BIN)/sendwise bq-check $(BQ_CHECK_ARGS)

# after dbt-test: checks target/manifest.json and the built columns in target/catalog.json.
# Fanout threshold: the evaluator's 3; a model with more leaves by design says so in its own
# YAML (meta max_leaf_children and max_leaf_children_reason, as int_fan_chat_messages does).
rules-check: venv ## project rules on the manifest and catalog (after dbt-test)
	$(BIN)/sendwise rules-check --manifest target/manifest.json --catalog target/catalog.json

clean: ## remove build outputs, databases and caches
	rm -rf target target_* logs data out .pytest_cache .ruff_cache

# Quarantine reconciliation and defect detection on every demo scale (slow: x10 is ~1M rows per table).
SCALES ?= small seed x10
test-scales: venv ## quarantine reconciliation on every demo scale (slow)
	@for scale in $(SCALES); do \
		echo "== $$scale"; \
		$(BIN)/sendwise demo-data --scale $$scale --seed $(SEED) --db data/scale_$$scale.duckdb --end "$(AS_OF)" | tail -1; \
		SENDWISE_DUCKDB_PATH=data/scale_$$scale.duckdb $(BIN)/dbt build --quiet --target-path target_scales \
			--select "resource_type:seed tag:staging quarantine_reconciliation rejected_rows" \
			--indirect-selection cautious --vars '{as_of: "$(AS_OF)"}'; \
		SENDWISE_DUCKDB_PATH=data/scale_$$scale.duckdb $(BIN)/pytest -q pytests/foundation/test_quarantine_truth.py; \
	done

# Edge-case worlds (sendwise.demo.edges: no revenue, free messages only, every page inactive, one
# page, a stale history, no facts yet): the whole DuckDB build must be green on each, and every SQL
# model must give ZetaSQL's reference evaluator the same rows (a division by zero, which DuckDB turns
# into inf, is an error there). About 2 minutes a world after the BigQuery compile.
EDGES ?= zero_revenue free_only all_inactive one_page stale no_facts
edge-worlds: venv zetasql-deps ## whole build and BigQuery parity on every edge-case world (slow)
	$(BIN)/sendwise bq-gate
	@for edge in $(EDGES); do \
		echo "== $$edge"; \
		rm -f data/edge_$$edge.duckdb data/edge_$$edge.duckdb.wal; \
		$(BIN)/sendwise demo-data --scale small --seed $(SEED) --db data/edge_$$edge.duckdb --end "$(AS_OF)" --edge $$edge | tail -1 || exit 1; \
		$(BIN)/sendwise prepare-db --db data/edge_$$edge.duckdb --as-of "$(AS_OF)" > /dev/null || exit 1; \
		SENDWISE_DUCKDB_PATH=$(abspath data)/edge_$$edge.duckdb $(BIN)/dbt build --quiet --exclude-resource-type unit_test \
			--target-path target_edge/$$edge --vars '{as_of: "$(AS_OF)"}' || exit 1; \
		$(BIN)/sendwise bq-check --skip-compile --db data/edge_$$edge.duckdb \
			--duckdb-manifest target_edge/$$edge/manifest.json > target_edge/$$edge/bq-check.log 2>&1; \
		status=$$?; grep -E '^bq-check( parity|:)' target_edge/$$edge/bq-check.log; [ $$status -eq 0 ] || exit 1; \
	done

# The demo world's calibration figures within their target ranges (docs/demo_world.md) at every scale;
# pytest checks small and seed, this also x10 (about a minute and 2 GB to generate).
world-check: venv ## demo world calibration within its target ranges at every scale
	@for scale in $(SCALES); do \
		echo "== $$scale"; \
		$(BIN)/sendwise demo-data --scale $$scale --seed $(SEED) --db data/world_$$scale.duckdb --end "$(AS_OF)" | tail -1; \
		$(BIN)/sendwise demo-data --report --check --db data/world_$$scale.duckdb | tail -1; \
	done
