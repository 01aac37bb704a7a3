"""Text helpers shared by the readers and the deduplication: decoding files and
normalising DOIs, titles, years and author names for comparison.

Normalised values are keys for matching only; the records keep the text as
exported (the DOI is the one exception: it is stored normalised, lower case
and without a resolver prefix, because DOIs are case-insensitive by
definition, DOI Handbook §2.4).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote

from reviewkit.errors import InputError

BOM_UTF8 = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_text(path: Path, shown: str | None = None) -> str:
    """The file's text: UTF-8 with or without a byte-order mark; anything else
    is one line naming the file, where decoding failed and how to fix it."""
    name = shown or str(path)
    data = path.read_bytes()
    if data.startswith(UTF16_BOMS):
        raise InputError(
            f"{name}: the file is UTF-16 text; save or export it as UTF-8 "
            "(in a text editor: Save As, encoding UTF-8) and run again"
        )
    if data.startswith(BOM_UTF8):
        data = data[len(BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start : error.start + 1].hex()
        raise InputError(
            f"{name}: line {line}: byte 0x{byte} is not UTF-8 text (the file is in another "
            "encoding, e.g. Windows-1252 or Latin-1); export it again as UTF-8, or open it "
            "in a text editor and save it with encoding UTF-8"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


# ------------------------------------------------------------------- DOI ---

DOI_PREFIXES = re.compile(
    r"^(?:https?://(?:dx\.)?doi\.org/|(?:dx\.)?doi\.org/|doi:\s*|doi\s+)", re.IGNORECASE
)
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")


def normalise_doi(value: object) -> str:
    """Lower case, without ``https://doi.org/``, ``http://dx.doi.org/`` or ``doi:``.

    Text that is not a DOI after that (``N/A``, a URL of a publisher) is
    returned stripped but otherwise unchanged; :func:`doi_key` tells the two
    apart.
    """
    text = str(value or "").strip()
    if not text:
        return ""
    stripped = DOI_PREFIXES.sub("", text).strip()
    if stripped != text and "%" in stripped:  # a DOI taken from a URL may be %-encoded
        stripped = unquote(stripped)
    candidate = stripped.lower()
    return candidate if DOI_PATTERN.match(candidate) else text


def doi_key(doi: str) -> str:
    """The DOI used for matching, or "" when the field holds no DOI."""
    key = normalise_doi(doi)
    return key if DOI_PATTERN.match(key) else ""


# ----------------------------------------------------------------- title ---

# Letters NFKD does not decompose into a base letter and a mark.
_FOLD = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i"})
_FOLD_MULTI = {"æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "TH"}
_MARKUP_TAG = re.compile(r"</?(?:i|b|u|em|strong|sup|sub|sc|scp|inf)\s*>", re.IGNORECASE)
_NOT_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Case-folded ASCII-ish text: diacritics removed (é -> e, ñ -> n)."""
    if text.isascii():
        return text.casefold()
    text = text.translate(_FOLD)
    for letter, replacement in _FOLD_MULTI.items():
        text = text.replace(letter, replacement)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def normalise_title(title: object) -> str:
    """Title as a matching key: case, diacritics, punctuation and spacing removed.

    Inline tags some exports carry (``<i>``, ``<sup>``) are dropped from the key;
    letters of any script are kept.
    """
    text = _MARKUP_TAG.sub("", str(title or ""))
    return " ".join(_NOT_WORD.sub(" ", fold(text)).split())


# ------------------------------------------------------------------ year ---

YEAR_PATTERN = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")


def extract_year(value: object) -> int | None:
    """The first four-digit year in "2020///", "2020 May 4", "2020-05-04" or 2020.0."""
    if value is None:
        return None
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        value = int(value)
    match = YEAR_PATTERN.search(str(value))
    return int(match.group(1)) if match else None


# --------------------------------------------------------------- authors ---

# "J.", "J.A.", "J-A.", "JA" (MEDLINE initials), "A" — not a surname.
_INITIALS = re.compile(r"^(?:[^\W\d_](?:[.-]|\.-)?){1,3}\.?$|^[A-Z]{1,3}$")


def _is_initials(token: str) -> bool:
    if token.isupper() and len(token) <= 3:
        return True
    return bool(_INITIALS.match(token)) and ("." in token or len(token) == 1)


def split_authors(value: object) -> list[str]:
    """One exported author string as a list of names.

    ``;`` separates authors when present (Scopus, Web of Science); otherwise
    commas do, and a piece made of initials only is joined to the name before
    it ("Smith, J., Doe, A." -> ["Smith, J.", "Doe, A."]; Publish or Perish:
    "A. Šuňovská, V. Hasíková" -> two names). BibTeX's " and " is handled
    by the BibTeX reader.
    """
    text = str(value or "").strip()
    if not text:
        return []
    pieces = text.split(";") if ";" in text else text.split(",")
    names: list[str] = []
    for piece in (p.strip() for p in pieces):
        if not piece:
            continue
        if names and ";" not in text and all(_is_initials(t) for t in piece.split()):
            names[-1] = f"{names[-1]}, {piece}"
        else:
            names.append(piece)
    return names


def surname(name: object) -> str:
    """The family name in "Smith, J.", "Smith J.", "Smith JA", "J. Smith",
    "van der Berg A" or "Dewi Sartika" (given name first: the last word)."""
    text = " ".join(str(name or "").split())
    if not text:
        return ""
    if "," in text:
        return text.split(",", 1)[0].strip()
    tokens = text.split(" ")
    kept = [t for t in tokens if not _is_initials(t)]
    if not kept:
        return tokens[0].rstrip(".")
    if len(kept) == len(tokens) and len(tokens) > 1:
        return tokens[-1]  # "Dewi Sartika": given names first
    return " ".join(kept)


def name_tokens(name: str) -> frozenset[str]:
    """Normalised words of a name, without single letters (initials)."""
    return frozenset(t for t in normalise_title(name).split() if len(t) > 1)
