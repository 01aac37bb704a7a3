"""Snakemake settings that make reading the workflow cheaper, for the Snakefile.

:func:`params_without_pandas`: to decide whether a step's parameters changed
since its last run, Snakemake (9.x, ``snakemake.persistence.PersistenceBase``)
serialises each parameter, and when pandas is installed it imports pandas
first (0.3 s, a fifth of a build with nothing to do) in case a parameter is a
data frame. No
parameter of this workflow is one (they are strings, numbers, lists and
dicts from config.yaml), and for every other value Snakemake's pandas-aware
serialiser returns exactly what its built-in one does, so this selects the
built-in one: the same decisions, without the import. If a later Snakemake
no longer has these names, nothing is changed.
"""

from __future__ import annotations

__all__ = ["params_without_pandas"]


def params_without_pandas() -> bool:
    """Serialise step parameters without importing pandas; True when applied."""
    try:
        from snakemake.persistence import PersistenceBase
    except ImportError:
        return False
    current = PersistenceBase.__dict__.get("_serialize_param")
    if not isinstance(current, property) or not hasattr(
        PersistenceBase, "_serialize_param_builtin"
    ):
        return False
    PersistenceBase._serialize_param = property(lambda self: self._serialize_param_builtin)
    return True
