"""Benchmark of the phase-transition analysis: all settings' fits and bootstraps in one
vectorised solve.

    python benchmarks/analysis.py [--repeats 3] [--out benchmarks/results/analysis.json]

Times :func:`gsbench.analysis.transitions` (200 bootstrap replicates) on 300 settings
(3 methods x 4 group sizes x 25 active-group counts, 12 sample sizes, 10 trials each) and,
in the same run, on 3 of those settings. The ratio (300-setting time) / (3-setting time)
stays far below 100 while the work is batched across settings; a Python loop over
settings would make it about 100. Timings are the best of ``--repeats`` runs.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from gsbench.analysis import transitions
from _bench import best_of  # benchmarks/_bench.py, next to this script

NS = (8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384)


def trials_table(settings, trials: int = 10, seed: int = 2) -> pd.DataFrame:
    """Rows whose success probability is sigmoid(3 (log n - log n*)), n* = 4 s (g for "b")."""
    rng = np.random.default_rng(seed)
    frames = []
    for method, g, s in settings:
        n_star = 4.0 * s * (g if method == "b" else 1)
        for n in NS:
            prob = 1.0 / (1.0 + np.exp(-3.0 * (np.log(n) - np.log(n_star))))
            err = np.where(rng.random(trials) < prob, 0.01, 0.5)
            frames.append(pd.DataFrame({
                "method": method, "n": n, "p": 256, "group_size": g, "active_groups": s,
                "sigma": 0.05, "design": "gaussian", "trial": np.arange(trials), "status": "ok",
                "rel_error_oracle": err,
            }))  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    settings = [(m, g, s) for m in ("a", "b", "c") for g in (2, 4, 8, 16) for s in range(1, 26)]
    many, few = trials_table(settings), trials_table(settings[:3])
    run = lambda data: transitions(data, "rel_error_oracle", 0.05, n_boot=200, seed=0)  # noqa: E731
    t_many, t_few = best_of(lambda: run(many), args.repeats), best_of(lambda: run(few), args.repeats)
    result = {"settings": len(settings), "seconds_300_settings": t_many,
              "seconds_3_settings": t_few, "ratio_300_to_3": t_many / t_few}
    text = json.dumps(result, indent=2)
    print(text)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    return result


if __name__ == "__main__":
    main()
