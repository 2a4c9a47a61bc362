"""Fig. 3: Algorithm 2, recovered entries, group magnitudes and directions, with the
step-size switch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..problems import stack_problems
from ..settings_files import problem_option
from .fitting import _error_stats, _fit, _problems
from .plotting import _legend, _lines, _new_figure, _palette, _save, _style, _xaxis
from .settings import validate_settings
from .statements import QUOTES, TITLES
from .tables import _curves, _thin, _write_csv


def figure3(settings: dict, outdir: str | Path) -> dict:
    """Fig. 3: Algorithm 2, recovered entries, group magnitudes and directions.

    The step-size switch of Algorithm 2 is marked by a vertical line. A group counts as
    learned at the first recorded iteration with ``u_l^2 >= learned_fraction * ||w*_l||``
    (Theorem 4's ``u_l^2 >= (u*_l)^2 / 2`` with ``(u*_l)^2 = ||w*_l||``).

    Parameters
    ----------
    settings : dict
        All paper-figure settings; uses ``settings["fig3"]`` and ``settings["plot"]``.
    outdir : str or Path
        Directory for ``fig3.png``, ``fig3.pdf`` and ``fig3.csv``.

    Returns
    -------
    dict
        Measured numbers (errors, ``switch_iteration``, ``learned_iteration`` per active
        group, ``learned_order``, ``norm_order``), ``verdict`` and ``reason``.
    """
    settings = validate_settings(settings, ["fig3"])
    fs, plot = settings["fig3"], settings["plot"]
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    (prob,) = _problems(fs, [fs["seed"]])
    gsize = fs["problem"]["group_size"]
    (res,) = _fit(fs["method"], fs["preset"], fs["params"], gsize, stack_problems([prob]),
                  fs["plot_iterations"], fs["stride"], record=["coef", "group_norms", "directions"])
    it, err = res.path["iteration"], res.path["oracle_error"]
    coef, norms, dirs = res.path["coef"], res.path["group_norms"], res.path["directions"]
    active = prob.active_groups
    gnorm = np.sqrt(np.bincount(prob.groups, weights=prob.w_star**2))
    crit = fs["criteria"]
    learned = {}
    for l in active:
        hit = np.flatnonzero(norms[:, l] >= crit["learned_fraction"] * gnorm[l])
        learned[int(l)] = int(it[hit[0]]) if hit.size else None
    order_learned = sorted(learned, key=lambda l: (learned[l] is None, learned[l] or 0, l))
    order_norm = sorted((int(l) for l in active), key=lambda l: -gnorm[l])
    switch = int(res.extra.get("switch_iteration", -1))
    stats = _error_stats(it, err, fs["iterations"])
    times = [learned[l] for l in order_learned]
    numbers = {
        "figure": "fig3", "title": TITLES["fig3"], "quote": QUOTES["fig3"],
        "method": fs["method"], "seed": int(fs["seed"]), "status": res.status,
        "w_star_norm": float(np.linalg.norm(prob.w_star)), "active_groups": active.tolist(),
        "group_norms": {int(l): float(gnorm[l]) for l in active},
        "iterations": int(fs["iterations"]), "plot_iterations": int(fs["plot_iterations"]),
        **stats,
        "switch_iteration": switch,
        "tau": float(res.resolved.get("tau", float("nan"))),
        "learned_iteration": learned,
        "learned_order": order_learned,
        "norm_order": order_norm,
        "all_learned": all(t is not None for t in times),
        "distinct_times": all(t is not None for t in times) and len(set(times)) == len(times),
        "switch_after_all_learned": bool(
            switch >= 0 and all(t is not None and t <= switch for t in times)
        ),
        "criteria": dict(crit),
    }  # fmt: skip
    numbers.update(_verdict_fig3(numbers))

    keep = _thin(it, plot["max_points"], fs["xscale"],
                 [int(np.searchsorted(it, stats["least_iteration"]))])
    p = prob.p
    support = prob.w_star != 0
    members = np.flatnonzero(np.isin(prob.groups, active))
    frame = pd.concat([
        _curves("fig3", "error", fs["method"], ["error"], [-1], [True], it[keep], err[keep]),
        _curves("fig3", "coefficient", fs["method"], [f"w[{i}]" for i in range(p)], np.arange(p),
                support, it[keep], coef[keep]),
        _curves("fig3", "group_magnitude", fs["method"],
                [f"group {l}" for l in range(norms.shape[1])], np.arange(norms.shape[1]),
                np.isin(np.arange(norms.shape[1]), active), it[keep], norms[keep]),
        _curves("fig3", "direction", fs["method"], [f"v[{i}]" for i in members], members,
                np.ones(members.size, bool), it[keep], dirs[keep][:, members]),
    ], ignore_index=True)  # fmt: skip
    csv = _write_csv(frame, outdir / "fig3.csv")
    png, pdf = _plot_fig3(frame, numbers, fs, prob, plot, outdir)
    numbers["files"] = [csv.name, png.name, pdf.name]
    return numbers


def _verdict_fig3(m: dict) -> dict:
    c = m["criteria"]
    accurate = m["least_error"] < c["accuracy"] * m["w_star_norm"]
    incremental = m["distinct_times"] and m["learned_order"] == m["norm_order"]
    switched = m["switch_iteration"] >= 0
    criterion = (
        f"agrees if the least error is below {c['accuracy']} x ||w*||, the active groups are "
        f"learned (u_l^2 >= {c['learned_fraction']} ||w*_l||) one after another at distinct "
        f"recorded iterations, in the order of decreasing ||w*_l|| (incremental learning), and the "
        f"step-size switch happens; partly if it converges but the learning is not incremental in "
        f"that sense or there is no switch; disagrees if it does not converge."
    )
    when = ", ".join(f"group {l} at {m['learned_iteration'][l]}" for l in m["learned_order"])
    norms = ", ".join(f"{l}: {m['group_norms'][l]:.3g}" for l in m["norm_order"])
    base = (
        f"Groups learned in the order {when} (||w*_l||: {norms}); least error "
        f"{m['least_error']:.3g} at iteration {m['least_iteration']} (within 1% of it from "
        f"iteration {m['settle_iteration']} on); switch at iteration "
        f"{m['switch_iteration']}"
        + (" (after every active group was learned)." if m["switch_after_all_learned"] else ".")
    )
    if not accurate:
        verdict = "disagrees"
        reason = f"Algorithm 2 did not converge: least error {m['least_error']:.3g}. " + base
    elif incremental and switched:
        verdict, reason = "agrees", base
    else:
        what = []
        if not incremental:
            what.append("the groups were not learned one by one in the order of their norms")
        if not switched:
            what.append("the switch rule never fired (the run is Algorithm 1)")
        verdict, reason = "partly", base + " But " + " and ".join(what) + "."
    return {"verdict": verdict, "criterion": criterion, "reason": reason}


def _plot_fig3(frame, m, fs, prob, plot, outdir):
    xscale = fs["xscale"]
    active = m["active_groups"]
    colors = dict(zip(active, _palette(len(active))))
    gnorm = np.sqrt(np.bincount(prob.groups, weights=prob.w_star**2))
    group_of = prob.groups
    styles = ("-", "--", ":", "-.")
    first = {l: int(np.flatnonzero(group_of == l)[0]) for l in active}
    switch = m["switch_iteration"]

    def mark_switch(ax, label=False):
        if switch >= 0:
            ax.axvline(switch, color="k", ls="--", lw=1.0,
                       label=f"step-size switch (t = {switch})" if label else None)

    with _style():
        fig = _new_figure(14.0, 4.6)
        left, right = fig.subfigures(1, 2, width_ratios=[2.1, 1.0])
        ax_w, ax_u = left.subplots(1, 2)
        c = frame[frame["panel"] == "coefficient"]
        _lines(ax_w, c, xscale, color_of=lambda i: colors[group_of[i]],
               style_of=lambda i: styles[(i - first[group_of[i]]) % len(styles)], lw_other=0.4)
        ax_w.set_ylabel("w_i(t) = u_{g(i)}(t)² v_i(t)")
        ax_w.set_title("Recovered entries (support coloured by group)")
        _xaxis(ax_w, xscale, m["iterations"], m["end_iteration"])
        mark_switch(ax_w, label=True)
        _legend(ax_w, loc="upper left", fontsize=8)
        g = frame[frame["panel"] == "group_magnitude"]
        _lines(ax_u, g, xscale, color_of=lambda l: colors[l],
               label_of=lambda l: f"group {l}: ||w*_l|| = {gnorm[l]:.3g}, learned at "
                                  f"t = {m['learned_iteration'][l]}")
        for l in active:
            ax_u.axhline(gnorm[l], color=colors[l], ls="--", lw=0.8)
        ax_u.set_yscale(fs["magnitude_yscale"])
        ax_u.set_ylabel("group magnitude u_l(t)²")
        ax_u.set_title("Group magnitudes")
        _xaxis(ax_u, xscale, m["iterations"], m["end_iteration"])
        mark_switch(ax_u)
        _legend(ax_u, loc="upper left", bbox_to_anchor=(0.0, 0.78), fontsize=7)
        _zoom_inset(ax_u, g[g["active"]], m, colors, switch)
        axes_v = right.subplots(len(active), 1, sharex=True, squeeze=False)[:, 0]
        d = frame[frame["panel"] == "direction"]
        for ax, l in zip(axes_v, active):
            idx = np.flatnonzero(group_of == l)
            sub = d[d["index"].isin(idx)]
            _lines(ax, sub, xscale, color_of=lambda i: colors[l],
                   style_of=lambda i: styles[(i - idx[0]) % len(styles)],
                   label_of=lambda i: f"v[{i}]")
            for i in idx:
                ax.axhline(prob.w_star[i] / gnorm[l], color=colors[l], lw=0.6, alpha=0.6,
                           ls=styles[(i - idx[0]) % len(styles)])
            ax.set_xscale(xscale)
            mark_switch(ax)
            ax.set_ylabel(f"v, group {l}", fontsize=8)
            _legend(ax, loc="lower right", fontsize=6, ncol=len(idx))
        axes_v[0].set_title("Directions of the active groups (thin: v*_l)")
        _xaxis(axes_v[-1], xscale)
        (low, high), sigma = (problem_option(fs["problem"], k) for k in ("signal_range", "sigma"))
        fig.suptitle(
            f"Algorithm 2: n = {prob.n}, p = {prob.p}, 3 groups of {fs['problem']['group_size']}, "
            f"entries uniform on [{low:g}, {high:g}], σ = {sigma:g}, seed "
            f"{fs['seed']}; error {m['least_error']:.3g} (least, within 1%) from t = "
            f"{m['settle_iteration']}",
            fontsize=10,
        )
        return _save(fig, outdir, "fig3", plot["dpi"])


def _zoom_inset(ax, frame, m, colors, switch) -> None:
    """Linear-axis inset of the active groups' magnitudes around the time they are learned."""
    times = [t for t in m["learned_iteration"].values() if t is not None]
    if not times:
        return
    events = times + ([switch] if switch >= 0 else [])
    lo, hi = min(events), max(events)
    pad = max(0.6 * (hi - lo), 0.25 * lo, 20)
    lo, hi = max(lo - pad, 0), hi + pad
    ins = ax.inset_axes([0.58, 0.08, 0.4, 0.42])
    for l, sub in frame.groupby("index"):
        sub = sub[(sub["iteration"] >= lo) & (sub["iteration"] <= hi)]
        ins.plot(sub["iteration"], sub["value"], color=colors[l], lw=1.2)
    if switch >= 0:
        ins.axvline(switch, color="k", ls="--", lw=0.9)
    ins.set_xlim(lo, hi)
    ins.tick_params(labelsize=6)
    ins.set_title("zoom, linear iteration axis", fontsize=7)
