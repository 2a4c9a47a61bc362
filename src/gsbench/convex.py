"""Compatibility name: the convex references live in :mod:`gsbench.methods.convex`.

Importing them from here keeps older scripts working; new code imports
``gsbench.methods.convex`` (the module ``group_bp`` and the claims use).
"""

from .methods.convex import Certificate, basis_pursuit, group_basis_pursuit

__all__ = ["Certificate", "basis_pursuit", "group_basis_pursuit"]
