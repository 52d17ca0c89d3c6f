# communique — the two commands of the README are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run services services-down test test-unit lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## the main job: local Redis + Elasticsearch if missing, templates, worker + beat on config/feeds.yaml
run: install
	$(BIN)/communique run

services: install
	$(BIN)/communique services up

services-down: install
	$(BIN)/communique services down

## the whole test suite against real local Redis and Elasticsearch (started if missing)
test: install
	$(BIN)/communique services up
	$(BIN)/pytest

test-unit: install
	$(BIN)/pytest tests/unit

lint: install
	$(BIN)/ruff check pipeline workers tests benchmarks scripts
	$(BIN)/ruff format --check pipeline workers tests benchmarks scripts
	$(BIN)/mypy

bench: install
	$(BIN)/python benchmarks/quality.py
	$(BIN)/python benchmarks/extraction.py
	$(BIN)/python benchmarks/actors.py
	$(BIN)/python benchmarks/polling.py
	$(BIN)/python benchmarks/poll_task.py
	$(BIN)/python benchmarks/merge.py
	$(BIN)/python benchmarks/store.py
	$(BIN)/python benchmarks/e2e.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
