"""Running the real `snakemake` on a study in a temporary directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from gsbench.targets import ANALYSIS_TABLES, TABLE_FILES

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"  # settings files of the tests' short runs
PLUGINS = ROOT / "tests" / "plugins"  # the plugin methods `ridge` and `flaky`
SNAKEMAKE = Path(sys.executable).parent / "snakemake"
AGGREGATES = tuple(f"{name}.csv" for name in ANALYSIS_TABLES)  # the study's, in its order
TABLES = tuple(TABLE_FILES)  # tables/<file> of a study


def smoke_config(**overrides) -> dict:
    config = yaml.safe_load((ROOT / "config" / "smoke.yaml").read_text())
    config.update(overrides)
    return config


def data_config(name: str, **overrides) -> dict:
    """The study config tests/data/<name>.yaml, top-level keys replaced by ``overrides``."""
    config = yaml.safe_load((DATA / f"{name}.yaml").read_text())
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


def png_dpi(path: Path) -> float:
    """The resolution a PNG records (its pHYs chunk, pixels per metre), in dots per inch."""
    import struct

    data = path.read_bytes()
    at = data.index(b"pHYs")
    x, y, unit = struct.unpack(">IIB", data[at + 4:at + 13])
    assert unit == 1 and x == y, (path, x, y, unit)
    return x * 0.0254


def is_nonblank_png(path: Path) -> bool:
    import matplotlib.image as mpimg

    data = path.read_bytes()
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or len(data) < 5000:
        return False
    return float(mpimg.imread(path).std()) > 0.01


def paper_figures_tiny_settings() -> dict:
    """config/paper_figures.yaml cut to just enough to exercise every output of the paper
    figures (a few seconds), drawn at 50 dpi."""
    from gsbench import paper_figures as pf

    s = pf.load_settings(ROOT / "config" / "paper_figures.yaml")
    for fig in pf.FIGURES:
        s[fig].update(iterations=300, plot_iterations=400, stride=10)
    s["fig4"]["robustness_repetitions"] = 2
    s["fig4"]["authors"].update(iterations=300, plot_iterations=400)
    s["fig5"]["repetitions"] = 3
    s["plot"].update(dpi=50, max_points=60)
    return s
