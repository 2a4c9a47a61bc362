"""Command line: ``gsbench methods``, ``gsbench fit`` and the workflow's entry points.

Exit status: 0 when the command did its work (for ``gsbench fit`` also when the fit
``diverged``: that is a result, reported in ``status``); 2 for a user error (unknown method,
flag or parameter, impossible problem, invalid config), with one line on stderr that names
the offending value; 3 when ``gsbench fit``'s fit ``failed`` (the method raised; the JSON
result is still printed, with the error in ``message``). Any other exception is a bug in
gsbench and keeps its traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import yaml

from .atomic import atomic_path
from .errors import UsageError, UserError
from .methods import REGISTRY, MethodError, make_method
from .problems import DECOY_LAYOUTS, DEFAULTS, DESIGNS, SIGNALS, ProblemError, make_problem
from .results_schema import STATUS_FAILED

#: Exit status of ``gsbench fit`` when the fit failed (see the module docstring).
EXIT_FIT_FAILED = 3
#: make_problem's argument -> the flag that sets it (for error messages).
FLAGS = {
    "n": "--n", "p": "--p", "active_groups": "--active-groups", "sigma": "--sigma",
    "design": "--design", "rho": "--rho", "signal": "--signal", "amplitude": "--amplitude",
    "signal_range": "--signal-range", "values": "--values", "n_val": "--n-val", "seed": "--seed",
    "decoy_rho": "--decoy-rho", "decoy_layout": "--decoy-layout", "decoy_groups": "--decoy-groups",
}  # fmt: skip


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line instead of usage + message
        raise UsageError(message)


def _int_or_list(text: str) -> int | list[int]:
    try:
        parts = [int(x) for x in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer or a comma list, got {text!r}")
    return parts[0] if len(parts) == 1 else parts


def _float_list(text: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}")


def parse_params(items: Sequence[str]) -> dict[str, Any]:
    """``["alpha=1e-6", "v_step=u2"]`` -> ``{"alpha": 1e-06, "v_step": "u2"}`` (YAML scalars;
    numeric strings are numbers, as in a study config)."""
    from .study.method_specs import number_or_string

    params = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--param expects key=value, got {item!r}")
        try:
            parsed = yaml.safe_load(value)
        except yaml.YAMLError:
            parsed = value
        params[key] = number_or_string(parsed)
    return params


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="gsbench", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("methods", help="list the registered methods")

    fit = sub.add_parser("fit", help="draw one problem, fit one method, print a JSON result")
    fit.add_argument("--method", required=True)
    fit.add_argument("--n", type=int, required=True, help="samples")
    fit.add_argument("--p", type=int, required=True, help="features")
    fit.add_argument("--group-size", type=_int_or_list, required=True,
                     help="one size, or comma-separated sizes summing to p")
    fit.add_argument("--active-groups", type=int, required=True, help="non-zero groups s")
    fit.add_argument("--sigma", type=float, default=DEFAULTS.sigma,
                     help="noise standard deviation")
    fit.add_argument("--design", default=DEFAULTS.design, help=f"one of {', '.join(DESIGNS)}")
    fit.add_argument("--rho", type=float, default=DEFAULTS.rho,
                     help="correlation for 'correlated'")
    fit.add_argument("--decoy-rho", type=float, default=DEFAULTS.decoy_rho,
                     help="--design decoy: the signal's weight in each decoy column, in [0, 1]")
    fit.add_argument("--decoy-layout", default=DEFAULTS.decoy_layout,
                     help=f"--design decoy: one of {', '.join(DECOY_LAYOUTS)}")
    fit.add_argument("--decoy-groups", type=int, default=DEFAULTS.decoy_groups,
                     help="--design decoy: inactive groups holding decoys (default: 1 aligned, "
                          "g scattered)")
    fit.add_argument("--signal", default=DEFAULTS.signal, help=f"one of {', '.join(SIGNALS)}")
    fit.add_argument("--amplitude", type=float, default=DEFAULTS.amplitude)
    fit.add_argument("--signal-range", type=_float_list, default=list(DEFAULTS.signal_range),
                     help="LOW,HIGH for --signal uniform")
    fit.add_argument("--values", type=_float_list, default=None,
                     help="support values for --signal values, comma-separated")
    fit.add_argument("--n-val", type=int, default=DEFAULTS.n_val,
                     help="validation size (default n)")
    fit.add_argument("--seed", type=int, default=0)
    fit.add_argument("--preset", default=None, help="named hyperparameter preset, e.g. paper")
    fit.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                     help="hyperparameter override (repeatable)")
    fit.add_argument("--save-problem", type=Path, default=None, metavar="FILE.npz")
    fit.add_argument("--save-coef", type=Path, default=None, metavar="FILE.npy",
                     help="validation-stopped coefficients")

    from .study import add_study_commands

    add_study_commands(sub)
    return parser


def cmd_methods(args) -> int:
    width = max(map(len, REGISTRY))
    for name in sorted(REGISTRY):
        print(f"{name:<{width}}  {REGISTRY[name].description}")
    return 0


def _json_safe(value: Any) -> Any:
    """NaN and infinities -> None (JSON has no such numbers; ``null`` is "no value")."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def cmd_fit(args) -> int:
    from .runner import fit_problems

    params = parse_params(args.param)
    problem_args = dict(
        n=args.n, p=args.p, group_size=args.group_size, active_groups=args.active_groups,
        sigma=args.sigma, design=args.design, rho=args.rho, signal=args.signal,
        amplitude=args.amplitude, signal_range=args.signal_range, values=args.values,
        n_val=args.n_val, seed=args.seed, decoy_rho=args.decoy_rho,
        decoy_layout=args.decoy_layout, decoy_groups=args.decoy_groups,
    )  # fmt: skip
    # Validate the method's name and parameters before drawing the problem.
    make_method(args.method, params, preset=args.preset)
    try:
        problem = make_problem(**problem_args)
    except ProblemError as exc:
        flag = FLAGS.get(exc.key)
        raise ProblemError(f"{flag}: {exc}" if flag else str(exc), exc.key) from None
    (row,), (res,) = fit_problems(args.method, [problem], params, preset=args.preset)
    out = {"method": args.method, **problem_args, "preset": args.preset}
    for key, value in row.items():
        out[key] = json.loads(value) if key in ("params", "resolved", "extra") else value
    for flag, path, suffix, save in (
        ("--save-problem", args.save_problem, ".npz", problem.to_npz),
        ("--save-coef", args.save_coef, ".npy", lambda f: np.save(f, res.coef_validation)),
    ):
        if path is not None:
            # NumPy's own naming (the suffix added when missing), written atomically
            target = path if str(path).endswith(suffix) else f"{path}{suffix}"
            try:
                with atomic_path(target) as tmp, open(tmp, "wb") as fh:
                    save(fh)  # a file object: NumPy adds no suffix to the temporary
            except OSError as exc:
                raise UsageError(f"{flag}: cannot write {path}: {exc.strerror}") from None
    print(json.dumps(_json_safe(out), allow_nan=False))
    return EXIT_FIT_FAILED if row["status"] == STATUS_FAILED else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; user errors become one line on stderr and exit status 2."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        handler = {"methods": cmd_methods, "fit": cmd_fit}.get(args.command, getattr(args, "func", None))
        return handler(args)
    except (UserError, MethodError) as exc:
        print(f"gsbench: error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}",
              file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
