"""Fill the manuscript's Markdown templates with numbers from the data.

Section files are Jinja2 templates: `{{ n_studies }}` is a named placeholder
whose value comes from results/stats/summary.json. Numbers are written in the
manuscript's language automatically (Indonesian 0,3 and 1.234), so no number
in the prose is typed by hand. A placeholder that does not exist stops the
build with the file and line.

Jinja's comment syntax `{# #}` would swallow pandoc attributes such as
`{#fig-year}`, so comments are `{## ... ##}` here.

Safety (docs/security.md): templates run in Jinja's sandbox
(jinja2.sandbox.SandboxedEnvironment: no `__class__`, `__globals__` or other
underscore attributes, no unsafe methods); `{% include %}` and `{% import %}`
read only files inside the manuscript folder, or `tool:NAME` from the tool's
reviewkit/text/; every value a placeholder prints is data and is escaped as
literal text (reviewkit.safe_markdown), except the tool's own Markdown
(tables, figure paths). The text of the templates themselves is the author's
Markdown and stays Markdown. Any mistake becomes one line with file and line.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from reviewkit.errors import InputError
from reviewkit.i18n import message, plural
from reviewkit.numfmt import format_number, format_p, format_percent
from reviewkit.paths import TOOL_DIR
from reviewkit.rob import judgement_label
from reviewkit.safe_markdown import Markdown, literal
from reviewkit.text_blocks import measure_name
from reviewkit.vocabulary import Vocabulary

#: Texts that come with the tool, included as ``{% include "tool:NAME" %}``.
TOOL_TEXT_DIR = TOOL_DIR / "reviewkit" / "text"
TOOL_PREFIX = "tool:"


def interval_text(low: float, high: float, language: str, decimals: int = 2) -> str:
    """'0,53 hingga 1,39' / '0.53 to 1.39' (a range sign would read as a minus)."""
    word = message(language, "text.interval_to")
    return (
        f"{format_number(low, language, decimals)} {word} {format_number(high, language, decimals)}"
    )


def estimate_text(entry: dict, language: str, decimals: int = 2) -> str:
    """A pooled estimate with its confidence interval: '0,96 (IK 95%: 0,53 hingga 1,39)'
    (the order of the words: catalogue key text.estimate)."""
    return message(
        language,
        "text.estimate",
        estimate=format_number(entry["estimate"], language, decimals),
        ci=message(language, "text.ci"),
        level=format_percent(entry.get("level", 0.95), language),
        interval=interval_text(entry["ci_low"], entry["ci_high"], language, decimals),
    )


def join_words(items: list[str], language: str) -> str:
    """'a, b dan c' (Indonesian writes no serial comma) / 'a, b and c'."""
    items = [str(item) for item in items]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {message(language, 'text.and')} {items[-1]}"


def make_finalize(language: str) -> Callable[[object], object]:
    """What a placeholder prints: numbers in the language's format, data as literal
    text (reviewkit.safe_markdown.literal), the tool's own Markdown unchanged."""

    def finalize(value: object) -> object:
        if value is None:
            raise ValueError("the placeholder has no value in this review's data (it is empty)")
        if isinstance(value, Markdown):
            return value
        if isinstance(value, bool):
            return literal(value)
        if isinstance(value, int | float):
            return literal(format_number(value, language))
        return literal(value)

    return finalize


class TemplateLoader(jinja2.BaseLoader):
    """Templates from the manuscript folder, and ``tool:NAME`` from the tool's
    own text folder (reviewkit/text/); nothing else.

    A name is a relative path with ``/`` (``sections/02-methods.md``,
    ``parts/table-note.md``); ``..``, an absolute path, a drive or a backslash
    is refused, and so is a symbolic link that leads out of the folder.
    """

    def __init__(self, root: Path, tool_dir: Path = TOOL_TEXT_DIR):
        self.roots = {"": Path(root).resolve(), TOOL_PREFIX: Path(tool_dir).resolve()}
        self.loaded: set[str] = set()  # files read, to name the one an error is in

    def locate(self, name: str) -> Path:
        prefix = TOOL_PREFIX if name.startswith(TOOL_PREFIX) else ""
        relative = name[len(prefix) :]
        root = self.roots[prefix]
        parts = relative.split("/")
        if (
            not relative
            or relative.startswith("/")
            or "\\" in relative
            or ":" in relative
            or any(part in ("", ".", "..") for part in parts)
        ):
            raise TemplateOutside(
                f'"{name}" is not a file name inside {root}; write a relative path such as '
                f'"sections/part.md" (no "..", no absolute path), or "{TOOL_PREFIX}NAME" for '
                "a text of the tool"
            )
        path = root.joinpath(*parts)
        try:
            resolved = path.resolve(strict=True)
        except (FileNotFoundError, RuntimeError, OSError):
            raise jinja2.TemplateNotFound(name) from None
        if not resolved.is_relative_to(root):
            raise TemplateOutside(f'"{name}" leads outside {root} (a symbolic link)')
        if not resolved.is_file():
            raise jinja2.TemplateNotFound(name)
        return resolved

    def get_source(self, environment, template):
        path = self.locate(template)
        try:
            source = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise TemplateOutside(
                f'"{template}": byte {error.start} is not UTF-8 text; save it as UTF-8'
            ) from None
        mtime = path.stat().st_mtime
        self.loaded.add(str(path))
        return source, str(path), lambda: path.is_file() and path.stat().st_mtime == mtime


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja's cache of compiled templates, which never fails a build: a folder
    that cannot be written only means the templates are compiled again."""

    def dump_bytecode(self, bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _callables(named: dict) -> list[tuple[str, str]]:
    """Names of filters or tests with what Jinja passes them first (see
    :func:`keep_compiled_templates`)."""
    return sorted((name, str(getattr(f, "jinja_pass_arg", ""))) for name, f in named.items())


def keep_compiled_templates(environment: jinja2.Environment, folder: Path) -> None:
    """Keep the compiled code of ``environment``'s templates in ``folder``/__pycache__,
    as Python keeps a module's: compiling the tool's text blocks is most of the
    text step's time (0.3 s of 0.5 s), and their source changes only with the tool.

    Jinja finds a template's code by its name and file and checks its source's
    checksum; the code also depends on the environment's settings (delimiters,
    whitespace control, the sandbox, its filters and tests), so each combination
    has its own folder.
    Nothing is kept where Python keeps no bytecode either (PYTHONDONTWRITEBYTECODE)
    or when the folder cannot be made."""
    if sys.dont_write_bytecode:
        return
    settings = repr(
        (
            jinja2.__version__,
            type(environment).__qualname__,
            environment.block_start_string,
            environment.block_end_string,
            environment.variable_start_string,
            environment.variable_end_string,
            environment.comment_start_string,
            environment.comment_end_string,
            environment.line_statement_prefix,
            environment.line_comment_prefix,
            environment.trim_blocks,
            environment.lstrip_blocks,
            environment.newline_sequence,
            environment.keep_trailing_newline,
            environment.autoescape,
            environment.finalize is not None,
            sorted(environment.extensions),
            # the compiler checks each filter and test and how it is called (with the
            # context or not), so a changed filter must not reuse old code
            _callables(environment.filters),
            _callables(environment.tests),
        )
    )
    directory = (
        Path(folder) / "__pycache__" / f"jinja-{hashlib.sha256(settings.encode()).hexdigest()[:16]}"
    )
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    environment.bytecode_cache = _CompiledTemplates(str(directory))


class TemplateOutside(jinja2.TemplateError):
    """A template name that points outside the allowed folders."""


class _Environment(SandboxedEnvironment):
    """Jinja's sandbox; what a template writes (a whole file, a ``{% set %}``
    block, a macro) is Markdown of the author, in which every placeholder value
    has been escaped (see make_finalize)."""

    concat = staticmethod(lambda parts: Markdown("".join(parts)))


def make_environment(
    template_dir: Path, language: str, vocabulary: Vocabulary | None = None
) -> jinja2.Environment:
    """The sandboxed environment: no attribute starting with ``_``, no unsafe
    callables (jinja2.sandbox); templates only from ``template_dir`` and ``tool:``;
    `design_label` and `outcome_label` use the review's vocabulary.

    Not the immutable sandbox: templates build lists with ``.append`` (see
    manuscript/sections/04-hasil-pembahasan.md).
    """
    vocabulary = vocabulary or Vocabulary()
    environment = _Environment(
        loader=TemplateLoader(template_dir),
        undefined=jinja2.StrictUndefined,
        finalize=make_finalize(language),
        comment_start_string="{##",
        comment_end_string="##}",
        keep_trailing_newline=True,
        autoescape=False,  # Markdown, not HTML: finalize escapes for pandoc instead
    )
    environment.filters.update(
        {
            "num": lambda value, decimals=None: format_number(value, language, decimals),
            "pct": lambda value, decimals=0: format_percent(value, language, decimals),
            "p": lambda value, operator="=": format_p(value, operator, language),
            "join_words": lambda items: join_words(items, language),
            "estimate": lambda entry, decimals=2: estimate_text(entry, language, decimals),
            "interval": lambda low, high, decimals=2: interval_text(low, high, language, decimals),
            "design_label": lambda code: vocabulary.design_label(code, language),
            "outcome_label": lambda code: vocabulary.outcome(code).label(language) or code,
            "rob_label": lambda judgement: judgement_label(judgement, language),
            # "4 studi" / "4 studies": a count in brackets never reads as a citation number.
            "studies": lambda n: plural(
                language, "text.studies", int(n), format_number(int(n), language)
            ),
            "lcfirst": lambda text: text[:1].lower() + text[1:],  # mid-sentence, keeps "RCT"
            # The name of an effect measure from its code, from the catalogue (blocks.measures):
            # "logOR" -> "log odds ratio"; pooled_measure: as a pooled estimate is reported
            # ("odds ratio"). Never type a measure's name into a template.
            "measure": lambda code: measure_name(code, language),
            "pooled_measure": lambda code: measure_name(code, language, pooled=True),
            "exp": math.exp,  # back from a log scale (log risk ratio -> risk ratio)
            "year": lambda value: str(int(value)),  # years never take a thousands separator
        }
    )
    return environment


def _template_frame(error: BaseException, files: set[str]) -> tuple[str | None, int | None]:
    """(file, line) of the innermost template frame of an error raised while rendering."""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename in files:
            return frame.filename, frame.lineno
    return None, getattr(error, "lineno", None)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def render_template(
    template_file: Path, context: dict, language: str, root: Path | None = None
) -> Markdown:
    """Render one template file; every mistake in it becomes an InputError of one
    line naming the file and line. ``root``: the folder includes are read from
    (default: the template's own folder); the template must lie inside it."""
    template_file = Path(template_file)
    vocabulary = (
        Vocabulary.from_config(context.get("vocabulary")) if "vocabulary" in context else None
    )
    root = Path(root) if root is not None else template_file.parent
    environment = make_environment(root, language, vocabulary)
    loader: TemplateLoader = environment.loader  # type: ignore[assignment]
    try:
        name = template_file.resolve().relative_to(loader.roots[""]).as_posix()
    except ValueError:
        raise InputError(f"{template_file}: not inside the manuscript folder {root}") from None
    files = loader.loaded

    def where(error: BaseException) -> str:
        file, line = _template_frame(error, files)
        shown = file if file is not None else str(template_file)
        if file is not None and Path(file) == template_file.resolve():
            shown = str(template_file)
        return f"{shown}: line {line}" if line else shown

    try:
        return environment.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as error:
        shown = error.filename or str(template_file)
        if Path(shown) == template_file.resolve():
            shown = str(template_file)
        raise InputError(f"{shown}: line {error.lineno}: {_one_line(error.message)}") from None
    except jinja2.UndefinedError as error:
        names = ", ".join(sorted(context))
        raise InputError(
            f"{where(error)}: placeholder does not exist ({_one_line(error.message)}); "
            f"known top-level placeholders: {names}"
        ) from None
    except SecurityError as error:
        raise InputError(
            f"{where(error)}: not allowed in a template ({_one_line(error)}); a template can "
            "show values and use filters, not reach into Python"
        ) from None
    except TemplateOutside as error:
        raise InputError(f"{where(error)}: include or import refused: {error.message}") from None
    except jinja2.TemplateNotFound as error:
        raise InputError(
            f'{where(error)}: no template "{error.name}" in {root} to include or import'
        ) from None
    except (ValueError, TypeError) as error:
        raise InputError(f"{where(error)}: {_one_line(error)}") from None
    except Exception as error:  # anything else a template expression can raise
        raise InputError(f"{where(error)}: {type(error).__name__}: {_one_line(error)}") from None
