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
    fit.add_argument("--decoy-rho", type=float, default=None,
                     help="--design decoy: the signal's weight in each decoy column, in [0, 1] "
                          f"(default {DEFAULTS.decoy_rho})")
    fit.add_argument("--decoy-layout", default=None,
                     help=f"--design decoy: one of {', '.join(DECOY_LAYOUTS)} "
                          f"(default {DEFAULTS.decoy_layout})")
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
    fit.add_argument("--save-problem", type=Path, default=None, metavar="FILE.npz",
                     help="write the problem's arrays (numpy.savez) to exactly this file")
    fit.add_argument("--save-coef", type=Path, default=None, metavar="FILE.npy",
                     help="write the validation-stopped coefficients (numpy.save) to exactly "
                          "this file")

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


#: Flags of ``gsbench fit`` that only apply to ``--design decoy`` -> their default.
DECOY_FLAGS = {"decoy_rho": DEFAULTS.decoy_rho, "decoy_layout": DEFAULTS.decoy_layout,
               "decoy_groups": DEFAULTS.decoy_groups}


def _decoy_options(args) -> None:
    """Refuse a decoy flag without ``--design decoy`` (it would be ignored, yet recorded);
    fill the defaults of the flags not given."""
    for key, default in DECOY_FLAGS.items():
        value = getattr(args, key)
        if value is not None and args.design != "decoy":
            raise UsageError(f"{FLAGS[key]} {value} applies only to --design decoy (got "
                             f"--design {args.design})")
        setattr(args, key, default if value is None else value)


def _write_exactly(flag: str, path: Path, save) -> None:
    """``save(fh)`` into exactly ``path`` (numpy.save/savez given a name append .npy/.npz)."""
    if path.is_dir():
        raise UsageError(f"{flag}: {path} is a directory; give a file name, e.g. "
                         f"{path / ('coef.npy' if flag == '--save-coef' else 'problem.npz')}")
    try:
        with atomic_path(path) as tmp, open(tmp, "wb") as fh:
            save(fh)
    except OSError as exc:
        raise UsageError(f"{flag}: cannot write {path}: {exc.strerror}") from None


def _check_fit_memory(est, args) -> None:
    """Refuse a problem, then a fit with its recorded path, that would not fit in the
    available memory (:func:`gsbench.runner.batch_nbytes`, the estimate the study planner
    uses), before drawing anything."""
    from .problems import check_memory, problem_nbytes
    from .runner import batch_nbytes

    n_val = args.n if args.n_val is None else args.n_val
    check_memory(problem_nbytes(args.n, args.p, n_val),
                 f"a problem with n={args.n}, n_val={n_val}, p={args.p}")
    params = "".join(f" --param {item}" for item in args.param)
    try:
        check_memory(batch_nbytes(est, 1, args.n, args.p, n_val),
                     f"--method {args.method}{params} on n={args.n}, p={args.p}")
    except ProblemError as exc:
        raise UsageError(f"{exc} (the path the fit records grows with max_iter / stride)") from None


def cmd_fit(args) -> int:
    from .runner import fit_problems

    _decoy_options(args)
    params = parse_params(args.param)
    problem_args = dict(
        n=args.n, p=args.p, group_size=args.group_size, active_groups=args.active_groups,
        sigma=args.sigma, design=args.design, rho=args.rho, signal=args.signal,
        amplitude=args.amplitude, signal_range=args.signal_range, values=args.values,
        n_val=args.n_val, seed=args.seed, decoy_rho=args.decoy_rho,
        decoy_layout=args.decoy_layout, decoy_groups=args.decoy_groups,
    )  # fmt: skip
    # Validate the method's name and parameters, and the memory, before drawing the problem.
    est = make_method(args.method, params, preset=args.preset)
    if args.n > 0 and args.p > 0 and (args.n_val is None or args.n_val > 0):
        _check_fit_memory(est, args)
    try:
        problem = make_problem(**problem_args)
    except ProblemError as exc:
        flag = FLAGS.get(exc.key)
        raise ProblemError(f"{flag}: {exc}" if flag else str(exc), exc.key) from None
    (row,), (res,) = fit_problems(args.method, [problem], params, preset=args.preset)
    out = {"method": args.method, **problem_args, "preset": args.preset}
    for key, value in row.items():
        out[key] = json.loads(value) if key in ("params", "resolved", "extra") else value
    for flag, path, save in (("--save-problem", args.save_problem, problem.to_npz),
                             ("--save-coef", args.save_coef,
                              lambda fh: np.save(fh, res.coef_validation))):
        if path is not None:
            _write_exactly(flag, path, save)
    _print_or_stop(json.dumps(_json_safe(out), allow_nan=False))
    return EXIT_FIT_FAILED if row["status"] == STATUS_FAILED else 0


def _print_or_stop(text: str) -> None:
    """Print ``text``; a reader that closed the pipe early (``gsbench fit ... | head``) ends
    the output quietly, as ``cat`` does (stdout is pointed at /dev/null so that the
    interpreter's final flush does not raise again)."""
    import os

    try:
        print(text, flush=True)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


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
