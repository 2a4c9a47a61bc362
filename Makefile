# Two entry points on a fresh machine with only Python 3.11+:
#   make study   set up .venv if missing, run the default comparison study
#   make test    set up .venv if missing, run the test suite (everything, as CI does)
#   make test-fast   the suite without the end-to-end `slow` tests (edit-test loop)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CORES ?= 2
CONFIG ?= config/config.yaml

.PHONY: study test test-fast lint paper-figures claims benchmark clean

$(BIN)/gsbench: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[workflow,test,data]"
	touch $(BIN)/gsbench

# `gsbench study run`: validates the config, prints the plan, refuses to start while another
# run holds the directory's lock, then runs snakemake with the default workflow profile.
study: $(BIN)/gsbench
	$(BIN)/gsbench study run --config $(CONFIG) --cores $(CORES)

paper-figures: $(BIN)/gsbench
	$(BIN)/snakemake --workflow-profile workflow/profiles/default --cores $(CORES) paper_figures

# --dist loadfile: a test file runs on one worker, so each study shared by the tests of a
# file (tests/conftest.py) runs once.
PYTEST := $(BIN)/python -m pytest -n $(CORES) --dist loadfile -q --durations=10

test: $(BIN)/gsbench
	$(PYTEST) tests

test-fast: $(BIN)/gsbench
	$(PYTEST) -m "not slow" tests

lint: $(BIN)/gsbench
	$(BIN)/snakemake --lint --configfile config/smoke.yaml
	$(BIN)/snakefmt --check .

claims: $(BIN)/gsbench
	$(BIN)/snakemake --workflow-profile workflow/profiles/default --cores $(CORES) claims

# Every section of the solver benchmark, the default study against the baseline commit
# included (about 30 min on 2 cores).
benchmark: $(BIN)/gsbench
	$(BIN)/python benchmarks/solvers.py --study

clean:
	rm -rf results .snakemake
