"""Data as literal text: pandoc reads back exactly the text that went in."""

from __future__ import annotations

import json
import string

import pypandoc
import pytest

from reviewkit.safe_markdown import Markdown, as_markdown, citation, literal

PAYLOADS = [
    string.punctuation,
    "![x](/etc/passwd) <img src=/etc/passwd> [a](http://example.org)",
    '`<script>alert(1)</script>`{=html} `x`{=openxml} `#read("/x")`{=typst}',
    "^[footnote] $x^2$ @dewi2020 [@nonexistent] ~sub~ ^sup^ **b** _i_ [s]{.c}",
    "1. not a list",
    "# not a heading",
    "    not code",
    "| a | b |",
    "&lt;&#60; \\ \\\\ \\@ trailing \\",
    "-- --- ... 'q' \"dq\"",
]


def test_pandoc_reads_every_payload_back_as_the_same_text():
    # One pandoc run for all payloads: a paragraph each.
    markdown = "\n\n".join(literal(text) for text in PAYLOADS)
    blocks = json.loads(pypandoc.convert_text(markdown, "json", format="markdown"))["blocks"]
    assert len(blocks) == len(PAYLOADS)
    for text, block in zip(PAYLOADS, blocks, strict=True):
        assert block["t"] == "Para"
        assert all(inline["t"] in ("Str", "Space") for inline in block["c"]), block
        read = "".join(i["c"] if i["t"] == "Str" else " " for i in block["c"])
        assert read == " ".join(text.split())


def test_line_breaks_tabs_and_control_characters():
    assert literal("a\n\nb\tc\r\nd  e") == "a b c d e"
    assert literal("a\x00b\x1bc\x7f") == "abc"
    assert literal("non\xa0breaking") == "non\xa0breaking"  # a character of the text


def test_markdown_is_passed_through_only_where_asked():
    table = Markdown("| *a* |")
    assert as_markdown(table) is table
    assert as_markdown("*a*") == r"\*a\*"
    with pytest.raises(TypeError):
        literal(table)


@pytest.mark.parametrize(("key", "expected"), [("dewi2020", "@dewi2020"), ("a-", "@{a-}")])
def test_citations_of_valid_keys(key, expected):
    assert citation(key) == expected and isinstance(citation(key), Markdown)


@pytest.mark.parametrize("key", ["a b", "x]{.y}", "@x", "", "1abc"])
def test_anything_else_is_no_citation(key):
    with pytest.raises(ValueError):
        citation(key)
