"""Seeds derived from a grid cell and a trial index only."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np


def derive_seed(cell: dict[str, Any], trial: int) -> int:
    """A 63-bit seed determined by a grid cell's problem parameters and the trial index only.

    The cell is serialised as canonical JSON (sorted keys, numbers normalised so that
    ``0`` and ``0.0`` agree), hashed with SHA-256, and the first 8 bytes are the seed.
    Adding grid points or methods therefore never changes another cell's problems.
    """

    def canonical(value):
        if isinstance(value, bool) or value is None or isinstance(value, str):
            return value
        if isinstance(value, (int, float, np.integer, np.floating)):
            f = float(value)
            return int(f) if f.is_integer() else f
        if isinstance(value, dict):
            return {str(k): canonical(v) for k, v in value.items()}
        return [canonical(v) for v in value]

    payload = json.dumps([canonical(cell), int(trial)], sort_keys=True, separators=(",", ":"))
    return int.from_bytes(hashlib.sha256(payload.encode()).digest()[:8], "big") >> 1
