"""Sweep syntax in study configs (gsbench.config_sweeps) and its hook in load_config."""

from __future__ import annotations

import re

import pytest

from gsbench.study import ConfigError, expand_cells, load_config
from gsbench.config_sweeps import SweepError, expand_sweeps, format_value, sweep_label

#: What a label may contain (path component and Snakemake wildcard value).
SAFE = re.compile(r"^[A-Za-z0-9_\[\]=,.+-]+$")


def test_two_swept_parameters_expand_to_fifteen_readable_labels_in_grid_order():
    methods = {"hadamard_depth": {"sweep": {"depth": [2, 3, 4],
                                            "alpha": ["1e-1", "1e-2", "1e-3", "1e-4", "1e-6"]},
                                  "max_iter": 500}}
    out = expand_sweeps(methods)
    assert len(out) == 15
    body = out["hadamard_depth[depth=3,alpha=1e-4]"]
    assert body == {"method": "hadamard_depth", "max_iter": 500, "depth": 3, "alpha": 1e-4}
    assert list(out)[:2] == ["hadamard_depth[depth=2,alpha=0.1]",
                             "hadamard_depth[depth=2,alpha=0.01]"]
    assert all(SAFE.match(label) for label in out)


def test_unswept_entries_keep_their_place_and_body():
    methods = {"dglnn2": {}, "h": {"method": "hadamard", "sweep": {"alpha": [1e-3]}}, "lasso": None}
    out = expand_sweeps(methods)
    assert list(out) == ["dglnn2", "h[alpha=0.001]", "lasso"]
    assert out["h[alpha=0.001]"]["method"] == "hadamard"
    assert out["lasso"] is None


@pytest.mark.parametrize("value, text", [(1e-4, "1e-4"), (1e-6, "1e-6"), (0.1, "0.1"),
                                         (3, "3"), (2.5e6, "2.5e6"), (True, "true"), ("u4", "u4")])
def test_format_value(value, text):
    assert format_value(value) == text
    assert sweep_label("m", {"a": value}) == f"m[a={text}]"


@pytest.mark.parametrize("body, match", [
    ({"sweep": {}}, "methods.m.sweep"),
    ({"sweep": {"alpha": []}}, "methods.m.sweep.alpha"),
    ({"sweep": {"alpha": 0.1}}, "methods.m.sweep.alpha"),
    ({"sweep": {"alpha": [0.1]}, "alpha": 0.2}, "also fixed"),
    ({"sweep": {"method": ["lasso"]}}, "cannot be swept"),
    ({"sweep": {"v_step": ["a/b"]}}, "cannot be written into a label"),
    ({"sweep": {"alpha": [0.1, 0.1]}}, "repeated value"),
])
def test_bad_sweeps_name_the_key(body, match):
    with pytest.raises(SweepError, match=re.escape(match)):
        expand_sweeps({"m": body})


def _config(methods):
    return {"grid": {"p": [32], "group_size": [4], "active_groups": [1], "n": [16],
                     "sigma": [0.0], "design": ["rademacher"]},
            "trials": 2, "methods": methods}


def test_load_config_expands_and_validates_swept_values():
    config = load_config(_config({"hadamard_depth": {"sweep": {"depth": [2, 3], "alpha": ["1e-2"]}}}))
    assert list(config["methods"]) == ["hadamard_depth[depth=2,alpha=0.01]",
                                       "hadamard_depth[depth=3,alpha=0.01]"]
    # swept values go through make_method like any other hyperparameter
    with pytest.raises(ConfigError, match=r"methods\.hadamard_depth\[depth=1,alpha=0\.01\]"):
        load_config(_config({"hadamard_depth": {"sweep": {"depth": [1, 2], "alpha": [0.01]}}}))
    with pytest.raises(ConfigError, match="unknown parameter 'alpa'"):
        load_config(_config({"hadamard_depth": {"sweep": {"alpa": [0.01]}}}))
    with pytest.raises(ConfigError, match="methods.hadamard_depth.sweep"):
        load_config(_config({"hadamard_depth": {"sweep": {"alpha": "0.1"}}}))


def test_all_combinations_see_the_same_problems():
    config = load_config(_config({"hadamard_depth": {"sweep": {"depth": [2, 3]}}, "dglnn2": {}}))
    cells, _ = expand_cells(config)
    # the seed (and so the problem) derives from the cell and trial only, not the method
    a, b = cells[0].problem(config, 1), cells[0].problem(config, 1)
    assert a.seed == b.seed and (a.X == b.X).all()
    plain = load_config(_config({"dglnn2": {}}))
    assert cells[0].problem(plain, 1).seed == a.seed
