# Two commands work on a fresh machine: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=
I18N := resources/i18n
QM := $(patsubst %.ts,%.qm,$(wildcard $(I18N)/*.ts))

.PHONY: run test serve worker lint bench bundle i18n clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed $(QM)
	$(BIN)/order-desk

serve: $(VENV)/.installed
	$(BIN)/order-desk serve

worker: $(VENV)/.installed
	$(BIN)/order-desk worker

test: $(VENV)/.installed-dev $(QM)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmarks print figures (docs/BENCHMARKS.md); they never assert timings. Not part of `make test`.
# compileall first: the workflow sandbox imports each workflow module afresh for every run, and without a
# current .pyc (PYTHONDONTWRITEBYTECODE set, sources edited since) it compiles the source every time.
bench: $(VENV)/.installed-dev $(QM)
	$(BIN)/python -m compileall -q workflows activities core bench desktop
	$(BIN)/python -m bench.throughput --paths raw,app,rest,seed
	$(BIN)/python -m bench.latency
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench.change_to_screen
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench.gui
	$(BIN)/python -m bench.desk_footprint  # on $$DISPLAY (Xvfb + a window manager), else offscreen
	$(BIN)/python -m bench.ledger
	$(BIN)/python -m bench.sqlite_pragmas

# Mutation testing (docs/TESTING.md): each listed mutant of the workflow, the ledger and the service's decision
# path is applied to a copy of the tree and run against the tests that should catch it; prints killed/survived.
# Takes about half an hour; not part of `make test`. `make mutate MUTANTS="loop- ledger-"` runs some of them.
.PHONY: mutate
mutate: $(VENV)/.installed-dev
	$(BIN)/python -m tests.mutation $(MUTANTS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

# Translation catalogues: pyside6-lrelease compiles each resources/i18n/*.ts to the .qm the desk loads (not committed).
$(I18N)/%.qm: $(I18N)/%.ts | $(VENV)/.installed
	$(BIN)/pyside6-lrelease -silent $< -qm $@

# After changing texts in desktop/: adds new strings to the Vietnamese catalogue and drops gone ones; translate the new ones.
i18n: $(VENV)/.installed
	$(BIN)/pyside6-lupdate desktop/*.py -ts $(I18N)/order_desk_vi.ts -locations none -no-obsolete

# A one-folder build that runs without Python: dist/order-desk/order-desk (docs/DEPLOY.md).
bundle: $(VENV)/.installed-dev $(QM)
	$(BIN)/pyinstaller --noconfirm build.spec
	dist/order-desk/order-desk --version

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache $(I18N)/*.qm
