"""A comparison study: configuration -> cells -> jobs -> per-trial Parquet rows.

* :mod:`.config` -- :func:`load_config` validates a configuration and fills its defaults.
* :mod:`.cells` -- :func:`expand_cells` takes the cartesian product of the grid, skipping
  impossible cells; a :class:`Cell` draws its trials' problems from derived seeds.
* :mod:`.chunks` -- :func:`chunk_cells` spreads the cells over ``jobs_per_method`` jobs of
  balanced cost; :func:`run_chunk` is one workflow job.
* :mod:`.plan` -- fits, jobs, rough time/disk/memory of a study; refusals (:func:`check_plan`).
* :mod:`.io` -- atomic Parquet/CSV writes, checksums, schema-checked :func:`read_trials`.
* :mod:`.cli` -- ``gsbench study ...`` subcommands.
"""

from .cells import CELL_FIELDS, Cell, expand_cells, impossible_reason, warn_skipped
from .chunks import cell_rows, chunk_cells, run_chunk
from .cli import add_study_commands
from .config import (
    SCHEMA_PATH,
    ConfigError,
    import_plugins,
    load_config,
    method_specs,
    read_yaml,
)
from .io import (
    ROW_SCHEMA,
    ResultsSchemaError,
    check_results_file,
    check_results_files,
    checksum_path,
    conform,
    read_fits,
    read_trials,
    write_checksum,
    write_table_atomic,
)
from .plan import StudyPlan, check_plan, describe, plan_study

__all__ = [
    "CELL_FIELDS", "Cell", "ConfigError", "ROW_SCHEMA", "ResultsSchemaError", "SCHEMA_PATH",
    "StudyPlan", "add_study_commands", "cell_rows", "check_plan", "check_results_file",
    "check_results_files", "checksum_path", "chunk_cells", "conform", "describe",
    "expand_cells", "impossible_reason", "import_plugins", "load_config", "method_specs",
    "plan_study", "read_fits", "read_trials", "read_yaml", "run_chunk", "warn_skipped", "write_checksum",
    "write_table_atomic",
]  # fmt: skip
