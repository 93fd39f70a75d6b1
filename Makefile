# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench bench-quick load load-quick clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,postgres]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/trainer tui

# Partners' own verifier (Node.js), for the badge tests; skipped where npm is absent.
NODE_STAMP := tests/node/node_modules/.installed
$(NODE_STAMP): tests/node/package-lock.json
	if command -v npm >/dev/null; then npm ci --prefix tests/node --no-audit --no-fund --silent && touch $@; fi

test: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest -q

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
