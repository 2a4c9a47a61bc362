"""Synthetic group-sparse regression problems.

A problem is the linear model of the DGLNN paper (Section 2)::

    y = X w* + xi,    xi ~ N(0, sigma^2 I_n),

with the p features partitioned into L disjoint groups G_1, ..., G_L and w* non-zero on
exactly ``s`` of them (every entry of an active group is non-zero).  A validation set
(X_val, y_val) is drawn independently from the same model; it is what a practitioner
would use to choose the stopping time.

Every random draw comes from ``numpy.random.SeedSequence(seed)``, split into independent
streams for the design, the signal, the noise and the validation set, so that changing
one ingredient (say ``n_val``) does not change the others.

Modules: :mod:`.options` (settings, defaults, checks), :mod:`.problem` (the drawn problem,
batches, group labels), :mod:`.random_designs` (design matrices by name), :mod:`.decoys`
(decoy columns), :mod:`.draw` (:func:`make_problem`), :mod:`.memory` (array sizes and the
memory check), :mod:`.seeds` (seeds from a grid cell).
"""

from ..errors import ProblemError, UserError
from .decoys import DECOY_LAYOUTS, add_decoys, decoy_columns, decoy_impossible
from .draw import make_problem
from .memory import available_memory, check_memory, format_bytes, problem_nbytes
from .options import (DEFAULTS, MAX_MAGNITUDE, MIN_MAGNITUDE, SIGNALS, ProblemOptions,
                      check_problem_options)
from .problem import Problem, group_labels, stack_problems
from .random_designs import DESIGN_DRAWS, DESIGNS
from .seeds import derive_seed

__all__ = [
    "ProblemError", "UserError", "DECOY_LAYOUTS", "add_decoys", "decoy_columns",
    "decoy_impossible", "make_problem", "available_memory", "check_memory", "format_bytes",
    "problem_nbytes", "DEFAULTS", "MAX_MAGNITUDE", "MIN_MAGNITUDE", "SIGNALS",
    "ProblemOptions", "check_problem_options", "Problem", "group_labels", "stack_problems",
    "DESIGN_DRAWS", "DESIGNS", "derive_seed",
]  # fmt: skip
