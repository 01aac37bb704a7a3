"""Journal profiles: what one journal asks of a submission, read from a YAML file.

A profile is ``profiles/<name>.yaml`` (or any path to such a file), checked
against ``schemas/profile.schema.yaml``, which also gives every key its
default. A profile may start from another one (``extends:``) and change only
some keys. Relative paths inside a profile (``csl``, ``docx.reference``,
``pdf.font_paths``) are relative to the project folder, like config.yaml's.
See docs/journal-profiles.md.
"""

from __future__ import annotations

import copy
import functools
import os
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import yaml

from reviewkit.errors import InputError
from reviewkit.fast_yaml import safe_load
from reviewkit.paths import PROFILE_SCHEMA, PROFILES_DIR

__all__ = [
    "DECLARATIONS",
    "PROFILES_DIR",
    "PROFILE_SCHEMA",
    "load_profile",
    "profile_name",
    "profile_path",
    "profile_sources",
    "referenced_files",
]

#: A review's own profiles (``profiles/`` in the review folder) are found before
#: the ones shipped with the tool, so a journal profile can live with the review.
REVIEW_PROFILES_DIR = Path("profiles")
#: The declarations a profile can require, as keys of `declarations:` in
#: manuscript/metadata.yaml, in the order they are printed.
DECLARATIONS = (
    "funding",
    "competing-interests",
    "data-availability",
    "author-contributions",
    "ai-use",
)
#: The citation style when neither config.yaml nor the profile names one (APA 7).
DEFAULT_CSL = "apa"


def _looks_like_path(value: str) -> bool:
    return value.endswith((".yaml", ".yml")) or "/" in value or os.sep in value


def effective_style(config_csl: str | None, profile_csl: str | None) -> str:
    """The citation style of a build: config.yaml's, else the profile's, else APA 7."""
    return config_csl or profile_csl or DEFAULT_CSL


def shown_source(path: os.PathLike[str] | str, review: os.PathLike[str] | str = ".") -> str:
    """A profile file as the documents of a build name it, the same on every
    machine and without the folders of whoever built it (checks.json goes to the
    journal): ``profiles/NAME.yaml (built in)`` for one of the tool's (also when the
    review is the tool's own folder, as the example is), relative to the review
    folder when the file is inside it, else its file name."""
    resolved = Path(path).resolve()
    review = Path(review).resolve()
    if resolved.is_relative_to(PROFILES_DIR.resolve()):
        return f"profiles/{resolved.relative_to(PROFILES_DIR.resolve()).as_posix()} (built in)"
    if resolved.is_relative_to(review):
        return resolved.relative_to(review).as_posix()
    return resolved.name


def profile_name(profile: str) -> str:
    """The name of a profile given by name or path: ``profiles/x.yaml`` -> ``x``."""
    return Path(profile).stem if _looks_like_path(profile) else profile


def profile_path(profile: str, profiles_dir: Path | str = PROFILES_DIR) -> Path:
    """The file of a profile given by name (``sinta-nursing``) or by path.

    A name is looked up in the review's own ``profiles/`` folder first, then in
    ``profiles_dir`` (the tool's shipped profiles); a path is relative to the
    review folder."""
    if _looks_like_path(profile):
        return Path(profile)
    own = REVIEW_PROFILES_DIR / f"{profile}.yaml"
    if own.is_file() and own.resolve().parent != PROFILES_DIR:
        return own
    return Path(profiles_dir) / f"{profile}.yaml"


def _read_yaml(path: Path) -> dict:
    if not path.is_file():
        folders = {path.parent, PROFILES_DIR, REVIEW_PROFILES_DIR}
        available = sorted({p.stem for d in folders if d.is_dir() for p in d.glob("*.yaml")})
        hint = f" (profiles available: {', '.join(available)})" if available else ""
        raise InputError(f"{path}: journal profile not found{hint}")
    try:
        data = safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        detail = " ".join(str(error).split())
        raise InputError(f"{path}: not valid YAML ({detail})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(
            f"{path}: expected a mapping of profile settings, got {type(data).__name__}"
        )
    return data


def _merge(base: dict, override: dict) -> dict:
    """``override`` on top of ``base``: maps merged key by key, anything else replaced."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _chain(path: Path, profiles_dir: Path) -> Iterator[tuple[Path, dict]]:
    """The profile file and the ones it extends, most specific first."""
    seen: list[Path] = []
    while True:
        if path.resolve() in seen:
            cycle = " -> ".join(str(p) for p in [*seen, path])
            raise InputError(f"{path}: extends: profiles extend each other in a circle ({cycle})")
        seen.append(path.resolve())
        data = _read_yaml(path)
        yield path, data
        parent = data.get("extends")
        if parent is None:
            return
        if not isinstance(parent, str) or not parent:
            raise InputError(f'{path}: extends: "{parent}" is not a profile name or path')
        path = profile_path(parent, profiles_dir)


def with_defaults(validator_class):
    """A validator class that fills in each property's schema default (the
    recipe from the jsonschema documentation)."""
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for key, subschema in properties.items():
                if "default" in subschema:
                    instance.setdefault(key, copy.deepcopy(subschema["default"]))
        yield from validate_properties(validator, properties, instance, schema)

    return jsonschema.validators.extend(validator_class, {"properties": set_defaults})


def _describe(error: jsonschema.ValidationError) -> str:
    key = ".".join(str(part) for part in error.absolute_path) or "(top level)"
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        allowed = ", ".join(error.schema.get("properties", {}))
        where = f"{key}." if error.absolute_path else ""
        return f"{where}{extra[0]}: unknown key; expected one of {allowed}"
    expected = {
        "enum": lambda: "one of " + ", ".join(str(v) for v in error.validator_value),
        "type": lambda: f"a value of type {error.validator_value}",
        "minimum": lambda: f"a number of at least {error.validator_value}",
        "maximum": lambda: f"a number of at most {error.validator_value}",
        "pattern": lambda: "a name containing {n}, the figure number (e.g. Fig{n})",
        "uniqueItems": lambda: "each item once",
    }.get(error.validator, lambda: error.message)()
    return f'{key}: "{error.instance}" is not valid; expected {expected}'


def _schema(path: Path) -> dict:
    """The profile schema, parsed once per process and file version (parsing its
    YAML takes 20 ms, and the workflow loads profiles several times when it starts)."""
    stat = path.stat()
    return _parsed_schema(str(path.resolve()), stat.st_mtime_ns, stat.st_size)  # read-only


@functools.lru_cache(maxsize=4)
def _parsed_schema(path: str, _mtime_ns: int, _size: int) -> dict:
    return safe_load(Path(path).read_text(encoding="utf-8"))


def language_mismatch(profile: dict, language: str) -> str | None:
    """The line saying that the profile requires another language than config.yaml's,
    or None (the Snakefile checks it first, the assemble step again)."""
    required = profile.get("language")
    if not required or required == language:
        return None
    return (
        f"config.yaml: language: {language} does not match profile {profile['name']}, "
        f"which requires language: {required} (set language: {required} and write "
        "the manuscript in that language, or choose another profile)"
    )


def load_profile(
    profile: str,
    *,
    profiles_dir: Path | str = PROFILES_DIR,
    schema_path: Path | str = PROFILE_SCHEMA,
) -> dict:
    """The profile with ``extends:`` resolved and every default filled in.

    ``profile`` is a name in ``profiles_dir`` or a path to a YAML file. The
    result has ``name`` (the file's stem) and ``source`` (the file) added.
    A mistake raises :class:`InputError` naming the file, key, value and what
    was expected, e.g. ``profiles/x.yaml: docx.line_spacing: "double" is not
    valid; expected a value of type number``.

    The workflow asks for the same profile about ten times while the Snakefile
    is read: a result is kept per process and returned (as a copy) while none
    of its files changed (modification time and size) and the files it names
    still exist.
    """
    key = (profile, str(Path(profiles_dir).resolve()), str(schema_path), os.getcwd())
    cached = _PROFILES.get(key)
    if cached is not None:
        merged, stamps = cached
        current = (
            stamps[0][0] == str(profile_path(profile, Path(profiles_dir)))
            and all(_stamp(Path(stamp[0])) == stamp for stamp in stamps)
            and all(Path(file).exists() for file in referenced_files(merged))
        )
        if current:
            return copy.deepcopy(merged)
    merged, stamps = _load_profile(profile, profiles_dir=profiles_dir, schema_path=schema_path)
    _PROFILES[key] = (copy.deepcopy(merged), stamps)
    return merged


#: load_profile's results of this process: key -> (profile, stamps of its files).
_PROFILES: dict[tuple, tuple[dict, tuple]] = {}


def _stamp(path: Path) -> tuple[str, int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (str(path), -1, -1)
    return (str(path), stat.st_mtime_ns, stat.st_size)


def _load_profile(
    profile: str,
    *,
    profiles_dir: Path | str = PROFILES_DIR,
    schema_path: Path | str = PROFILE_SCHEMA,
) -> tuple[dict, tuple]:
    """See :func:`load_profile`; also returns the (file, modification time,
    size) of each profile file read, to tell whether a cached result is current."""
    profiles_dir = Path(profiles_dir)
    path = profile_path(profile, profiles_dir)
    layers = list(_chain(path, profiles_dir))
    merged: dict = {}
    for _, data in reversed(layers):
        merged = _merge(merged, data)
    validator = with_defaults(jsonschema.Draft202012Validator)(_schema(Path(schema_path)))
    errors = sorted(validator.iter_errors(merged), key=lambda e: list(e.absolute_path))
    if errors:
        raise InputError([f"{path}: {_describe(error)}" for error in errors])
    merged["name"] = profile_name(profile)
    merged["source"] = str(path)
    for file in referenced_files(merged):
        if not Path(file).exists():
            raise InputError(
                f"{path}: {file}: no such file or folder (paths are relative to the review folder)"
            )
    read = [path for path, _ in layers] + [Path(schema_path)]
    return merged, tuple(_stamp(path) for path in read)


def referenced_files(profile: dict) -> list[str]:
    """Files the profile points to: the journal's Word template, its .csl file, font folders."""
    files = []
    reference = profile.get("docx", {}).get("reference")
    if reference:
        files.append(reference)
    csl = profile.get("csl")
    if csl and (csl.endswith(".csl") or "/" in csl or os.sep in csl):
        files.append(csl)
    files += profile.get("pdf", {}).get("font_paths", [])
    return files


def profile_sources(profile: str, profiles_dir: Path | str = PROFILES_DIR) -> list[str]:
    """Every file a build with this profile reads the profile from: the YAML
    files (itself and those it extends) and the files they refer to. For
    Snakemake inputs: never raises, a broken profile is reported by the step
    that loads it."""
    profiles_dir = Path(profiles_dir)
    try:
        files = [str(path) for path, _ in _chain(profile_path(profile, profiles_dir), profiles_dir)]
        return files + [
            f
            for f in referenced_files(load_profile(profile, profiles_dir=profiles_dir))
            if Path(f).is_file()
        ]
    except (InputError, OSError):  # the step that loads the profile says what is wrong
        path = profile_path(profile, profiles_dir)
        return [str(path)] if path.is_file() else []
