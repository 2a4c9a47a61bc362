r"""The real-design study (``config/real.yaml``): does DGLNN's group advantage survive real data?

For every real design (a data set with its curation, :mod:`gsbench.designs`), coherence cap,
number of active groups s, sample size n and trial, one problem on the real design and one on
a *matched* Rademacher design (same n, p, groups and active groups, same seed) are fitted by
every method.  A *part* (one design at one cap) is one workflow job.

The verdict (:func:`write_verdict`) estimates :math:`n^\star` per (design, cap, s, kind,
method) with the study's logistic transitions (:func:`gsbench.analysis.transitions.transitions`),
pairs the reference method's :math:`n^\star` with each other method's over the (cap, s)
settings where both exist, and reports the geometric-mean ratio with its bootstrap interval
and sign test (:func:`gsbench.analysis.paired.paired_ratio`) on the real design beside the
same ratio on the matched Rademacher design.  Measured :math:`\delta_{in}, \delta_{out}, \mu`
stand beside each design; where a method has no :math:`n^\star`, its median error against
n is reported instead.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from ..atomic import write_text
from ..analysis.intervals import format_interval
from ..analysis.paired import paired_ratio
from ..analysis.theory import group_references
from ..analysis.transitions import transitions
from ..designs import load
from ..problems import derive_seed, make_problem
from .fits import fit_methods, problem_measures

log = logging.getLogger(__name__)
KINDS = ("real", "rademacher")


def _fmt(x: float) -> str:
    return np.format_float_positional(float(x), trim="-")


def parts(settings: dict) -> list[str]:
    """One part per (design label, coherence cap): ``<label>_cap<cap>``."""
    return [f"{label}_cap{_fmt(cap)}" for label, body in settings["designs"].items()
            for cap in body["coherence_cap"]]


def _resolve(settings: dict, part: str) -> tuple[str, dict, float]:
    for label, body in settings["designs"].items():
        for cap in body["coherence_cap"]:
            if part == f"{label}_cap{_fmt(cap)}":
                return label, body, float(cap)
    raise ValueError(f"real study part {part!r} is not one of {parts(settings)}")


def run_part(settings: dict, part: str) -> pd.DataFrame:
    """Fit every method on the real and the matched Rademacher problems of one part: one row
    per (kind, s, n, method, trial), with the design's measures and convex references."""
    label, body, cap = _resolve(settings, part)
    design = load(body["data"])
    eligible = design.eligible_groups(cap).size
    threshold = settings["success"]["threshold"]
    frames = []
    for s in settings["active_groups"]:
        if s > eligible:
            log.warning("%s: s=%d > %d groups below coherence cap %s; skipped", part, s, eligible, cap)
            continue
        for n in settings["n"]:
            if 2 * n > design.n_rows:
                log.warning("%s: n=%d needs %d rows (n + n_val), %s has %d; skipped", part, n,
                            2 * n, design.name, design.n_rows)
                continue
            params = dict(design="real", data=body["data"], coherence_cap=cap, n=n, active_groups=s,
                          signal=settings["signal"], amplitude=settings["amplitude"])
            seeds = [derive_seed({**params, "study_seed": settings["seed"]}, t)
                     for t in range(settings["trials"])]
            common = dict(signal=settings["signal"], amplitude=settings["amplitude"])
            real = [make_problem(n, None, None, s, design="real", data=body["data"],
                                 coherence_cap=cap, seed=seed, **common) for seed in seeds]
            matched = [make_problem(n, design.p, design.sizes.tolist(), s, active=pr.active_groups,
                                    seed=seed, **common) for pr, seed in zip(real, seeds)]
            refs = [group_references(design.sizes, pr.active_groups) for pr in real]
            for kind, problems in zip(KINDS, (real, matched)):
                fits = fit_methods(settings["methods"], problems, threshold)
                measures = problem_measures(problems).assign(
                    n_ref_l1=[r[0] for r in refs], n_ref_group=[r[1] for r in refs])
                frames.append(fits.merge(measures, on="trial").assign(
                    design=label, data=design.name, kind=kind, coherence_cap=cap, p=design.p,
                    n_groups=design.sizes.size, active_groups=s, n=n))
            log.info("%s s=%d n=%d: %d trials", part, s, n, len(real))
    cols = ["design", "data", "kind", "coherence_cap", "p", "n_groups", "active_groups", "n"]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    return out[cols + [c for c in out.columns if c not in cols]]


def n_star_table(trials: pd.DataFrame, settings: dict) -> pd.DataFrame:
    """n* (with interval and label) per (design, coherence_cap, kind, active_groups, method)."""
    key = trials["design"] + "|" + trials["coherence_cap"].map(_fmt) + "|" + trials["kind"]
    frame = trials.assign(design=key, group_size=0, sigma=0.0)
    succ = settings["success"]
    tr = transitions(frame, metric=succ["metric"], threshold=succ["threshold"],
                     n_boot=settings["bootstrap"], seed=settings["seed"])
    parts_ = tr["design"].str.split("|", expand=True)
    return tr.assign(design=parts_[0], coherence_cap=parts_[1].astype(float), kind=parts_[2])[
        ["design", "coherence_cap", "kind", "active_groups", "method", "n_star", "n_star_low",
         "n_star_high", "transition"]]


def paired_table(nstar: pd.DataFrame, settings: dict) -> pd.DataFrame:
    """The reference method's n* over each other method's, paired over (cap, s) settings, per
    design (and pooled over designs) and kind."""
    ref = settings["reference"]
    ok = nstar[nstar["transition"] == "ok"]
    wide = ok.pivot_table(index=["design", "kind", "coherence_cap", "active_groups"],
                          columns="method", values="n_star").reset_index()
    rows = []
    groups = [(d, wide[wide["design"] == d]) for d in sorted(nstar["design"].unique())]
    if len(groups) > 1:
        groups.append(("all designs", wide))
    for design, sub in groups:
        for kind in KINDS:
            part = sub[sub["kind"] == kind]
            for other in settings["methods"]:
                if other == ref:
                    continue
                a = part[ref] if ref in part else pd.Series(dtype=float)
                b = part[other] if other in part else pd.Series(dtype=float)
                r = paired_ratio(a.to_numpy(float), b.to_numpy(float), settings["bootstrap"],
                                 settings["seed"]) if len(a) and len(b) else (
                    np.nan, np.nan, np.nan, 0, 0, 0, 1.0)
                rows.append(dict(design=design, kind=kind, comparison=f"{ref} / {other}",
                                 ratio=r[0], low=r[1], high=r[2], n_pairs=r[3], n_above=r[4],
                                 n_below=r[5], sign_test_p=r[6]))
    return pd.DataFrame(rows)


def _interval(v, lo, hi, digits=3) -> str:
    return format_interval(v, lo, hi, f".{digits}g", missing="—")


def _state(row) -> str:
    if row["n_pairs"] < 2:
        return "not measurable"
    return "advantage" if row["high"] < 1 else "disadvantage" if row["low"] > 1 else "tie"


def survival(paired: pd.DataFrame) -> pd.DataFrame:
    """Per (design, comparison): does the reference's advantage (ratio interval below 1) seen
    on the matched Rademacher design survive on the real one?

    Each side is an ``advantage`` (interval below 1), a ``disadvantage`` (above 1), a ``tie``
    (holds 1) or ``not measurable`` (fewer than 2 settings with both n*).  With an advantage on
    Rademacher the verdict is ``survives``, ``lost`` (a tie on the real design) or
    ``reversed``; without one, ``appears`` (an advantage on the real design only) or ``no
    advantage to lose``; ``not measurable`` when the real side is.
    """
    rows = []
    for (design, comp), sub in paired.groupby(["design", "comparison"], sort=False):
        real = sub[sub["kind"] == "real"].iloc[0]
        rad = sub[sub["kind"] == "rademacher"].iloc[0]
        on_real, on_rad = _state(real), _state(rad)
        if on_real == "not measurable":
            verdict = "not measurable"
        elif on_rad == "advantage":
            verdict = {"advantage": "survives", "tie": "lost", "disadvantage": "reversed"}[on_real]
        else:
            verdict = "appears" if on_real == "advantage" else "no advantage to lose"
        rows.append(dict(design=design, comparison=comp, verdict=verdict,
                         real=_interval(real["ratio"], real["low"], real["high"]) + f" ({on_real})",
                         rademacher=_interval(rad["ratio"], rad["low"], rad["high"])
                         + f" ({on_rad})"))
    return pd.DataFrame(rows)


def _md(frame: pd.DataFrame, floatfmt: str = ".3g") -> str:
    def cell(v):
        if isinstance(v, (float, np.floating)):
            return "—" if not np.isfinite(v) else format(v, floatfmt)
        return str(v)
    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    sep = "|" + "---|" * len(frame.columns)
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, sep, *body])


def plot_errors(trials: pd.DataFrame, settings: dict, path) -> None:
    """Median oracle error against n: one panel per (design, cap), a colour per method, solid
    on the real design and dashed on the matched Rademacher one; the success threshold drawn."""
    from ..claims.plotting import figure, legend, log_scale

    keys = list(trials.groupby(["design", "coherence_cap"], sort=False).groups)
    metric = settings["success"]["metric"]
    with figure(path, len(keys), "Median error against n: real (solid) vs matched Rademacher "
                "(dashed)") as (fig, axes):
        for ax, (design, cap) in zip(axes, keys):
            sub = trials[(trials["design"] == design) & (trials["coherence_cap"] == cap)]
            for j, method in enumerate(settings["methods"]):
                for kind, ls in zip(KINDS, ("-", "--")):
                    med = sub[(sub["method"] == method) & (sub["kind"] == kind)].groupby("n")[
                        metric].median()
                    ax.plot(med.index, med.to_numpy(), ls, marker="o", ms=3, color=f"C{j}",
                            label=method if kind == "real" else None)
            ax.axhline(settings["success"]["threshold"], color="k", lw=0.8, ls=":")
            ax.set(title=f"{design}, coherence cap {_fmt(cap)}", xlabel="n", ylabel=metric)
            ax.set_xscale("log")
            log_scale(ax)
            legend(ax)


def write_verdict(settings: dict, trials: pd.DataFrame, outdir, *, runtime: str = "") -> dict:
    """Write ``n_star.csv``, ``paired.csv``, ``errors.png`` and ``verdict.md`` into ``outdir``;
    returns the paths."""
    from ..atomic import write_table as write_csv

    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    nstar = n_star_table(trials, settings)
    paired = paired_table(nstar, settings)
    verdicts = survival(paired)
    paths = {"n_star": write_csv(nstar, outdir / "n_star.csv"),
             "paired": write_csv(paired, outdir / "paired.csv")}
    plot_errors(trials, settings, outdir / "errors.png")
    paths["errors"] = outdir / "errors.png"
    metric = settings["success"]["metric"]
    lines = [f"# Real design matrices: {settings['study']}", "",
             f"Success: {metric} <= {settings['success']['threshold']}; {settings['trials']} trials "
             f"per cell; s in {settings['active_groups']}; n in {settings['n']}; signal "
             f"{settings['signal']}. Files: n_star.csv, paired.csv, errors.png, trials.csv.",
             ""]
    if runtime:
        lines += [runtime, ""]
    lines += ["## Designs", ""]
    for label, body in settings["designs"].items():
        d = load(body["data"])
        caps = ", ".join(f"{d.eligible_groups(c).size} below {_fmt(c)}" for c in body["coherence_cap"])
        lines.append(f"- **{label}** ({d.name}): {d.n_rows} rows, p = {d.p} columns in "
                     f"{d.sizes.size} groups of sizes {d.sizes.min()}–{d.sizes.max()}; groups "
                     f"eligible for the signal: {caps}. " + " ".join(d.notes))
    nmax = trials["n"].max()
    coh = (trials[trials["n"] == trials.groupby(["design", "coherence_cap"])["n"].transform("max")]
           .drop_duplicates(["design", "coherence_cap", "kind", "active_groups", "trial", "n"])
           .groupby(["design", "coherence_cap", "kind"], as_index=False)
           [["n", "delta_in", "delta_out", "mu"]].median())
    lines += ["", f"## Measured incoherence (median over trials and s, at each part's largest n; "
              f"grid max {nmax})", "", _md(coh), ""]
    lines += ["## Paired n* ratios (geometric mean over (cap, s) settings, 95% bootstrap interval,"
              " exact sign test)", "", _md(paired), ""]
    lines += ["## Does the group advantage survive?", "", _md(verdicts), "",
              "A ratio below 1 means the reference method needs fewer samples; each side is an "
              "advantage (interval below 1), a disadvantage (above 1) or a tie (holds 1). With an "
              "advantage on the matched Rademacher design: survives, lost (a tie on the real "
              "design) or reversed; without one: appears (real only) or no advantage to lose; "
              "not measurable: fewer than 2 settings with both n* on the real design (see the "
              "error table below).", ""]
    lines += ["## n* per setting", "", _md(nstar), ""]
    missing = nstar[nstar["transition"] != "ok"]
    if len(missing):
        med = (trials.merge(missing[["design", "coherence_cap", "kind", "active_groups", "method"]])
               .groupby(["design", "coherence_cap", "kind", "active_groups", "method", "n"])[metric]
               .median().unstack("n").reset_index())
        lines += ["## Error against n where there is no n*", "",
                  f"Median {metric} per n (columns) for the settings above without an n* "
                  "(no recovery within the grid, or already at its smallest n).", "",
                  _md(med), ""]
    write_text(outdir / "verdict.md", "\n".join(lines))
    paths["verdict"] = outdir / "verdict.md"
    return paths
