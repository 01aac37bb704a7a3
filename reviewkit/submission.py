"""The submission folder: separate figure files, the supplementary spreadsheet,
the manifest with checksums and the zip, all with reproducible bytes.

* :func:`export_figures`: each figure of the manuscript, in its order, as the
  file a journal asks for (``Fig1.tif``: RGB without alpha, LZW, at the
  profile's dpi; or PNG; or the vector PDF). At the PNG's own resolution the
  PNG is converted (or copied as it is, when it is already an RGB PNG, as the
  figure step writes it); at any other resolution the figure is rendered anew from
  its vector PDF by typst (no upsampling of pixels).
* :func:`write_supplement`: the validated study table, every derived number
  (the JSON files of results/stats, flattened) and the result tables as one
  .xlsx (openpyxl), one sheet each, with a first sheet saying what each holds.
* :func:`assemble_package`: copy the parts into ``results/submission/<profile>/``,
  write ``MANIFEST.csv`` (file, purpose, bytes, SHA-256) and zip the folder.

Zip files (the .xlsx and the submission zip) are written with sorted entries
and fixed dates (the build date), so two builds give the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import re
import shutil
import time
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from reviewkit.errors import InputError

__all__ = [
    "Part",
    "assemble_package",
    "export_figures",
    "normalised_zip",
    "write_supplement",
    "zip_date",
]

#: File extension of each figure format of a profile.
FIGURE_EXTENSIONS = {"tiff": ".tif", "png": ".png", "pdf": ".pdf"}
#: Zip dates cannot be older than 1980-01-01.
ZIP_EPOCH_MIN = 315532800
MANIFEST = "MANIFEST.csv"


def zip_date(epoch: int) -> tuple[int, int, int, int, int, int]:
    """The build date (Unix seconds, UTC) as a zip entry date."""
    return time.gmtime(max(int(epoch), ZIP_EPOCH_MIN))[:6]


def _write_zip(target: Path, entries: Iterable[tuple[str, bytes]], epoch: int) -> None:
    """A zip with the entries sorted by name, all dated ``epoch``, deflated."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    with zipfile.ZipFile(tmp, "w") as archive:
        for name, data in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=zip_date(epoch))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, whatever machine builds it
            archive.writestr(info, data, compresslevel=9)
    os.replace(tmp, target)


def normalised_zip(data: bytes, target: Path | str, epoch: int) -> None:
    """Rewrite a zip (e.g. an .xlsx from openpyxl) with sorted entries and fixed
    dates, and with the document dates in ``docProps/core.xml`` set to the
    build date instead of the clock."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(max(int(epoch), ZIP_EPOCH_MIN)))
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = {name: source.read(name) for name in source.namelist()}
    if "docProps/core.xml" in entries:
        entries["docProps/core.xml"] = re.sub(
            rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
            rb"\g<1>" + stamp.encode() + rb"\g<2>",
            entries["docProps/core.xml"],
        )
    _write_zip(Path(target), entries.items(), epoch)


# --------------------------------------------------------------- figures ---


def _rendered_from_pdf(pdf: Path, dpi: int, root: Path) -> Image.Image:
    """The vector PDF of a figure rasterised by typst at ``dpi``."""
    import typst

    try:
        relative = pdf.resolve().relative_to(root.resolve())
    except ValueError:
        raise InputError(f"{pdf}: figure outside the project folder {root}") from None
    source = (
        "#set page(width: auto, height: auto, margin: 0pt)\n"
        f"#image({json.dumps('/' + relative.as_posix())})\n"
    )
    png = typst.compile(
        source.encode(), root=str(root.resolve()), format="png", ppi=dpi, ignore_system_fonts=True
    )
    return Image.open(io.BytesIO(png))


def _ready_png(png: Path, dpi: int) -> bool:
    """Whether the PNG already is RGB at ``dpi``, as reviewkit.figures.save_figure
    writes it: then it is copied byte for byte, not decoded and encoded again."""
    with Image.open(png) as image:  # reads the header only
        own = image.info.get("dpi")
        return image.format == "PNG" and image.mode == "RGB" and bool(own) and round(own[0]) == dpi


def _raster(png: Path, dpi: int, root: Path) -> Image.Image:
    """The figure at ``dpi`` as an RGB image on white (no alpha channel)."""
    with Image.open(png) as image:
        own = image.info.get("dpi")
        if own and round(own[0]) == dpi:
            picture = image.copy()
        else:
            pdf = png.with_suffix(".pdf")
            if not pdf.is_file():
                have = f"{round(own[0])} dpi" if own else "of unknown resolution"
                raise InputError(
                    f"{png}: the figure is {have}, the profile asks for {dpi} dpi, and there is "
                    f"no vector {pdf.name} beside it to render it from"
                )
            picture = _rendered_from_pdf(pdf, dpi, root)
    if picture.mode in ("RGBA", "LA", "P"):
        rgba = picture.convert("RGBA")
        white = Image.new("RGBA", rgba.size, "white")
        picture = Image.alpha_composite(white, rgba)
    return picture.convert("RGB")


def export_figures(
    figures: Sequence[Path | str],
    folder: Path | str,
    *,
    format: str,
    dpi: int,
    root: Path | str = ".",
) -> list[Path]:
    """Write each figure as its own file in the profile's format, named after the
    figure (``forest.tif``); the submission package numbers them in manuscript
    order (:func:`package_parts`), so an edit of the text never reruns this.

    ``figures``: the PNGs (``results/figures/x.png``), each with its vector PDF
    beside it. Returns the files written.
    """
    folder, root = Path(folder), Path(root)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for figure in figures:
        source = root / figure
        target = folder / (source.stem + FIGURE_EXTENSIONS[format])
        if format == "pdf":
            vector = source.with_suffix(".pdf")
            if not vector.is_file():
                raise InputError(
                    f"{source}: the profile asks for PDF figures and there is no "
                    f"vector {vector.name} beside it"
                )
            shutil.copyfile(vector, target)
        elif format == "tiff":
            _raster(source, dpi, root).save(
                target, format="TIFF", compression="tiff_lzw", dpi=(dpi, dpi)
            )
        elif _ready_png(source, dpi):
            shutil.copyfile(source, target)  # already what the journal asks for
        else:
            _raster(source, dpi, root).save(target, format="PNG", dpi=(dpi, dpi), optimize=True)
        written.append(target)
    return written


# ------------------------------------------------------------ supplement ---


def _cell(value: object) -> object:
    """A value openpyxl writes: numbers stay numbers, missing values stay empty."""
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _flatten(data: object, prefix: str = "") -> tuple[list[tuple[str, object]], dict[str, list]]:
    """Scalars as (dotted key, value) rows; lists of records as tables of their own."""
    rows: list[tuple[str, object]] = []
    tables: dict[str, list] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            inner_rows, inner_tables = _flatten(value, f"{prefix}.{key}" if prefix else str(key))
            rows += inner_rows
            tables.update(inner_tables)
    elif isinstance(data, list) and data and all(isinstance(item, dict) for item in data):
        tables[prefix] = data
    else:
        rows.append((prefix, data))
    return rows, tables


def as_text(sheet) -> None:
    """Every text cell of an openpyxl sheet stays text: openpyxl takes a string
    starting with "=" as a formula, and Excel or LibreOffice would run it
    (=HYPERLINK(...), =1+1, DDE). The cell type "s" stores it as a shared
    string, unchanged (no apostrophe prefix that would alter the value)."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"


def _sheet_name(name: str, taken: set[str]) -> str:
    clean = re.sub(r"[\[\]:*?/\\]", "_", name)[:31]
    candidate, number = clean, 2
    while candidate.lower() in taken:
        suffix = f"~{number}"
        candidate, number = clean[: 31 - len(suffix)] + suffix, number + 1
    taken.add(candidate.lower())
    return candidate


def write_supplement(
    output: Path | str,
    *,
    studies: Path | str,
    json_files: Sequence[Path | str] = (),
    tables: Sequence[Path | str] = (),
    epoch: int,
) -> None:
    """The supplementary spreadsheet: a sheet per source, and an index sheet first."""
    import pandas as pd
    from openpyxl import Workbook
    from openpyxl.styles import Font

    sheets: list[tuple[str, str, list[str], list[list]]] = []  # name, about, header, rows

    def add_csv(path: Path, about: str) -> None:
        frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
        rows = [[_cell(v) for v in record] for record in frame.itertuples(index=False)]
        sheets.append((path.stem, f"{about} ({path})", list(frame.columns), rows))

    add_csv(Path(studies), "the study table as validated and used by every step")
    for source in map(Path, json_files):
        data = json.loads(source.read_text(encoding="utf-8"))
        rows, record_tables = _flatten(data)
        sheets.append(
            (
                source.stem,
                f"numbers derived from the studies ({source}), one per row, "
                "keys as dotted paths into the file",
                ["key", "value"],
                [[key, _cell(value)] for key, value in rows],
            )
        )
        for key, records in record_tables.items():
            header = list(dict.fromkeys(k for record in records for k in record))
            sheets.append(
                (
                    f"{source.stem}.{key}",
                    f"{key} in {source}",
                    header,
                    [[_cell(record.get(k)) for k in header] for record in records],
                )
            )
    for table in map(Path, tables):
        add_csv(table, "a table of the manuscript")

    workbook = Workbook()
    index = workbook.active
    index.title = "contents"
    index.append(["sheet", "contents"])
    taken = {"contents"}
    bold = Font(bold=True)
    for name, about, header, rows in sheets:
        title = _sheet_name(name, taken)
        index.append([title, about])
        sheet = workbook.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        as_text(sheet)
        for cell in sheet[1]:
            cell.font = bold
        sheet.freeze_panes = "A2"
    as_text(index)
    for cell in index[1]:
        cell.font = bold
    index.column_dimensions["A"].width = 32
    index.column_dimensions["B"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    normalised_zip(buffer.getvalue(), output, epoch)


# --------------------------------------------------------------- package ---


@dataclass(frozen=True)
class Part:
    """One file of the submission folder."""

    source: Path
    name: str  # file name in the folder
    purpose: str


def sha256(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def assemble_package(
    parts: Sequence[Part], folder: Path | str, zip_path: Path | str, *, epoch: int
) -> list[dict]:
    """Copy ``parts`` into ``folder`` (emptied first), write MANIFEST.csv, zip the folder.

    The zip holds ``<folder name>/<file>`` for every part and the manifest.
    Returns the manifest rows.
    """
    folder, zip_path = Path(folder), Path(zip_path)
    names = [part.name for part in parts]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates or MANIFEST in names:
        raise InputError(
            f"{folder}: two files would be called {', '.join(duplicates or [MANIFEST])}"
        )
    if folder.exists():  # a folder of an earlier build: start afresh
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    rows = []
    for part in parts:
        target = folder / part.name
        shutil.copyfile(part.source, target)
        rows.append(
            {
                "file": part.name,
                "purpose": part.purpose,
                "bytes": target.stat().st_size,
                "sha256": sha256(target),
            }
        )
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=["file", "purpose", "bytes", "sha256"], lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(rows)
    (folder / MANIFEST).write_text(buffer.getvalue(), encoding="utf-8")
    entries = [
        (f"{folder.name}/{name}", (folder / name).read_bytes()) for name in [*names, MANIFEST]
    ]
    _write_zip(zip_path, entries, epoch)
    return rows


def package_parts(
    settings: dict,
    checks: dict,
    *,
    manuscript_docx: Path | str,
    checks_file: Path | str,
    manuscript_pdf: Path | str | None = None,
    title_page: Path | str | None = None,
    tables: Path | str | None = None,
    figures_folder: Path | str | None = None,
    supplement: Path | str | None = None,
    supplement_tables: tuple[Path | str, Path | str] | None = None,
) -> list[Part]:
    """The files of a profile's submission folder, each with its purpose, in
    the order a journal's upload form asks for them. A file the profile does
    not want is passed as None. ``supplement_tables``: the DOCX and PDF of a large
    review's supplementary tables (reviewkit.large_review)."""
    name = settings["name"]
    masked = " without author names (masked review)" if settings["anonymised"] else ""
    parts = [
        Part(
            Path(manuscript_docx),
            "manuscript.docx",
            f"Manuscript, Word, journal profile {name}{masked}",
        )
    ]
    if manuscript_pdf is not None:
        standard = settings["pdf"]["standard"]
        kind = f"PDF/{standard[2:].upper()}" if standard else "PDF"
        parts.append(
            Part(
                Path(manuscript_pdf),
                "manuscript.pdf",
                f"Manuscript, {kind}, the same text as the Word file{masked}",
            )
        )
    if title_page is not None:
        parts.append(
            Part(
                Path(title_page),
                "title-page.docx",
                "Title page: authors, affiliations, ORCID iDs, corresponding author, "
                "running title, counts, keywords, declarations",
            )
        )
    if figures_folder is not None:
        figures = settings["figures"]
        detail = {
            "tiff": f"TIFF, RGB without alpha, LZW, {figures['dpi']} dpi",
            "png": f"PNG, RGB, {figures['dpi']} dpi",
            "pdf": "PDF, vector",
        }[figures["format"]]
        extension = FIGURE_EXTENSIONS[figures["format"]]
        for number, figure in enumerate(checks["counts"]["figures"], start=1):
            name = figures["name"].format(n=number) + extension
            parts.append(
                Part(
                    Path(figures_folder) / (Path(figure["source"]).stem + extension),
                    name,
                    f"Figure {number} ({figure['id'] or figure['source']}), {detail}",
                )
            )
    if tables is not None:
        parts.append(
            Part(
                Path(tables),
                "tables.docx",
                "Tables with their captions as editable Word tables, numbered as in the manuscript",
            )
        )
    if supplement is not None:
        parts.append(
            Part(
                Path(supplement),
                "supplementary-data.xlsx",
                "Supplementary data: the extracted study table, every derived number "
                "and the result tables",
            )
        )
    if supplement_tables is not None:
        what = "Supplementary tables S1 (characteristics of each study) and S2 (effect sizes)"
        for source, kind in zip(supplement_tables, ("Word", "PDF"), strict=True):
            if source is not None:  # no PDF above large_review.supplement_pdf_up_to
                parts.append(Part(Path(source), Path(source).name, f"{what}, {kind}"))
    parts.append(
        Part(
            Path(checks_file),
            "checks.json",
            "Checks against the profile: word and keyword counts, limits, declarations, "
            "placeholders still to fill",
        )
    )
    return parts
