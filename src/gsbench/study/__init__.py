"""A comparison study: configuration -> cells -> jobs -> per-trial Parquet rows.

* :mod:`.config` -- :func:`load_config` validates a configuration and fills its defaults.
* :mod:`.cells` -- :func:`expand_cells` takes the cartesian product of the grid, skipping
  impossible cells; a :class:`Cell` draws its trials' problems from derived seeds.
* :mod:`.chunks` -- :func:`chunk_cells` spreads the cells over ``jobs_per_method`` jobs of
  balanced cost; :func:`run_chunk` is one workflow job.
* :mod:`.plan` -- fits, jobs, rough time/disk/memory of a study; refusals (:func:`check_plan`).
* :mod:`.io` -- atomic Parquet/CSV writes, checksums, schema-checked :func:`read_trials`.
* :mod:`.cli` -- ``gsbench study ...`` subcommands.

Every name of ``__all__`` is importable from the package (``from gsbench.study import load_config``);
each is imported from its module on first use, so that a workflow job importing, say,
:mod:`.io` does not import the estimators.
"""

from ..lazy_imports import lazy_exports

# The function has its module's name: imported here (a light module), so that the package
# attribute is the function, not the submodule that a later import would bind.
from .method_specs import method_specs

# public name -> module that defines it
_EXPORTS = {
    "CELL_FIELDS": ".cells",
    "Cell": ".cells",
    "expand_cells": ".cells",
    "impossible_reason": ".cells",
    "warn_skipped": ".cells",
    "cell_rows": ".chunks",
    "chunk_cells": ".chunks",
    "run_chunk": ".chunks",
    "add_study_commands": ".cli",
    "SCHEMA_PATH": ".config",
    "ConfigError": ".config",
    "import_plugins": ".config",
    "load_config": ".config",
    "read_yaml": ".config",
    "ROW_SCHEMA": ".io",
    "ResultsSchemaError": ".io",
    "check_results_file": ".io",
    "check_results_files": ".io",
    "checksum_path": ".io",
    "conform": ".io",
    "read_fits": ".io",
    "read_trials": ".io",
    "write_checksum": ".io",
    "write_table_atomic": ".io",
    "StudyPlan": ".plan",
    "check_plan": ".plan",
    "describe": ".plan",
    "plan_study": ".plan",
}

__all__ = sorted([*_EXPORTS, "method_specs"])

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)
