"""Real design matrices (bundled data sets and the user's file) for ``design="real"``.

See :mod:`.real` (drawing and curation), :mod:`.datasets` (``ames``, ``digits``) and
:mod:`.file` (the user's matrix).
"""

from .datasets import check_spec, load
from .real import RealDesign, curate, standardise

__all__ = ["RealDesign", "check_spec", "curate", "load", "standardise"]
