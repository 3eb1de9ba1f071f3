# Two commands work on a fresh machine: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: run test serve worker lint bench bundle clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/order-desk

serve: $(VENV)/.installed
	$(BIN)/order-desk serve

worker: $(VENV)/.installed
	$(BIN)/order-desk worker

test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

# A one-folder build that runs without Python: dist/order-desk/order-desk (docs/DEPLOY.md).
bundle: $(VENV)/.installed-dev
	$(BIN)/pyinstaller --noconfirm build.spec
	dist/order-desk/order-desk --version

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
