# The two commands: `make run` (set up + start the app) and `make test` (set up + run every test).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test setup setup-dev lint

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip wheel

setup: $(BIN)/python
	$(BIN)/pip install -q -e ".[llm]"

setup-dev: $(BIN)/python
	$(BIN)/pip install -q "torch==2.13.0"
	$(BIN)/pip install -q -e ".[llm,torch,dev]"

run: setup
	$(BIN)/batchrag serve

test: setup-dev
	$(BIN)/ruff check src tests scripts app bench
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -ra
