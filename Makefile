# vetplan — `make run` serves the app with the sample region; `make test` runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8501

.PHONY: run test setup setup-test lint bench sample docs clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "vetplan needs Python >= 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,dev]"
	touch $@ $(VENV)/.installed-run

setup: $(VENV)/.installed-run
setup-test: $(VENV)/.installed-test

## Serve the app on localhost:$(PORT); creates the database and loads the sample region when it is empty.
run: setup
	$(BIN)/vetplan init --sample
	@echo "Sign in at http://localhost:$(PORT) with a demo user printed above (shown once, when the database was created)."
	@echo "Lost a password? $(BIN)/vetplan user passwd admin   (or: $(BIN)/vetplan user add NAME --role analyst)"
	$(BIN)/streamlit run app.py --server.address localhost --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

## The whole suite: unit, property, known-answer, AppTest and real-browser tests.
test: setup-test
	$(BIN)/python -m pytest

lint: setup-test
	$(BIN)/ruff check .
	$(BIN)/mypy skills optimisation pages app.py

bench: setup-test
	$(BIN)/python bench/solve.py --tiers S M L
	$(BIN)/python bench/gaps.py
	$(BIN)/python bench/mapping.py
	$(BIN)/python bench/mapping.py --labelled tests/data/mapping_heldout.csv
	$(BIN)/python bench/mapping.py --labelled tests/data/mapping_test.csv
	if [ -d ../shared/reference/lsip-wnycc ]; then $(BIN)/python bench/mapping.py --lsip test; fi

## Regenerate data/sample from the seeded generator, and docs/data-formats.md from the schemas.
sample: setup
	$(BIN)/python -m skills.sample
docs: setup
	$(BIN)/python -m skills.docs > docs/data-formats.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache var
