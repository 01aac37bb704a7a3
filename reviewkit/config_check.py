"""Check config.yaml against its schema with one plain line per mistake.

Snakemake's own `validate` (which the Snakefile still calls, to fill in
defaults) reports a mistake as a schema dump; this says which key, which
value, and what is allowed, and stops before any rule runs.
"""

from __future__ import annotations

import functools
import sys

import jsonschema

from reviewkit.fast_yaml import safe_load
from reviewkit.paths import CONFIG_SCHEMA


@functools.cache
def _schema(path: str) -> dict:
    """The parsed schema (read once per process; do not modify it)."""
    with open(path, encoding="utf-8") as handle:
        return safe_load(handle)


def config_problems(config: dict, schema_path: str, source: str = "config.yaml") -> list[str]:
    schema = _schema(str(schema_path))
    problems = []
    validator = jsonschema.Draft202012Validator(schema)
    for error in sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.path))):
        key = ".".join(str(part) for part in error.path) or "(top level)"
        if error.validator == "additionalProperties":
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            allowed = ", ".join(error.schema.get("properties", {}))
            problems += [
                f'{source}: key "{name}" is not known here; expected one of: {allowed}'
                for name in extra
            ]
            continue
        from reviewkit.validation import describe_rule  # imports pandas: only for a mistake

        problems.append(f"{source}: {key}: {describe_rule(error, repr(error.instance))}")
    return problems


def language_problems(
    config: dict, source: str = "config.yaml", schema_path: str = CONFIG_SCHEMA
) -> list[str]:
    """The language needs a message catalogue, and the configured journal profile (the
    schema's default when config.yaml names none) may require a language."""
    from reviewkit.errors import InputError
    from reviewkit.i18n import available_languages
    from reviewkit.profiles import language_mismatch, load_profile

    language = config.get("language")
    if not isinstance(language, str) or not language:
        return []
    known = available_languages()
    if language not in known:
        return [
            f'{source}: language: "{language}" has no message catalogue; expected one of: '
            f"{', '.join(known)} (or add reviewkit/locales/{language}.yaml, see docs/language.md)"
        ]
    name = config.get("profile") or _schema(str(schema_path))["properties"]["profile"]["default"]
    try:
        profile = load_profile(name)
    except InputError:
        return []  # the assemble step reports what is wrong with the profile
    problem = language_mismatch(profile, language)
    return [problem] if problem else []


def check_config(config: dict, schema_path: str, source: str = "config.yaml") -> None:
    """Print every problem and exit with status 1 when config.yaml has a mistake."""
    problems = config_problems(config, schema_path, source)
    problems = problems or language_problems(config, source, schema_path)
    if problems:
        for line in problems:
            print(f"ERROR: {line}", file=sys.stderr)
        sys.exit(1)


def fill_defaults(config: dict, schema_path: str) -> dict:
    """Fill in every default of the schema that ``config`` leaves out, nested
    ones included (the recipe of the jsonschema documentation, as Snakemake's
    ``snakemake.utils.validate`` does it, whose pandas import alone costs the
    workflow 0.3 s each time it is read); returns ``config``. Run after
    :func:`check_config`: a config with mistakes never gets here."""
    from reviewkit.profiles import with_defaults

    filling = with_defaults(jsonschema.Draft202012Validator)
    for _ in filling(_schema(str(schema_path))).iter_errors(config):
        pass  # the errors were reported by check_config
    return config


def or_exit(check, *args, **kwargs):
    """Run a check while the Snakefile is read; a mistake in the user's files
    prints its lines (no traceback) and stops before any step runs."""
    from reviewkit.errors import InputError

    try:
        return check(*args, **kwargs)
    except InputError as error:
        for line in error.lines:
            print(f"ERROR: {line}", file=sys.stderr)
        sys.exit(1)
