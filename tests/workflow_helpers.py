"""Running the real `snakemake` on a study in a temporary directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).parent / "snakemake"
AGGREGATES = ("summary.csv", "transitions.csv", "scaling.csv")
TABLES = ("transitions.tex", "transitions.md", "scaling.tex", "scaling.md")


def smoke_config(**overrides) -> dict:
    config = yaml.safe_load((ROOT / "config" / "smoke.yaml").read_text())
    config.update(overrides)
    return config


def write_config(directory: Path, config: dict, name: str = "config.yaml") -> Path:
    path = directory / name
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def table_targets(study: str = "smoke") -> list[str]:
    """The study's data outputs without its figures: trials, aggregates and tables (paths
    relative to the study's working directory, as Snakemake targets)."""
    out = f"results/{study}"
    return ([f"{out}/trials.parquet"] + [f"{out}/{name}" for name in AGGREGATES]
            + [f"{out}/tables/{name}" for name in TABLES])


def snakemake_command(directory: Path, configfile: Path, *extra: str, cores: int = 1) -> list[str]:
    return [str(SNAKEMAKE), "--snakefile", str(ROOT / "Snakefile"), "--directory", str(directory),
            "--configfile", str(configfile), "--cores", str(cores), *extra]


def snakemake(directory: Path, configfile: Path, *extra: str, cores: int = 1, env=None,
              check: bool = True, **kw) -> subprocess.CompletedProcess:
    """Run snakemake on one core unless the core count is what a test is about."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run(snakemake_command(directory, configfile, *extra, cores=cores),
                          capture_output=True, text=True, env=full_env, **kw)
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return proc


def is_nonblank_png(path: Path) -> bool:
    import matplotlib.image as mpimg

    data = path.read_bytes()
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or len(data) < 5000:
        return False
    return float(mpimg.imread(path).std()) > 0.01
