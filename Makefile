# GGZY: the two commands are `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
export GGZY_VAR_DIR ?= $(CURDIR)/var

.PHONY: run test test-fast test-browser lint check install bench clean serve

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/ggzy migrate --no-input -v0
	$(BIN)/ggzy demo load
	$(BIN)/ggzy serve

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports
	GGZY_ENV=test $(BIN)/ggzy makemigrations --check --dry-run

test: lint
	GGZY_ENV=test $(BIN)/pytest -m "not browser" -n 2 $(PYTEST_ARGS)

test-fast: install
	GGZY_ENV=test $(BIN)/pytest -m "not browser" -x -q $(PYTEST_ARGS)

test-browser: install
	GGZY_ENV=test $(BIN)/pytest -m browser $(PYTEST_ARGS)

bench: install
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) var/ggzy.sqlite3*
