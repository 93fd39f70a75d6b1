# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Every dependency of the extras the checks need, pinned with hashes: a fresh machine
# gets the versions the tests passed with. `make lock` regenerates it from pyproject.toml.
LOCK := requirements.lock
LINTED := trainer db screens tests .ci

.PHONY: run test lint lock bench bench-quick load load-quick clean

# Re-installs when pyproject.toml or the lock changes; the project itself goes in
# without dependencies, so nothing but the lock decides a version.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/trainer tui

# Partners' own verifier (Node.js), for the badge tests; skipped where npm is absent.
NODE_STAMP := tests/node/node_modules/.installed
$(NODE_STAMP): tests/node/package-lock.json
	if command -v npm >/dev/null; then npm ci --prefix tests/node --no-audit --no-fund --silent && touch $@; fi

test: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest -q

# The lock in step with pyproject.toml, ruff (lint and format) and mypy (config in
# pyproject.toml); any finding fails.
lint: $(STAMP)
	$(BIN)/python .ci/check_lock.py
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy

# Keeps the pins already in the lock unless pyproject.toml needs otherwise;
# LOCK_ARGS=--upgrade moves everything to the newest allowed release.
lock: $(STAMP)
	$(BIN)/uv pip compile --quiet pyproject.toml --extra test --extra postgres --extra dev \
		--generate-hashes --python-version 3.11 --custom-compile-command "make lock" \
		$(LOCK_ARGS) -o $(LOCK)

# Every speed and memory target at full scale (250,000 trainees; builds bench/data/full.db
# with `trainer demo --scale full` the first time, minutes). Table printed, JSON in bench/results/.
# TRAINER_BENCH_DATABASE_URL=postgresql://... runs it against PostgreSQL.
bench: $(STAMP)
	$(BIN)/python -m tests.bench.run --scale full $(BENCH_ARGS)

# The same code at 10,000 trainees in about two minutes (CI), guarded: exits 1 naming each row worse
# than 3x its target or losing to its baseline (tests/bench/guards.py); the table itself informs.
bench-quick: $(STAMP)
	$(BIN)/python -m tests.bench.run --scale quick $(BENCH_ARGS)

# Many clerks at once: 20 processes against PostgreSQL (TRAINER_LOAD_DATABASE_URL, else
# TRAINER_TEST_DATABASE_URL; a <name>_load database is made beside it) and 5 against one
# SQLite file, 60 s each; every acknowledged write checked afterwards (tests/load/run.py).
load: $(STAMP)
	$(BIN)/python -m tests.load.run $(LOAD_ARGS)

# The same for 10 seconds (CI): correctness enforced, times reported.
load-quick: $(STAMP)
	$(BIN)/python -m tests.load.run --quick $(LOAD_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
