"""Fig. 4: DGLNN (Algorithm 2) next to the unstructured ``u∘u - v∘v`` method with few
samples."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..problems import stack_problems
from ..settings_files import problem_option
from .fitting import _error_stats, _fit, _problems
from .plotting import METHOD_LABELS, _legend, _new_figure, _save, _style, _xaxis
from .settings import method_name, validate_settings
from .statements import QUOTES, TITLES
from .tables import _curves, _thin, _write_csv


def figure4(settings: dict, outdir: str | Path) -> dict:
    """Fig. 4: DGLNN (Algorithm 2) next to the unstructured ``u∘u - v∘v`` method.

    Both methods fit the same problem; the error paths go to ``plot_iterations``, and
    ``robustness_repetitions`` further seeds (``iterations`` each, batched) check that the
    comparison is not a property of one draw. ``fig4.authors`` (optional) repeats it all
    with other method specs, horizons and problem keys: the authors' code's settings.

    Parameters
    ----------
    settings : dict
        All paper-figure settings; uses ``settings["fig4"]`` and ``settings["plot"]``.
    outdir : str or Path
        Directory for ``fig4.png``, ``fig4.pdf`` and ``fig4.csv``.

    Returns
    -------
    dict
        Per method (``methods[name]``): least error and iteration within ``iterations`` and
        to ``plot_iterations``, final and end errors; ``robustness``; ``verdict``, ``reason``;
        with ``fig4.authors`` set, ``authors``: the same for the comparison under the
        authors' code's settings (methods labelled ``name:authors``, dashed in the figure).
    """
    settings = validate_settings(settings, ["fig4"])
    fs, plot = settings["fig4"], settings["plot"]
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    numbers, frames, prob = _comparison(fs, fs["methods"], fs["problem"], fs["iterations"],
                                        fs["plot_iterations"], plot, "")
    numbers.update({"figure": "fig4", "title": TITLES["fig4"], "quote": QUOTES["fig4"],
                    "problem": dict(fs["problem"])})
    numbers.update(_verdict_fig4(numbers))
    au = fs["authors"]
    if au is not None:
        # The same comparison with the authors' own code's settings (preset `authors`).
        problem = {**fs["problem"], **au["problem"]}
        sub, sub_frames, _ = _comparison(fs, au["methods"], problem, au["iterations"],
                                         au["plot_iterations"], plot, ":authors")
        sub.update(_verdict_fig4(sub))
        sub["problem"] = problem
        numbers["authors"] = sub
        frames += sub_frames
    frame = pd.concat(frames, ignore_index=True)
    csv = _write_csv(frame, outdir / "fig4.csv")
    png, pdf = _plot_fig4(frame, numbers, fs, prob, plot, outdir)
    numbers["files"] = [csv.name, png.name, pdf.name]
    return numbers


def _comparison(fs: dict, methods: dict, problem: dict, iterations: int, plot_iterations: int,
                plot: dict, suffix: str) -> tuple[dict, list, object]:
    """Both methods on the problem of ``fs["seed"]`` to ``plot_iterations`` and on the
    robustness seeds to ``iterations``; method labels get ``suffix`` (e.g. ``":authors"``)."""
    spec_fs = {**fs, "problem": problem}
    (prob,) = _problems(spec_fs, [fs["seed"]])
    gsize = problem["group_size"]
    names = [name + suffix for name in methods]
    frames, per = [], {}
    for label, (name, spec) in zip(names, methods.items()):
        (res,) = _fit(method_name(name, spec), spec["preset"], spec["params"], gsize,
                      stack_problems([prob]), plot_iterations, fs["stride"])
        it, err = res.path["iteration"], res.path["oracle_error"]
        per[label] = {"status": res.status, "preset": spec["preset"],
                      **_error_stats(it, err, iterations)}
        if name.startswith("dglnn2"):
            per[label]["switch_iteration"] = int(res.extra.get("switch_iteration", -1))
        keep = _thin(it, plot["max_points"], fs["xscale"],
                     [int(np.nanargmin(err))])
        frames.append(_curves("fig4", "error", label, ["error"], [-1], [True], it[keep], err[keep]))
    # The same comparison on further seeds (one batch per method).
    reps = int(fs["robustness_repetitions"] or 0)
    robustness = None
    if reps > 0:
        seeds = [int(fs["seed"]) + r for r in range(reps)]
        arrays = stack_problems(_problems(spec_fs, seeds))
        least = {}
        for label, (name, spec) in zip(names, methods.items()):
            results = _fit(method_name(name, spec), spec["preset"], spec["params"],
                           gsize, arrays, iterations, fs["stride"])
            least[label] = [float(np.nanmin(r.path["oracle_error"])) for r in results]
        a, b = np.array(least[names[0]]), np.array(least[names[1]])
        robustness = {
            "seeds": seeds,
            "least_error": least,
            "median_least_error": {k: float(np.median(v)) for k, v in least.items()},
            "ratio_holds": int(np.sum(a < fs["criteria"]["ratio"] * b)),
        }
    numbers = {
        "methods": per, "method_order": names, "seed": int(fs["seed"]),
        "w_star_norm": float(np.linalg.norm(prob.w_star)),
        "iterations": int(iterations), "plot_iterations": int(plot_iterations),
        "robustness": robustness, "criteria": dict(fs["criteria"]),
    }  # fmt: skip
    return numbers, frames, prob


def _verdict_fig4(m: dict) -> dict:
    c = m["criteria"]
    a_name, b_name = m["method_order"]
    a, b = m["methods"][a_name], m["methods"][b_name]
    ratio_ok = a["least_error"] < c["ratio"] * b["least_error"]
    b_fails = b["least_error_all"] >= c["accuracy"] * m["w_star_norm"]
    a_ok = a["least_error"] < c["accuracy"] * m["w_star_norm"]
    rob = m["robustness"]
    rob_ok = rob is None or rob["ratio_holds"] * 2 > len(rob["seeds"])
    criterion = (
        f"agrees if {a_name}'s least error (within {m['iterations']} iterations) is below "
        f"{c['ratio']} x {b_name}'s and below {c['accuracy']} x ||w*||, {b_name}'s least error stays "
        f">= {c['accuracy']} x ||w*|| even when run to {m['plot_iterations']} iterations (it fails, "
        f"not merely slower), and the first condition holds on most of the robustness seeds; "
        f"partly if only the comparison ({c['ratio']} x) holds; disagrees otherwise."
    )
    base = (
        f"Least error within {m['iterations']} iterations: {a_name} {a['least_error']:.3g} "
        f"(iteration {a['least_iteration']}), {b_name} {b['least_error']:.3g} (iteration "
        f"{b['least_iteration']}); to {m['plot_iterations']} iterations: {a_name} "
        f"{a['least_error_all']:.3g}, {b_name} {b['least_error_all']:.3g} (iteration "
        f"{b['least_iteration_all']}); ||w*|| = {m['w_star_norm']:.3g}."
    )
    if rob is not None:
        med = rob["median_least_error"]
        base += (
            f" Over seeds {rob['seeds'][0]}-{rob['seeds'][-1]}: median least error {a_name} "
            f"{med[a_name]:.3g}, {b_name} {med[b_name]:.3g}; the {c['ratio']} x comparison holds on "
            f"{rob['ratio_holds']} of {len(rob['seeds'])}."
        )
    if ratio_ok and b_fails and a_ok and rob_ok:
        verdict = "agrees"
    elif ratio_ok:
        verdict = "partly"
        why = []
        if not a_ok:
            why.append(f"{a_name} itself does not reach {c['accuracy']} x ||w*||")
        if not b_fails:
            why.append(f"{b_name} does reach it with more iterations (it is slower, not failing)")
        if not rob_ok:
            why.append("the comparison does not hold on most robustness seeds")
        base += " But " + "; ".join(why) + "."
    else:
        verdict = "disagrees"
        base += f" {a_name} is not clearly better than {b_name}."
    return {"verdict": verdict, "criterion": criterion, "reason": base}


def _plot_fig4(frame, m, fs, prob, plot, outdir):
    xscale = fs["xscale"]
    names = m["method_order"]
    au = m.get("authors")
    end = max(m["plot_iterations"], au["plot_iterations"] if au else 0)
    with _style():
        fig = _new_figure(10.5, 3.9)
        axes = fig.subplots(1, 2, sharey=True)
        for k, (ax, color) in enumerate(zip(axes, ("C0", "C1"))):
            runs = [(m, names[k], color, "-")]
            if au:
                runs.append((au, au["method_order"][k], "C2", "--"))
            for mm, name, col, ls in runs:
                e = frame[frame["method"] == name]
                e = e[e["iteration"] > 0] if xscale == "log" else e
                st = mm["methods"][name]
                preset = st["preset"] or "defaults"
                ax.plot(e["iteration"], e["value"], color=col, ls=ls, lw=1.6,
                        label=f"||w_t − w*||₂, preset {preset}")
                ax.plot([st["least_iteration_all"]], [st["least_error_all"]], "o", color="C3",
                        ms=5, label=f"least {st['least_error_all']:.3g} at t = {st['least_iteration_all']}")
                if "switch_iteration" in st and st["switch_iteration"] >= 0:
                    ax.axvline(st["switch_iteration"], color=col, ls=":", lw=0.9,
                               label=f"step-size switch (t = {st['switch_iteration']})")
            ax.set_yscale("log")
            _xaxis(ax, xscale, m["iterations"], end)
            ax.set_title(METHOD_LABELS.get(names[k].split(":")[0], names[k]))
            _legend(ax, loc="lower left", fontsize=7)
        axes[0].set_ylabel("recovery error ||w_t − w*||₂")
        fig.suptitle(
            f"n = {prob.n}, p = {prob.p}, {fs['problem']['active_groups']} groups of "
            f"{fs['problem']['group_size']} entries equal to {problem_option(fs['problem'], 'amplitude'):g}, "
            f"σ = {problem_option(fs['problem'], 'sigma'):g}, seed {fs['seed']}"
            + (f"; dotted: iteration {m['iterations']}" if m["plot_iterations"] > m["iterations"] else ""),
            fontsize=10,
        )
        return _save(fig, outdir, "fig4", plot["dpi"])
