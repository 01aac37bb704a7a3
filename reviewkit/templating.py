"""Fill the manuscript's Markdown templates with numbers from the data.

Section files are Jinja2 templates: `{{ n_studies }}` is a named placeholder
whose value comes from results/stats/summary.json. Numbers are written in the
manuscript's language automatically (Indonesian 0,3 and 1.234), so no number
in the prose is typed by hand. A placeholder that does not exist stops the
build with the file and line.

Jinja's comment syntax `{# #}` would swallow pandoc attributes such as
`{#fig-year}`, so comments are `{## ... ##}` here.
"""

from __future__ import annotations

import math
import traceback
from collections.abc import Callable
from pathlib import Path

import jinja2

from reviewkit.designs import DESIGN_BY_CODE
from reviewkit.errors import InputError
from reviewkit.i18n import message, plural
from reviewkit.numfmt import format_number, format_p, format_percent
from reviewkit.rob import judgement_label


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
    def finalize(value: object) -> object:
        if value is None:
            raise ValueError("the placeholder has no value in this review's data (it is empty)")
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return format_number(value, language)
        return value

    return finalize


def make_environment(template_dir: Path, language: str) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        undefined=jinja2.StrictUndefined,
        finalize=make_finalize(language),
        comment_start_string="{##",
        comment_end_string="##}",
        keep_trailing_newline=True,
        autoescape=False,  # Markdown, not HTML
    )
    environment.filters.update(
        {
            "num": lambda value, decimals=None: format_number(value, language, decimals),
            "pct": lambda value, decimals=0: format_percent(value, language, decimals),
            "p": lambda value, operator="=": format_p(value, operator, language),
            "join_words": lambda items: join_words(items, language),
            "estimate": lambda entry, decimals=2: estimate_text(entry, language, decimals),
            "interval": lambda low, high, decimals=2: interval_text(low, high, language, decimals),
            "design_label": lambda code: DESIGN_BY_CODE[code].label(language),
            "rob_label": lambda judgement: judgement_label(judgement, language),
            # "4 studi" / "4 studies": a count in brackets never reads as a citation number.
            "studies": lambda n: plural(
                language, "text.studies", int(n), format_number(int(n), language)
            ),
            "lcfirst": lambda text: text[:1].lower() + text[1:],  # mid-sentence, keeps "RCT"
            "exp": math.exp,  # back from a log scale (log risk ratio -> risk ratio)
            "year": lambda value: str(int(value)),  # years never take a thousands separator
        }
    )
    return environment


def template_line(error: BaseException, template_file: Path) -> int | None:
    """The template line Jinja reports for an error raised while rendering."""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if Path(frame.filename).resolve() == template_file.resolve():
            return frame.lineno
    return getattr(error, "lineno", None)


def render_template(template_file: Path, context: dict, language: str) -> str:
    """Render one template file; user mistakes become an InputError naming file and line."""
    template_file = Path(template_file)
    environment = make_environment(template_file.parent, language)
    try:
        return environment.get_template(template_file.name).render(context)
    except jinja2.TemplateSyntaxError as error:
        raise InputError(f"{template_file}: line {error.lineno}: {error.message}") from None
    except jinja2.UndefinedError as error:
        line = template_line(error, template_file)
        names = ", ".join(sorted(context))
        raise InputError(
            f"{template_file}: line {line}: placeholder does not exist ({error.message}); "
            f"known top-level placeholders: {names}"
        ) from None
    except (ValueError, TypeError) as error:
        line = template_line(error, template_file)
        raise InputError(f"{template_file}: line {line}: {error}") from None
