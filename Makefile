# The whole set-up on a fresh machine: `make demo` runs the main job, `make test` the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --quiet --constraint constraints-dev.txt
CODE := src tests $(wildcard benchmarks)

.PHONY: demo test lint format clean bench bench-quick

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.demo-installed: pyproject.toml constraints-dev.txt | $(BIN)/python
	$(PIP) --editable ".[progress,pandas,viz]"
	touch $@

$(VENV)/.dev-installed: pyproject.toml constraints-dev.txt | $(BIN)/python
	$(PIP) --editable ".[dev]"
	touch $@

demo: $(VENV)/.demo-installed
	$(BIN)/fastune demo

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

bench: $(VENV)/.dev-installed
	$(BIN)/python -m benchmarks --suite full
	$(BIN)/python -m benchmarks.pbt_bench
	$(BIN)/python -m benchmarks.gp_time
	$(BIN)/python -m benchmarks.memory
	$(BIN)/python -m benchmarks.storage_overhead
	$(BIN)/python -m benchmarks.pruner_overhead
	$(BIN)/python -m benchmarks.distributed_trial
	$(BIN)/python -m benchmarks.pruner_replay
	$(BIN)/python -m benchmarks.dl_bench
	$(BIN)/python -m benchmarks.multi_objective
	$(BIN)/python -m benchmarks.variants pruners
	$(BIN)/python -m benchmarks.variants samplers
	$(BIN)/python -m benchmarks.variants peers
	$(BIN)/python -m benchmarks.terminator
	$(BIN)/python -m benchmarks.lightgbm_tuner
	$(BIN)/python -m benchmarks readme

bench-quick: $(VENV)/.dev-installed
	$(BIN)/python -m benchmarks --suite quick

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix $(CODE)
	$(BIN)/ruff format $(CODE)

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache src/*.egg-info
