# Two entry points on a fresh machine with only Python 3.11+:
#   make study   set up .venv if missing, run the default comparison study
#   make test    set up .venv if missing, run the library's tests (tests/unit: no Snakemake run)
#   make test-workflow   tests/workflow: real Snakemake runs and the study CLI (CI runs both)
#   make test-fast   tests/unit without its `slow` tests (edit-test loop)
#   make docs    the documentation site (docs/, mkdocs.yml) into build/site, warnings as errors
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CORES ?= 2
CONFIG ?= config/config.yaml

.PHONY: study test test-workflow test-fast lint docs paper-figures claims benchmark clean

$(BIN)/gsbench: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[workflow,test,docs,data]"
	touch $(BIN)/gsbench

# `gsbench study run`: validates the config, prints the plan, refuses to start while another
# run holds the directory's lock, then runs snakemake with the default workflow profile.
study: $(BIN)/gsbench
	$(BIN)/gsbench study run --config $(CONFIG) --cores $(CORES)

paper-figures: $(BIN)/gsbench
	$(BIN)/snakemake --workflow-profile workflow/profiles/default --cores $(CORES) paper_figures

# tests/unit: the library, no Snakemake run; tests/workflow: real Snakemake runs, studies and
# the CLI study runner. --dist loadfile: a test file runs on one worker, so each study shared
# by the tests of a file (tests/workflow/conftest.py) runs once. The test runs write bytecode
# caches (__pycache__/, git-ignored) even where PYTHONDONTWRITEBYTECODE is set, so that a
# second run reuses them: each pytest worker otherwise compiles the package and rewrites the
# asserts of every test module again (collecting tests/unit: 7.4-8.5 s, with caches 4.6-4.8 s).
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -n $(CORES) --dist loadfile -q --durations=10

test: $(BIN)/gsbench
	$(PYTEST) tests/unit

test-workflow: $(BIN)/gsbench
	$(PYTEST) tests/workflow

test-fast: $(BIN)/gsbench
	$(PYTEST) -m "not slow" tests/unit

lint: $(BIN)/gsbench
	$(BIN)/snakemake --lint --configfile config/smoke.yaml
	$(BIN)/snakefmt --check .

docs: $(BIN)/gsbench
	$(BIN)/mkdocs build --strict --quiet

claims: $(BIN)/gsbench
	$(BIN)/snakemake --workflow-profile workflow/profiles/default --cores $(CORES) claims

# The solver benchmarks, one script each, into benchmarks/results/solvers.json (about 20 min
# on 2 cores). BASELINE=<commit> adds the default study and the group-lasso path against
# that commit (a git worktree of it).
BENCHMARKS := iteration_cost group_lasso_backends float32_cost sweep_cost
benchmark: $(BIN)/gsbench
	for b in $(BENCHMARKS); do $(BIN)/python benchmarks/$$b.py || exit 1; done
	$(BIN)/python benchmarks/group_lasso_path.py $(if $(BASELINE),--baseline $(BASELINE))
	$(if $(BASELINE),$(BIN)/python benchmarks/study_time.py --baseline $(BASELINE))

clean:
	rm -rf results .snakemake build
