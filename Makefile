# Two entry points (see README): `make reproduce` and `make test`.
# Both create .venv from the exact pins in requirements.lock on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup reproduce test lint typecheck unit bench clean

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

reproduce: setup
	$(BIN)/peervalue reproduce

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: setup
	$(BIN)/mypy

# pytest exits 5 when it collects no tests; make treats any non-zero exit as failure.
unit: setup
	$(BIN)/pytest

test: lint typecheck unit

# Monte Carlo timing and memory against baselines measured in the same run (about a minute).
bench: setup
	$(BIN)/python benchmarks/psa.py

clean:
	rm -rf $(VENV) build src/*.egg-info .mypy_cache .ruff_cache .pytest_cache .hypothesis
