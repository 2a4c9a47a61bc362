"""The fits claims 1 and 2 share (Li et al. 2021): depth-N models over a sweep of the
initialisation alpha, with noise, on an uncorrelated and a correlated design.

Every (design, method label) is fitted on the same ``trials`` problems per design, without
early termination, for ``budget(depth, alpha)`` iterations (``max(min_iter, budget_factor x
predicted escape time)``); a combination whose need exceeds the cap ``max_iter`` is not
fitted and its rows say so (``status = "not_run"``). The labels of one registry method are
fitted together on a design's problems (``fit_trials_sweep``: every depth and alpha in one
batch, each for its own budget).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..atomic import write_table as write_csv
from ..methods import make_method
from ..settings_files import problem_option
from .fitting import budget, fit_labels, not_run_trials, setting_problems, whole_run
from .settings import method_spec


def model_depth(name: str, params: dict) -> int | None:
    """N of the depth-N model that registry method `name` with `params` fits (the method's
    own default when ``depth`` is not given): 2 for u∘u − v∘v (``hadamard``); None for a
    method without a depth."""
    if name == "hadamard":
        return 2
    depth = getattr(make_method(name, params), "depth", None)
    return int(depth) if depth is not None else None


def depth_trials(settings: dict, path: str | Path) -> pd.DataFrame:
    """Fit every (design, method) of ``settings["depth"]``; write and return the per-trial
    table (columns ``design, method, depth, alpha, max_iter`` + ``common.TRIAL_COLUMNS``)."""
    ds = settings["depth"]
    frames = []
    for design, extra in ds["designs"].items():
        problem = {**ds["problem"], **extra}
        problems = setting_problems(problem, ds["trials"])
        amplitude = float(problem_option(problem, "amplitude"))
        runs, to_fit = {}, {}  # label -> (depth, alpha, max_iter); label -> (name, params)
        for label, body in ds["methods"].items():
            name, params = method_spec(label, body)
            depth = model_depth(name, params)
            alpha = params.get("alpha")
            max_iter = budget(depth, alpha, ds, amplitude)
            runs[label] = (depth, alpha, max_iter)
            if max_iter is not None:
                to_fit[label] = (name, whole_run(params, max_iter, ds["stride"]))
        fitted = fit_labels(to_fit, problems, threshold=ds["threshold"])
        for label, (depth, alpha, max_iter) in runs.items():
            frame = fitted.get(label)
            if frame is None:
                frame = not_run_trials(problems, f"needs > {ds['max_iter']} iterations")
            frames.append(frame.assign(design=design, method=label, depth=depth, alpha=alpha,
                                       max_iter=max_iter if max_iter is not None else -1))
    out = pd.concat(frames, ignore_index=True)
    lead = ["design", "method", "depth", "alpha", "max_iter"]
    out = out[lead + [c for c in out.columns if c not in lead]]
    write_csv(out, path)
    return out
