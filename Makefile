# Two entry points on a fresh machine with only Python 3.11+:
#   make study   set up .venv if missing, run the default comparison study
#   make test    set up .venv if missing, run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CORES ?= 2
CONFIG ?= config/config.yaml

.PHONY: study test lint paper-figures claims benchmark clean

$(BIN)/gsbench: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[workflow,test]"
	touch $(BIN)/gsbench

study: $(BIN)/gsbench
	$(BIN)/snakemake --workflow-profile workflow/profiles/default --cores $(CORES) --configfile $(CONFIG)

paper-figures: $(BIN)/gsbench
	$(BIN)/snakemake --workflow-profile workflow/profiles/default --cores $(CORES) paper_figures

test: $(BIN)/gsbench
	$(BIN)/python -m pytest -n $(CORES) --dist loadfile -q tests

lint: $(BIN)/gsbench
	$(BIN)/snakemake --lint --configfile config/smoke.yaml
	$(BIN)/snakefmt --check .

claims: $(BIN)/gsbench
	$(BIN)/snakemake --workflow-profile workflow/profiles/default --cores $(CORES) claims

benchmark: $(BIN)/gsbench
	$(BIN)/python benchmarks/solvers.py

clean:
	rm -rf results .snakemake
