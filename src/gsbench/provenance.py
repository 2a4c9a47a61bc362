"""Where a study's numbers came from: ``results/<study>/provenance.json`` and its one line.

:func:`collect` records the software (gsbench's version, the checkout's commit and whether it
had uncommitted changes, Python, NumPy, SciPy, pandas, Snakemake), the machine (BLAS library
and threads, CPU model, cores, OS), the validated config and its SHA-256, the executor, and
per method its registry name, parameters and code key (:mod:`gsbench.study.fingerprint`). The
workflow writes it when a run starts and completes it when the run ends
(:func:`start_study`, :func:`finish_study`), adding what the fit files themselves record:
per method the code keys of the fits aggregated (more than one only with
``allow_code_changes``). :func:`provenance_line` is the line that opens ``verdict.md`` and
the other reports.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from .atomic import write_text

#: Packages whose versions a study records.
PACKAGES: tuple[str, ...] = ("gsbench", "numpy", "scipy", "pandas", "snakemake", "scikit-learn")


def _version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def git_state(where: str | os.PathLike | None = None) -> dict[str, Any]:
    """``{"commit": <sha or None>, "dirty": <bool or None>}`` of the git checkout holding
    `where` (the gsbench package's directory by default); None outside a checkout."""
    where = Path(where) if where is not None else Path(__file__).resolve().parent

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", "-C", str(where), *args], capture_output=True, text=True,
                                 timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return {"commit": None, "dirty": None}
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _blas() -> list[dict[str, Any]]:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    return [{"library": info.get("internal_api"), "version": info.get("version"),
             "threads": info.get("num_threads"), "architecture": info.get("architecture")}
            for info in threadpool_info() if info.get("user_api") == "blas"]  # fmt: skip


def _software() -> dict[str, Any]:
    """What every provenance record holds: package versions, the checkout, the machine."""
    return {
        "versions": {name: _version(name) for name in PACKAGES} | {"python": platform.python_version()},
        "git": git_state(),
        "machine": {"cpu": _cpu_model(), "cores": os.cpu_count(), "os": platform.platform(),
                    "blas": _blas()},
    }  # fmt: skip


def config_hash(config: dict) -> str:
    """SHA-256 of the validated config as canonical JSON."""
    from .study.fingerprint import canonical_json

    return hashlib.sha256(canonical_json(config).encode()).hexdigest()


def collect(config: dict, executor: str = "local") -> dict[str, Any]:
    """The provenance of a study run of the validated `config` under `executor`."""
    from .study.fingerprint import analysis_fingerprint, method_fingerprints

    return {
        "study": config["study"],
        **_software(),
        "executor": executor,
        "config": config,
        "config_sha256": config_hash(config),
        "methods": method_fingerprints(config),
        "analysis_code": analysis_fingerprint(),
        "started": None,
        "finished": None,
        "status": None,
        "fits": {},
    }  # fmt: skip


def fits_record(trials_path: str | os.PathLike) -> dict[str, dict[str, int]]:
    """Per method, the code keys of the fits in a per-trial table and their row counts."""
    import pandas as pd

    trials = pd.read_parquet(trials_path, columns=["method", "code_key"])
    counts = trials.groupby(["method", "code_key"], sort=True).size()
    out: dict[str, dict[str, int]] = {}
    for (method, code), count in counts.items():
        out.setdefault(str(method), {})[str(code)] = int(count)
    return out


def _write_json(path: str | os.PathLike, data: dict) -> None:
    write_text(path, json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


def start_study(path: str | os.PathLike, config: dict, executor: str = "local") -> dict:
    """Write `path` (``provenance.json``) as a run of `config` starts."""
    record = collect(config, executor) | {"started": _now(), "status": "running"}
    _write_json(path, record)
    _write_line(path, provenance_line(config))
    return record


def finish_study(path: str | os.PathLike, status: str, trials_path: str | os.PathLike | None = None) -> dict:
    """Complete `path` as the run ends (``status``: "complete" or "failed"), adding the code
    keys of the aggregated fits when `trials_path` exists."""
    record = json.loads(Path(path).read_text())
    record.update(finished=_now(), status=status)
    if trials_path is not None and Path(trials_path).exists():
        record["fits"] = fits_record(trials_path)
    _write_json(path, record)
    _write_line(path, provenance_line(record["config"], record["fits"] or None))
    return record


def line_path(path: str | os.PathLike) -> Path:
    """Where the provenance line of ``provenance.json`` at `path` is kept as text
    (``provenance.txt`` beside it; the HTML report includes it)."""
    return Path(path).with_suffix(".txt")


def _write_line(path: str | os.PathLike, line: str) -> None:
    write_text(line_path(path), line + "\n")


def provenance_line(config: dict, fits: dict[str, dict[str, int]] | None = None) -> str:
    """One line: gsbench's version and commit, the config's hash and each method's code key
    (with `fits`, those of the fits aggregated, naming mixed code versions)."""
    from .study.fingerprint import method_fingerprints

    if fits:
        codes = ", ".join(f"{m} {'+'.join(sorted(c))}" + (" (MIXED CODE VERSIONS)" if len(c) > 1 else "")
                          for m, c in sorted(fits.items()))  # fmt: skip
    else:
        known = method_fingerprints(config) if config.get("methods") else {}
        codes = ", ".join(f"{m} {f['code']}" for m, f in known.items()) or "none"
    return _line(f"config sha256 {config_hash(config)[:12]}", codes)


def settings_provenance_line(settings: dict, source: str | os.PathLike | None = None) -> str:
    """The provenance line of a report made from a settings mapping (claims, paper figures,
    read from the file `source`): the settings' SHA-256 (canonical JSON) and the code keys of
    the registered methods they name."""
    from .study.fingerprint import canonical_json, code_fingerprint

    digest = hashlib.sha256(canonical_json(settings).encode()).hexdigest()[:12]
    methods = _registered_names(settings)
    codes = ", ".join(f"{m} {code_fingerprint(m)['key']}" for m in methods) or "none"
    name = f"settings {Path(source).name}" if source else "settings"
    return _line(f"{name} sha256 {digest}", codes)


def _registered_names(settings) -> list[str]:
    """The registered method names (the ``sklearn`` adapter aside) anywhere in a settings
    mapping, as keys or values, sorted."""
    from .methods import REGISTRY

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for key, item in value.items():
                yield from strings(key)
                yield from strings(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                yield from strings(item)

    return sorted({s for s in strings(settings) if s in REGISTRY and s != "sklearn"})


def _line(source: str, codes: str) -> str:
    git = git_state()
    commit = "not a git checkout" if git["commit"] is None else (
        f"commit {git['commit'][:10]}" + (" with uncommitted changes" if git["dirty"] else ""))
    return (f"Provenance: gsbench {_version('gsbench')} ({commit}), {source}, method code keys: "
            f"{codes}; generated {_now()}.")


def main_executor(workflow) -> str:
    """The executor of a Snakemake workflow object (``local``, ``slurm``, ...)."""
    plugin = getattr(workflow, "executor_plugin", None)
    return str(getattr(plugin, "name", None) or "local")


def settings_record(settings: dict, source: str | os.PathLike | None = None) -> dict[str, Any]:
    """The provenance of a report made from a settings mapping (the real-design and noisy
    studies): software, machine, the settings and their SHA-256, and per registered method
    they name its code key (the ``methods`` of a study's record, so one check reads both)."""
    from .study.fingerprint import canonical_json, code_fingerprint

    methods = _registered_names(settings)
    return {
        **_software(),
        "settings_file": str(source) if source else None,
        "settings": settings,
        "settings_sha256": hashlib.sha256(canonical_json(settings).encode()).hexdigest(),
        "methods": {m: {"method": m, "preset": None, "params": "{}",
                        "code": code_fingerprint(m)["key"]} for m in methods},
        "finished": _now(),
        "status": "complete",
    }  # fmt: skip


def write_settings_record(path: str | os.PathLike, settings: dict,
                          source: str | os.PathLike | None = None) -> dict:
    """Write :func:`settings_record` to `path` (``provenance.json``)."""
    record = settings_record(settings, source)
    _write_json(path, record)
    return record
