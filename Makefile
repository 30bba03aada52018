# Everything a contributor or CI runs goes through these targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: test lint typecheck unit docs install demo fuzz bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"

# Reinstall when the pins or the package metadata change.
$(STAMP): $(BIN)/python requirements-test.txt pyproject.toml
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	$(BIN)/python -m pip install --quiet --no-build-isolation -e ".[testing]"
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check cognito_jwt

typecheck: $(STAMP)
	$(BIN)/mypy --strict cognito_jwt tests examples

unit: $(STAMP)
	$(BIN)/python -m pytest

# NO_MKDOCS_2_WARNING: the theme's banner about its successor, printed on every build.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir $(VENV)/site

test: lint typecheck docs unit

# Property-based fuzzing at depth: 5 properties x 4000 fresh random examples (20,000 in all).
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/security/test_fuzz.py -q

# The library end to end, offline: a fake pool over loopback HTTP, tokens verified and refused.
demo: $(STAMP)
	$(BIN)/cognito-jwt demo

# Side-by-side timing against the peers pinned in benchmarks/requirements.txt (never a
# dependency of the library, never part of `make test`). BENCH_ARGS=--quick for a short run.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -r benchmarks/requirements.txt
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build dist .mypy_cache .pytest_cache .ruff_cache
