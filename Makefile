# Two entry points (see README): `make reproduce` and `make test`.
# `make reproduce` creates .venv with the runtime pins only (requirements.lock);
# `make test` adds the test and lint tools (requirements-dev.lock).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEV    := $(VENV)/.installed-dev

AXE    := tests/browser/node_modules/axe-core/axe.min.js

.PHONY: setup setup-dev reproduce test lint typecheck unit bench clean

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

setup-dev: $(DEV)

$(DEV): $(STAMP) requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	touch $(DEV)

reproduce: setup
	$(BIN)/peervalue reproduce

lint: setup-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: setup-dev
	$(BIN)/mypy

# axe-core (the browser tests' accessibility check) from the npm registry, at the version in
# tests/browser/package-lock.json; without npm the browser tests skip it (CI installs npm).
$(AXE): tests/browser/package-lock.json
	if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error && touch $(AXE); fi

# pytest exits 5 when it collects no tests; make treats any non-zero exit as failure.
unit: setup-dev $(AXE)
	$(BIN)/pytest

test: lint typecheck unit

# Start-up of whole commands against `python -c pass`, then Monte Carlo time and memory
# against a random-number floor and a naive loop, then the JSON API under load with 1 and
# 2 uvicorn workers against an in-process run and an HTTP floor, then GET /api/v1/evidence
# with 3,000 slow-body connections open against the same reads without them (about six
# minutes).
bench: setup
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/psa.py
	$(BIN)/python benchmarks/report.py
	$(BIN)/python benchmarks/workbook.py
	$(BIN)/python benchmarks/web.py
	$(BIN)/python benchmarks/synthesis.py
	$(BIN)/python benchmarks/evsi.py
	$(BIN)/python benchmarks/slow_clients.py

clean:
	rm -rf $(VENV) build src/*.egg-info .mypy_cache .ruff_cache .pytest_cache .hypothesis \
		tests/browser/node_modules
