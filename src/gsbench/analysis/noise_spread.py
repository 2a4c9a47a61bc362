r"""How much of n*'s uncertainty is rounding?  Refit near the transition with gradient noise.

Near its transition an iterative method's success on a trial can depend on how accurately
its iterations are computed, not only on the problem: a perturbation of every gradient far
below float64's resolution of the data can flip a trial (``benchmarks/gradient_noise.py``).
The study's n* interval (:func:`gsbench.analysis.transitions.transitions`) is a bootstrap
over trials -- the *binomial* part -- and does not see that.  This check measures the
other part.

For each iterative method (one with ``alpha`` and ``max_iter``) it takes the ``cells``
interior cells with the largest n*, refits every trial at the two grid sizes bracketing
:math:`n^\star` ``replicates`` times, each time with every gradient multiplied by
:math:`1 + \varepsilon\xi` (:func:`gsbench.methods._iterative.perturbed_gradients`, fresh
standard normal :math:`\xi` at each iteration, a seed per cell, size and replicate), puts
those fits in place of the study's at the same :math:`n` and re-estimates
:math:`n^\star_r`.  Per cell it reports

* :math:`\mathrm{sd}_\mathrm{noise}`, the standard deviation of :math:`\log n^\star_r`
  over the replicates (a replicate whose transition leaves the grid counts at the grid's
  edge, so the spread is then a lower bound; ``replicates_off_grid`` says how many);
* :math:`\mathrm{sd}_\mathrm{binom} = (\log n^{hi} - \log n^{lo}) / (2\cdot 1.96)`, the
  log-scale standard deviation implied by the study's own 95% interval;
* the fraction of refitted trials whose success differs from the study's fit.

**Folding in** (:func:`fold_noise`): where the median ratio
:math:`r = \mathrm{sd}_\mathrm{noise}/\mathrm{sd}_\mathrm{binom}` over a method's checked
cells exceeds 1, the gradient noise dominates and every interior cell's interval of that
method is widened in log scale about :math:`\log n^\star`: each half-width :math:`h`
becomes :math:`\sqrt{h^2 + (1.96\,\bar s)^2}`, :math:`\bar s` the median
:math:`\mathrm{sd}_\mathrm{noise}` of the checked cells (the two parts added in
quadrature), before the law fits and their bootstraps read them.  The checked cells are
those nearest the top of the grid; applying their spread to every cell of the method is
the stated extrapolation.
"""

from __future__ import annotations

import json
import zlib

import numpy as np
import pandas as pd

from .refits import KEYS, bracketing_sizes, cell_trials, is_iterative, refit, transition_with

__all__ = ["NOISE_COLUMNS", "noise_spread", "fold_noise", "noise_factors", "EPS", "REPLICATES"]

#: Relative size of the gradient perturbation: float64's rounding of one product is about
#: 1e-16 relative, a sum over p terms about sqrt(p) 1e-16; 1e-10 is far above both and far
#: below anything that changes the problem.
EPS = 1e-10
REPLICATES = 4
NOISE_COLUMNS: tuple[str, ...] = (
    "method", "p", "group_size", "active_groups", "sigma", "design", "n_star", "n_star_low",
    "n_star_high", "refit_n", "trials", "eps", "replicates", "n_star_replicates",
    "replicates_off_grid", "flipped", "sd_log_noise", "sd_log_binomial", "ratio", "dominant",
)  # fmt: skip


def _seed(method: str, row, n: int, replicate: int) -> int:
    """A seed from the cell, the size and the replicate (never shared by two of them)."""
    words = [zlib.crc32(method.encode()), int(row["p"]), int(row["group_size"]),
             int(row["active_groups"]), zlib.crc32(f"{row['sigma']!r}{row['design']}".encode()),
             int(n), int(replicate)]
    return int(np.random.SeedSequence(words).generate_state(1)[0])


def _success(frame: pd.DataFrame, metric: str, tau: float) -> np.ndarray:
    ok = frame["status"].astype(str) == "ok"
    return (ok & (frame[metric].astype(float) <= tau)).to_numpy()


def noise_spread(config: dict, trials: pd.DataFrame, transitions_df: pd.DataFrame, *,
                 eps: float = EPS, replicates: int = REPLICATES, cells: int = 2) -> pd.DataFrame:
    r"""Refit every iterative method near its transition under gradient noise (module).

    Parameters
    ----------
    config, trials, transitions_df
        The study's validated config, ``trials.parquet`` and ``transitions.csv``.
    eps : float
        Relative size :math:`\varepsilon` of the gradient perturbation.
    replicates : int
        Noisy refits of each trial at each bracketing size.
    cells : int
        Interior cells per method, largest n* first.

    Returns
    -------
    pandas.DataFrame
        One row per (method, cell), columns :data:`NOISE_COLUMNS`; ``n_star_replicates`` is
        a JSON list of the replicates' n* (the grid's edge for one off the grid).
    """
    from ..methods import make_method
    from ..methods._iterative import perturbed_gradients
    from ..study.config import method_specs
    from ..study.grid_designs import design_specs

    metric, tau = config["success"]["metric"], config["success"]["threshold"]
    specs = design_specs(config)
    out = []
    for label, spec in method_specs(config).items():
        name, preset, params = spec
        sub_t = transitions_df[(transitions_df["method"] == label)
                               & (transitions_df["transition"] == "ok")]
        if sub_t.empty:
            continue
        g0 = max(int(sub_t["group_size"].iloc[0]), 1)  # 0: a real design's unequal groups
        if not is_iterative(make_method(name, params, groups=g0, preset=preset).get_params(deep=False)):
            continue
        for _, row in sub_t.sort_values("n_star", ascending=False).head(cells).iterrows():
            frame = cell_trials(trials, label, row)
            grid = np.sort(frame["n"].unique())
            refit_n = bracketing_sizes(frame, row)
            old = {n: frame[frame["n"] == n].sort_values("trial") for n in refit_n}
            stars, flips, total = [], 0, 0
            for r in range(int(replicates)):
                frames = []
                for n in refit_n:
                    with perturbed_gradients(eps, _seed(label, row, n, r)):
                        new = refit(config, label, spec, row, n, old[n]["trial"], params, specs)
                    flips += int((_success(new, metric, tau) != _success(old[n], metric, tau)).sum())
                    total += len(new)
                    frames.append(new)
                re = transition_with(config, frame, frames)
                edge = {"above_grid": grid.max(), "below_grid": grid.min()}
                stars.append((float(re["n_star"]), False) if re["transition"] == "ok" else
                             (float(edge.get(re["transition"], np.nan)), True))
            stars_arr = np.array([v for v, _ in stars])
            off = sum(o for _, o in stars)
            sd_noise = float(np.std(np.log(stars_arr), ddof=1)) if len(stars_arr) > 1 else np.nan
            lo, hi = float(row["n_star_low"]), float(row["n_star_high"])
            sd_binom = (np.log(hi) - np.log(lo)) / (2 * 1.96) if lo > 0 and hi > 0 else np.nan
            ratio = sd_noise / sd_binom if sd_binom > 0 else (np.inf if sd_noise > 0 else np.nan)
            out.append({
                **{k: row[k] for k in KEYS}, "method": label, "n_star": row["n_star"],
                "n_star_low": lo, "n_star_high": hi, "refit_n": " ".join(map(str, refit_n)),
                "trials": int(total / max(len(refit_n) * int(replicates), 1)), "eps": float(eps),
                "replicates": int(replicates),
                "n_star_replicates": json.dumps([round(float(v), 6) for v in stars_arr]),
                "replicates_off_grid": off, "flipped": flips / total if total else np.nan,
                "sd_log_noise": sd_noise, "sd_log_binomial": sd_binom, "ratio": ratio,
                "dominant": ("gradient noise" if ratio > 1 else "binomial"),
            })
    return pd.DataFrame(out, columns=list(NOISE_COLUMNS))


def noise_factors(noise: pd.DataFrame | None) -> dict[str, float]:
    r"""Per method whose gradient-noise part dominates (median ratio
    :math:`\mathrm{sd}_\mathrm{noise}/\mathrm{sd}_\mathrm{binom}` over its checked cells
    above 1), the median :math:`\mathrm{sd}_\mathrm{noise}` of those cells (log scale)."""
    if noise is None or noise.empty:
        return {}
    out = {}
    for method, sub in noise.groupby("method", sort=True):
        if float(np.median(sub["ratio"].astype(float))) > 1:
            out[method] = float(np.median(sub["sd_log_noise"].astype(float)))
    return out


def fold_noise(transitions_df: pd.DataFrame, noise: pd.DataFrame | None) -> pd.DataFrame:
    r"""``transitions_df`` with every interior cell's interval of a method named by
    :func:`noise_factors` widened in log scale: each half-width :math:`h` (from
    :math:`\log n^\star` to a bound) becomes :math:`\sqrt{h^2 + (1.96\, s)^2}`,
    :math:`s` the method's gradient-noise SD (the two parts added in quadrature); other
    rows unchanged."""
    out = transitions_df.copy()
    for method, sd in noise_factors(noise).items():
        rows = (out["method"] == method) & (out["transition"] == "ok")
        n = out.loc[rows, "n_star"].astype(float)
        extra = (1.96 * sd) ** 2
        lo = np.log(n / out.loc[rows, "n_star_low"].astype(float))
        hi = np.log(out.loc[rows, "n_star_high"].astype(float) / n)
        out.loc[rows, "n_star_low"] = n * np.exp(-np.sqrt(lo ** 2 + extra))
        out.loc[rows, "n_star_high"] = n * np.exp(np.sqrt(hi ** 2 + extra))
    return out
