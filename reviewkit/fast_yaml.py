"""YAML read with libyaml when PyYAML has it, with PyYAML's own messages on a mistake.

Every step and the Snakefile read YAML (config, profiles, schemas, message
catalogues); PyYAML's pure-Python parser takes about 20 ms for a 20 KB file,
its libyaml binding (``yaml.CSafeLoader``, in the PyYAML wheels) a tenth of
that. Both build the same Python data. Their error messages differ, so a
file that does not parse is read again with the pure-Python loader, and the
error raised is the one users and tests already know (line, column, problem).
"""

from __future__ import annotations

import yaml

__all__ = ["FastSafeLoader", "safe_load"]

#: libyaml's safe loader when PyYAML was built with it, else the Python one.
FastSafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(stream, loader: type = FastSafeLoader, slow_loader: type = yaml.SafeLoader):
    """``yaml.safe_load`` through ``loader``; on a YAML error, the error of
    ``slow_loader`` (pure Python) for the same text. ``stream``: str, bytes or
    an open file."""
    text = stream.read() if hasattr(stream, "read") else stream
    try:
        return yaml.load(text, Loader=loader)  # a safe loader
    except yaml.YAMLError:
        if loader is slow_loader:
            raise
        return yaml.load(text, Loader=slow_loader)  # raises its own error
