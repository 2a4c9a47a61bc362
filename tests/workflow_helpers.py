"""Running the real `snakemake` on a study in a temporary directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).parent / "snakemake"


def smoke_config(**overrides) -> dict:
    config = yaml.safe_load((ROOT / "config" / "smoke.yaml").read_text())
    config.update(overrides)
    return config


def write_config(directory: Path, config: dict, name: str = "config.yaml") -> Path:
    path = directory / name
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def snakemake(directory: Path, configfile: Path, *extra: str, cores: int = 2, env=None,
              check: bool = True, **kw) -> subprocess.CompletedProcess:
    cmd = [str(SNAKEMAKE), "--snakefile", str(ROOT / "Snakefile"), "--directory", str(directory),
           "--configfile", str(configfile), "--cores", str(cores), *extra]
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=full_env, **kw)
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return proc


def is_nonblank_png(path: Path) -> bool:
    import matplotlib.image as mpimg

    data = path.read_bytes()
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or len(data) < 5000:
        return False
    return float(mpimg.imread(path).std()) > 0.01
