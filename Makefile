# DSAR Reviewer: the two front-door commands are `make run` and `make test`.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := .demo
# Bytecode caches are written (into __pycache__/, which git ignores) even where the environment
# asks Python not to: otherwise every process the suite starts compiles the package again.
unexport PYTHONDONTWRITEBYTECODE
# Test workers: twice the processors, at least 4 and at most 16. Many tests wait on the
# clock (recordings play in real time, processes are killed and restarted), so more workers
# than processors keep every processor busy; each worker has its own stores and database.
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print(min(16, max(4, 2 * (os.cpu_count() or 1))))')

.PHONY: install run test lint typecheck contracts pytest samples bench demo clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "error: Python 3.11 or newer is needed (python3.11+ on PATH)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,postgres]'
	@if $(BIN)/python tools/has_alsa.py; then \
		$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[audio]' || echo "note: simpleaudio failed to build; the app runs without audio playback"; \
	else \
		echo "note: ALSA headers (libasound2-dev) not found: installing without simpleaudio; the app runs without audio playback"; \
	fi
	@touch $(STAMP)

run: install
	$(BIN)/python -m reviewer.demo --dir $(DEMO)
	$(BIN)/reviewer --db sqlite:///$(abspath $(DEMO))/reviewer.db

# The quick checks first; then mypy beside the suite (the suite leaves part of a processor
# idle while its tests wait on the clock), each line of output whole.
test: install lint contracts
	@$(MAKE) --no-print-directory -j2 --output-sync=line typecheck pytest

lint: install
	$(BIN)/ruff check reviewer tests benchmarks tools sample_archives/build.py
	$(BIN)/ruff format --check reviewer tests benchmarks tools sample_archives/build.py

typecheck: install
	$(BIN)/mypy

contracts: install
	$(BIN)/lint-imports

pytest: install
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist load --maxschedchunk 1

samples: install
	$(BIN)/python sample_archives/build.py

bench: install
	$(BIN)/python benchmarks/bench_check.py

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .mypy_cache .ruff_cache
