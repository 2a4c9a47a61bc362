"""One checked claim: the record every claim module returns, and its JSON form.

Same shape as the verdict record of ``gsbench.verdict`` (statement, setting, measured value
with interval, criterion, verdict), plus the source, the reason and the run counts; the
lead may swap one for the other at merge.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

VERDICTS = ("agrees", "partly", "disagrees", "inconclusive")


@dataclass(frozen=True)
class Measure:
    """A measured number with its 95% interval (bootstrap over trials)."""

    label: str
    value: float
    low: float
    high: float

    def text(self, fmt: str = ".3g") -> str:
        if not math.isfinite(self.value):
            return f"{self.label}: n/a"
        return f"{self.label}: {self.value:{fmt}} [{self.low:{fmt}}, {self.high:{fmt}}]"


@dataclass(frozen=True)
class Finding:
    """One claim checked against the measurements.

    Attributes
    ----------
    claim : str
        Short key (``depth_range``, ...).
    source : str
        Paper and where in it.
    statement : str
        The claim in one line.
    setting : str
        Problems and methods measured.
    quantity : str
        What the numbers in ``measured`` are.
    measured : list of Measure
        Values with 95% intervals.
    criterion : str
        How the verdict follows from the numbers.
    verdict : {"agrees", "partly", "disagrees", "inconclusive"}
    reason : str
        Why, in one or two sentences (e.g. the budget, when inconclusive).
    runs : dict
        Trial counts: ``total``, ``converged``, ``budget_exhausted``, ``failed``.
    files : list of str
    """

    claim: str
    source: str
    statement: str
    setting: str
    quantity: str
    measured: list[Measure]
    criterion: str
    verdict: str
    reason: str
    runs: dict = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, got {self.verdict!r}")

    def measured_text(self) -> str:
        return "; ".join(m.text() for m in self.measured)

    def write_json(self, path: str | Path) -> Path:
        path = Path(path)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(_finite(asdict(self)), indent=1) + "\n")
        tmp.replace(path)
        return path

    @classmethod
    def read_json(cls, path: str | Path) -> "Finding":
        data = json.loads(Path(path).read_text())
        data["measured"] = [Measure(**{k: (math.nan if v is None else v) for k, v in m.items()})
                            for m in data["measured"]]
        return cls(**data)


def _finite(x):
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_finite(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x
