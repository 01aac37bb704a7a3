"""Text from data as inert pandoc Markdown, and the one type that is markup.

Everything that comes from a user's data (study cells, GRADE judgements,
numbers and words derived from them) reaches the manuscript through
:func:`literal`, which makes it plain text for pandoc's Markdown reader:

* every ASCII punctuation character is backslash-escaped. pandoc's Markdown
  has the ``all_symbols_escapable`` extension (on by default): ``\\X`` is a
  literal X for any punctuation X, outside code. So no emphasis, link, image,
  raw HTML/typst/OpenXML, citation, footnote, maths, span, list marker,
  heading or table pipe can start inside the text;
* line breaks, tabs and runs of spaces become one space, so the text cannot
  begin a block (an indented code block, a new paragraph, a list item);
* control characters are removed (pandoc and the DOCX/XLSX writers cannot
  hold them; the validation step refuses them with row and column first).

:class:`Markdown` marks a string as markup built by the tool itself (a table
whose cells went through :func:`literal`, a figure path, a citation of a
validated key). The template environment (reviewkit.templating) escapes every
plain ``str`` placeholder value and lets ``Markdown`` through unchanged.

Written here rather than taken from a library: the known escapers (markupsafe,
html.escape) escape for HTML, and pandoc's own writers would need a pandoc
process per value; this is pandoc's documented escaping rule in a few lines.
See docs/security.md.
"""

from __future__ import annotations

import re
import string

__all__ = ["CITATION_KEY", "Markdown", "as_markdown", "citation", "control_characters", "literal"]


class Markdown(str):
    """Trusted pandoc Markdown written by the tool (never data as such).

    Operations on it (``+``, ``.lower()``, Jinja's ``~`` ...) return a plain
    ``str``, which is escaped again: the safe direction.
    """

    __slots__ = ()


_PUNCTUATION = frozenset(string.punctuation)
#: C0 controls except tab/newline/carriage return, DEL, and the C1 controls.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACE = re.compile("[ \t\n\r\f\v\u2028\u2029]+")  # not NBSP: that one is text
#: Study ids / citation keys accepted as citations (schemas/studies.schema.yaml).
CITATION_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_:-]*$")


def control_characters(text: str) -> list[str]:
    """The control characters in ``text`` as ``U+0000``-style names (for messages)."""
    return sorted({f"U+{ord(char):04X}" for char in CONTROL.findall(text)})


def literal(value: object) -> str:
    """``value`` as Markdown text that pandoc reads back as exactly this text
    (whitespace collapsed to single spaces, control characters dropped)."""
    if isinstance(value, Markdown):
        raise TypeError("literal() of Markdown: the value is markup already")
    text = _SPACE.sub(" ", CONTROL.sub("", str(value)))
    return "".join("\\" + char if char in _PUNCTUATION else char for char in text)


def citation(key: str) -> Markdown:
    """``@key``: a narrative citation of a study id that passed validation."""
    if not CITATION_KEY.match(key):
        raise ValueError(f"not a citation key: {key!r}")
    # @{key}: braces keep a trailing ":" or "-" inside the key (pandoc's syntax).
    return Markdown(f"@{{{key}}}" if key[-1] in ":-" else f"@{key}")


def as_markdown(value: object) -> str:
    """A table cell or placeholder value as Markdown: ``Markdown`` as it is,
    anything else through :func:`literal`."""
    return value if isinstance(value, Markdown) else literal(value)
