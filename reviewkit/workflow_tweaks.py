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

:func:`script_params_without_pandas`: likewise, before each job of a ``script:``
rule Snakemake (``snakemake.iocontainers.Snakemake._safely_store_params``)
imports pandas, numpy and polars to store data frames and arrays among the
parameters specially (0.25 s of a cold build's main process). When no parameter
is a value of those packages, what it stores is the parameters as they are,
which is what this does without the imports; otherwise Snakemake's own code runs.
"""

from __future__ import annotations

import sys

__all__ = ["params_without_pandas", "script_params_without_pandas"]

#: Modules whose values Snakemake stores specially in a script's parameters.
FRAME_MODULES = ("pandas", "numpy", "polars")


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


def script_params_without_pandas() -> bool:
    """Pass a script job's parameters without importing pandas; True when applied."""
    try:
        from snakemake.iocontainers import Params, Snakemake
    except ImportError:
        return False
    original = Snakemake.__dict__.get("_safely_store_params")
    if original is None or getattr(original, "reviewkit", False):
        return original is not None

    def store(self, params):
        if any(_from_frame_module(value) for value in params):
            return original(self, params)
        self._params_store = Params(toclone=list(params))
        self._params_types = {}
        self._params_store._take_names(params._get_names())
        return None

    store.reviewkit = True
    Snakemake._safely_store_params = store
    return True


def _from_frame_module(value) -> bool:
    module = type(value).__module__ or ""
    return module.split(".")[0] in FRAME_MODULES and module.split(".")[0] in sys.modules
