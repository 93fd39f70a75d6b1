# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench bench-quick clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,postgres]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/trainer tui

test: $(STAMP)
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

clean:
	rm -rf $(VENV) build *.egg-info
