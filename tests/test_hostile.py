"""Hostile and broken input (issue 12): data stays text, nothing outside the review
is read, nothing is fetched, every mistake is one line, interrupted builds recover.

One review is built once for the whole module: the example study table with a
payload in every text column that reaches the manuscript (Table 1's location,
design, sample and result columns), in the authors (figures) and in the
supplementary spreadsheet. That build is also the fault test: it is started,
a second build in the same folder is refused, the first is killed with SIGKILL
in the middle, and the rebuild (without a network when the machine allows
``unshare``) must recover by itself, with the data and manuscript folders made
read-only. Then every payload is looked up in every output: DOCX (the
manuscript and the submission's tables.docx), HTML, PDF, the figures, the
xlsx and the submission zip. Everything else calls library functions or reads
the workflow (no build).

The suite fails if a payload is interpreted (it must appear as the literal
text), if a file from outside the review appears in an output, or if a Python
traceback reaches the user.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import docx
import openpyxl
import pypdf
import pytest
import yaml
from conftest import ROOT, read_rows, write_rows

from reviewkit.errors import InputError, run_step
from reviewkit.paths import STUDIES_SCHEMA
from reviewkit.reproducible import copy_review
from reviewkit.validation import InclusionWindow, validate_studies

#: The tests that read the one full build (the rest calls library functions).
E2E = pytest.mark.e2e

# ----------------------------------------------------------------- payloads ---

#: Each is written into a study cell; each must come out as exactly this text.
PAYLOADS = [
    '<img src="/etc/passwd">RSUD',
    "![img](/etc/passwd)",
    "![x](config.yaml)",
    "![x](../outside-secret.png)",
    "![u](http://127.0.0.1:9/x.png)",
    "`<script>alert(1)</script>`{=html}",
    "`<w:r><w:t>INJECTED</w:t></w:r>`{=openxml}",
    '`#raw(read("/config.yaml"))`{=typst}',
    "<b onmouseover=alert(1)>bold</b>",
    "<script>swallowed rest",
    "^[a footnote]",
    "$x^2$",
    "@dewi2020",
    "@nonexistent",
    "\\input{/etc/passwd}",
    "{{ 7*7 }} {% if true %}x{% endif %}",
    "[klik](http://example.org)",
    "**bold** _em_ ~sub~ ^sup^",
    "[span]{.smallcaps} :::",
    "<!-- hidden -->visible",
    "&lt;&amp;&#60;",
    "# heading",
    "1. one",
    "a | b",
    '=HYPERLINK("http://example.org","klik")',
    "=1+1",
    "+1+2",
    "-2+3",
    "@SUM(A1:A2)",
    "$\\foo{$",
    '<img src="../outside-secret.txt">',
]
#: Study-table column -> its column in Table 1 of the manuscript.
TABLE_COLUMNS = {"facility": 2, "design_as_reported": 3, "participants": 4, "main_result": 5}
OUTSIDE_TOKEN = "CANARY-OUTSIDE-7f3a"
CONFIG_LINE = "Settings of the review build"  # a comment of config.yaml: never in a document


def placement(number: int) -> tuple[int, str]:
    """(study row, column) of payload ``number``: each row and text column gets some."""
    return number % 15, list(TABLE_COLUMNS)[(number // 15) % len(TABLE_COLUMNS)]


def author_payload(row: int) -> str:
    return PAYLOADS[(row + 7) % len(PAYLOADS)]


def ids(values):
    return [re.sub(r"\W+", "_", value)[:24] for value in values]


def no_space(text: str) -> str:
    """PDF text without white space: typst may break a narrow cell after "/" or ":"."""
    return "".join(text.split())


# -------------------------------------------------------------------- build ---


@dataclass
class Built:
    review: Path
    outside: Path
    concurrent: subprocess.CompletedProcess
    first_output: str
    rebuild: subprocess.CompletedProcess
    offline: bool
    hashes_before: dict[str, str]


def tree_hashes(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def no_network_prefix() -> list[str]:
    """`unshare` into a namespace without network, when this machine allows it."""
    for prefix in (["unshare", "-n"], ["unshare", "-rn"]):
        if (
            shutil.which("unshare")
            and subprocess.run([*prefix, "true"], capture_output=True).returncode == 0
        ):
            return prefix
    return []


def set_writable(folder: Path, writable: bool) -> None:
    for path in [folder, *folder.rglob("*")]:
        mode = path.stat().st_mode
        bits = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
        path.chmod(mode | stat.S_IWUSR if writable else mode & ~bits)


def review_command(review: Path) -> list[str]:
    return [sys.executable, str(ROOT / "review.py"), "build", "--directory", str(review)]


def make_review(base: Path) -> Path:
    review = copy_review(ROOT, base / "review")
    (base / "outside-secret.png").write_text(OUTSIDE_TOKEN, encoding="utf-8")
    (base / "outside-secret.txt").write_text(OUTSIDE_TOKEN, encoding="utf-8")
    rows = read_rows()
    for number, payload in enumerate(PAYLOADS):
        row, column = placement(number)
        rows[row][column] = payload
    for row_number, row in enumerate(rows):
        row["authors"] = author_payload(row_number)
    write_rows(review / "data" / "studies.csv", rows)
    return review


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    base = tmp_path_factory.mktemp("hostile")
    review = make_review(base)
    environment = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    for folder in ("data", "manuscript"):
        set_writable(review / folder, False)
    hashes = {name: tree_hashes(review / name) for name in ("data", "manuscript")}
    try:
        first = subprocess.Popen(
            review_command(review),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=environment,
            start_new_session=True,  # its own process group: killed as a whole below
        )
        seen = []
        assert first.stdout is not None
        for line in first.stdout:
            seen.append(line)
            if "draw_figures" in line:  # the first step is done, the second running
                break
        assert any("draw_figures" in line for line in seen), "".join(seen)
        concurrent = subprocess.run(
            review_command(review), capture_output=True, text=True, env=environment
        )
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        # What a step killed while writing leaves behind (the kill may or may not
        # have caught one): temporary files beside results and in the build's TMPDIR.
        figures = review / "results" / "figures"
        figures.mkdir(parents=True, exist_ok=True)
        (figures / ".albatross.png.4242.tmp").write_bytes(b"half a png")
        (review / "results" / "manuscript").mkdir(parents=True, exist_ok=True)
        (review / "results" / "manuscript" / ".manuscript.tmp.docx").write_bytes(b"half")
        stale = review / ".snakemake" / "tmp" / "reviewkit-typst-stale"
        stale.mkdir(parents=True, exist_ok=True)
        (stale / "manuscript.typ").write_text("half", encoding="utf-8")
        offline = no_network_prefix()
        rebuild = subprocess.run(
            [*offline, *review_command(review)], capture_output=True, text=True, env=environment
        )
    finally:
        for folder in ("data", "manuscript"):
            set_writable(review / folder, True)
    assert rebuild.returncode == 0, rebuild.stderr[-3000:]
    return Built(review, base, concurrent, "".join(seen), rebuild, bool(offline), hashes)


# ------------------------------------------------------------ read outputs ---


@pytest.fixture(scope="module")
def outputs(built) -> dict[str, Path]:
    results = built.review / "results"
    return {
        "docx": results / "manuscript" / "manuscript.docx",
        "pdf": results / "manuscript" / "manuscript.pdf",
        "html": results / "manuscript" / "manuscript.html",
        "xlsx": results / "supplement" / "supplementary-data.xlsx",
        "zip": results / "submission" / "sinta-nursing.zip",
    }


def shown_figures(outputs) -> list[Path]:
    """The figures the manuscript shows: each a file the build drew in results/figures/
    (the build may draw one it does not show, e.g. a funnel plot without 10 studies)."""
    results = outputs["docx"].parents[1]
    markdown = (results / "manuscript" / "manuscript.md").read_text(encoding="utf-8")
    shown = re.findall(r"\]\((results/figures/[^)\s]+\.png)\)", markdown)
    drawn = {path.name for path in (results / "figures").glob("*.png")}
    assert shown and {Path(path).name for path in shown} <= drawn
    return [results.parent / path for path in shown]


def table_one(document: docx.document.Document) -> list[list[str]]:
    table = document.tables[0]
    return [[cell.text for cell in row.cells] for row in table.rows]


@pytest.fixture(scope="module")
def docx_tables(outputs) -> dict[str, list[list[str]]]:
    """Table 1 of the manuscript DOCX and of the submission's separate tables.docx."""
    with zipfile.ZipFile(outputs["zip"]) as archive:
        tables = archive.read("sinta-nursing/tables.docx")
    return {
        "manuscript.docx": table_one(docx.Document(str(outputs["docx"]))),
        "tables.docx": table_one(docx.Document(io.BytesIO(tables))),
    }


class Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.cells: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "td":
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.cells.append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture(scope="module")
def html(outputs) -> Html:
    parser = Html()
    parser.feed(outputs["html"].read_text(encoding="utf-8"))
    return parser


def pdf_text(path_or_bytes) -> str:
    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else str(path_or_bytes)
    return no_space(" ".join(page.extract_text() for page in pypdf.PdfReader(source).pages))


@pytest.fixture(scope="module")
def manuscript_pdf(outputs) -> str:
    return pdf_text(outputs["pdf"])


@pytest.fixture(scope="module")
def figure_text(built) -> str:
    """The text of a figure, from its vector PDF (drawn on request: the configured
    profile takes PNGs)."""
    vector = "results/figures/sample_sizes.pdf"
    environment = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    made = subprocess.run(
        [*review_command(built.review), vector], capture_output=True, text=True, env=environment
    )
    assert made.returncode == 0, made.stderr[-2000:]
    return pdf_text(built.review / vector)


@pytest.fixture(scope="module")
def studies_sheet(outputs):
    return openpyxl.load_workbook(outputs["xlsx"])["studies"]


def every_output_file(built) -> list[tuple[str, bytes]]:
    """(name, bytes) of every result file, and of every member of every zip
    among them (DOCX, XLSX, the submission zip), recursively."""
    found = []

    def add(name: str, data: bytes) -> None:
        found.append((name, data))
        if data[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.namelist():
                    add(f"{name}!{member}", archive.read(member))

    for path in sorted((built.review / "results").rglob("*")):
        if path.is_file():
            add(str(path.relative_to(built.review)), path.read_bytes())
    return found


def secrets(built) -> dict[str, list[bytes]]:
    """Files a payload points to, as the bytes that would show they were read."""
    found = {"outside": [built.outside / "outside-secret.txt"], "review config": []}
    found["review config"].append(built.review / "config.yaml")
    if Path("/etc/passwd").is_file():
        found["/etc/passwd"] = [Path("/etc/passwd")]
    patterns = {}
    for name, paths in found.items():
        patterns[name] = []
        for path in paths:
            content = path.read_bytes()
            head = content[:48]
            patterns[name] += [head, base64.b64encode(head)[:40]]
    patterns["outside"].append(OUTSIDE_TOKEN.encode())
    patterns["review config"].append(CONFIG_LINE.encode())
    return patterns


# ------------------------------------------------------------------- faults ---


@E2E
def test_a_second_build_in_the_same_folder_refuses_with_one_line(built):
    assert built.concurrent.returncode == 1
    assert "another build is running" in built.concurrent.stderr
    assert len(built.concurrent.stderr.strip().splitlines()) == 1


@E2E
def test_a_killed_build_is_recovered_by_the_next_build(built):
    said = built.rebuild.stderr
    assert "removing the lock left by an interrupted build" in said
    assert "removed the temporary files left by an interrupted build" in said
    assert "LockException" not in said and "IncompleteFilesException" not in said


@E2E
def test_no_temporary_file_survives_the_rebuild(built):
    leftovers = [
        path for path in (built.review / "results").rglob(".*") if re.search(r"\.tmp", path.name)
    ]
    assert leftovers == []
    assert not (built.review / ".snakemake" / "tmp" / "reviewkit-typst-stale").exists()


@E2E
def test_the_build_writes_nothing_into_data_or_manuscript(built):
    for folder, hashes in built.hashes_before.items():
        assert tree_hashes(built.review / folder) == hashes


@E2E
def test_the_build_needs_no_network(built):
    if not built.offline:
        pytest.skip("unshare is not allowed here: the rebuild ran with the network")
    assert built.rebuild.returncode == 0


@E2E
def test_no_traceback_reaches_the_user(built):
    for text in (built.first_output, built.concurrent.stderr, built.rebuild.stderr):
        assert "Traceback" not in text


# ------------------------------------------------ payloads in every format ---


@E2E
@pytest.mark.parametrize("document", ["manuscript.docx", "tables.docx"])
@pytest.mark.parametrize("number", range(len(PAYLOADS)), ids=ids(PAYLOADS))
def test_docx_table_cell_holds_the_literal_text(docx_tables, document, number):
    row, column = placement(number)
    cell = docx_tables[document][row + 1][TABLE_COLUMNS[column]]
    assert PAYLOADS[number] in cell


@E2E
@pytest.mark.parametrize("number", range(len(PAYLOADS)), ids=ids(PAYLOADS))
def test_html_table_cell_holds_the_literal_text(html, number):
    assert any(PAYLOADS[number] in cell for cell in html.cells)


@E2E
@pytest.mark.parametrize("number", range(len(PAYLOADS)), ids=ids(PAYLOADS))
def test_pdf_holds_the_literal_text(manuscript_pdf, number):
    assert no_space(PAYLOADS[number]) in manuscript_pdf


@E2E
def test_figure_labels_are_the_reference_list_s_and_literal(built, figure_text):
    """Figures name studies as the reference list does (from the bibliography,
    reviewkit.citations), so the author cells' payloads are not drawn; what is
    drawn is the label as text."""
    from reviewkit.citations import study_labels

    ids = [row["id"] for row in read_rows(built.review / "data" / "studies.csv")]
    with contextlib.chdir(built.review):
        labels = study_labels(ids, bibliography="data/references.bib", csl="apa", language="id")
    for key in ids:
        assert no_space(labels[key]) in figure_text
    # as the reference list names them (typed here, APA in Indonesian), not as the
    # study table's author cells, which hold payloads in this review
    for label in ("Dewi dkk. (2020)", "Enggar & Rizkyanti (2024)"):
        assert no_space(label) in figure_text
    rows = read_rows(built.review / "data" / "studies.csv")
    assert all(no_space(row["authors"]) not in figure_text for row in rows)


def test_a_payload_label_is_drawn_as_typed():
    """A label with matplotlib's mathtext markers is escaped, not typeset."""
    import pandas as pd

    from reviewkit.figures import study_labels

    rows = pd.DataFrame({"label": [r"$\foo{$ Dewi", "$x^2$"], "authors": ["", ""], "year": [1, 2]})
    assert study_labels(rows) == [r"\$\foo{\$ Dewi", r"\$x^2\$"]


@E2E
@pytest.mark.parametrize("number", range(len(PAYLOADS)), ids=ids(PAYLOADS))
def test_xlsx_cell_is_the_same_text_and_no_formula(studies_sheet, number):
    row, column = placement(number)
    header = [cell.value for cell in studies_sheet[1]]
    cell = studies_sheet.cell(row=row + 2, column=header.index(column) + 1)
    assert cell.value == PAYLOADS[number]
    assert cell.data_type == "s"


@E2E
def test_no_spreadsheet_holds_a_formula(built):
    for name, data in every_output_file(built):
        if re.search(r"xl/worksheets/.*\.xml$", name):
            assert not re.search(rb"<f[ >]", data), name


@E2E
def test_docx_holds_only_the_figures_and_no_injected_markup(outputs):
    with zipfile.ZipFile(outputs["docx"]) as archive:
        names = archive.namelist()
        document = archive.read("word/document.xml").decode()
        footnotes = archive.read("word/footnotes.xml").decode()
        relations = archive.read("word/_rels/document.xml.rels").decode()
    media = [name for name in names if name.startswith("word/media/")]
    figures = shown_figures(outputs)
    assert len(media) == len(figures) and all(name.endswith(".png") for name in media)
    assert "<w:t>INJECTED</w:t>" not in document  # the raw OpenXML stayed text
    assert "a footnote" not in footnotes
    assert "example.org" not in relations and "127.0.0.1" not in relations


@E2E
def test_html_has_no_live_markup_and_only_the_figures(html, outputs):
    tags = [tag for tag, _ in html.tags]
    assert "script" not in tags
    assert not [attrs for _, attrs in html.tags if any(key.startswith("on") for key in attrs)]
    images = [attrs.get("src", "") for tag, attrs in html.tags if tag == "img"]
    assert len(images) == len(shown_figures(outputs))
    assert all(src.startswith("data:image/png;base64,") for src in images)
    links = [attrs.get("href", "") for tag, attrs in html.tags if tag == "a"]
    assert not [link for link in links if "example.org" in link or "127.0.0.1" in link]
    assert not [attrs for _, attrs in html.tags if "footnote" in attrs.get("class", "")]


@E2E
def test_pdf_printed_no_file(manuscript_pdf):
    assert no_space(CONFIG_LINE) not in manuscript_pdf
    assert OUTSIDE_TOKEN not in manuscript_pdf


@E2E
def test_no_file_from_outside_the_review_or_beside_the_figures_in_any_output(built):
    patterns = secrets(built)
    for name, data in every_output_file(built):
        for secret, signs in patterns.items():
            for sign in signs:
                assert sign not in data, f"{secret} found in {name}"


@E2E
def test_the_submission_zip_holds_the_built_documents(built, outputs):
    with zipfile.ZipFile(outputs["zip"]) as archive:
        assert archive.read("sinta-nursing/manuscript.docx") == outputs["docx"].read_bytes()
        assert archive.read("sinta-nursing/manuscript.pdf") == outputs["pdf"].read_bytes()
        xlsx = archive.read("sinta-nursing/supplementary-data.xlsx")
    assert xlsx == outputs["xlsx"].read_bytes()


@E2E
def test_the_tools_own_markup_still_works(outputs, docx_tables, html):
    # Table 1 cites each study (a citation the tool writes), the effects table
    # writes g~z~ as g with a subscript z, the text writes p < 0,05.
    assert docx_tables["manuscript.docx"][2][1] == "Dewi dkk. (2020)"
    with zipfile.ZipFile(outputs["docx"]) as archive:
        assert 'w:vertAlign w:val="subscript"' in archive.read("word/document.xml").decode()
    assert ("sub", {}) in html.tags
    assert "p < 0,05" in " ".join("".join(html.text).split())


# ---------------------------------------------------- broken study tables ---

WINDOW = InclusionWindow(2014, 2024)


def write_table(path: Path, change) -> Path:
    rows = read_rows()
    change(rows)
    write_rows(path, rows)
    return path


def one_problem(path: Path, window: InclusionWindow = WINDOW) -> str:
    with pytest.raises(InputError) as caught:
        validate_studies(path, STUDIES_SCHEMA, window)
    (line,) = caught.value.lines
    assert line.startswith(str(path)), line
    return line


def test_a_whole_number_of_23_digits(tmp_path):
    path = write_table(tmp_path / "s.csv", lambda rows: rows[2].update(n_total="1" * 23))
    line = one_problem(path)
    assert "row 4, column n_total" in line and "more than 15 digits" in line


def test_a_cell_over_128_kib(tmp_path):
    path = write_table(tmp_path / "s.csv", lambda rows: rows[0].update(main_result="x" * 140_000))
    line = one_problem(path)
    assert "row 2, column main_result: the cell has 140,000 characters" in line


def test_the_studies_path_is_a_folder(tmp_path):
    (tmp_path / "s.csv").mkdir()
    assert "is a folder" in one_problem(tmp_path / "s.csv")


@pytest.mark.parametrize(("character", "name"), [("\x00", "U+0000"), ("\x1b", "U+001B")])
def test_a_control_character_in_a_cell(tmp_path, character, name):
    path = write_table(tmp_path / "s.csv", lambda rows: rows[4].update(region=f"Ban{character}tul"))
    line = one_problem(path)
    assert "row 6, column region" in line and name in line


def test_a_reversed_year_window_is_one_config_line(tmp_path):
    with pytest.raises(InputError) as caught:
        InclusionWindow(2024, 2014)
    assert caught.value.lines == [
        "config.yaml: inclusion: year_from 2024 is after year_to 2014; "
        "expected year_from <= year_to"
    ]


def test_a_tab_separated_file_is_read(tmp_path):
    rows = read_rows()
    path = tmp_path / "s.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("\t".join(rows[0]) + "\n")
        for row in rows:
            handle.write("\t".join(value.replace("\t", " ") for value in row.values()) + "\n")
    assert len(validate_studies(path, STUDIES_SCHEMA, WINDOW)) == 15


def test_thousands_of_bad_ids_give_fifty_lines(tmp_path):
    rows = read_rows()
    many = [{**rows[0], "id": f"1 bad {number}"} for number in range(1_500)]
    path = tmp_path / "s.csv"
    write_rows(path, many)
    with pytest.raises(InputError) as caught:
        validate_studies(path, STUDIES_SCHEMA, WINDOW)
    assert len(caught.value.lines) == 50
    assert "checking stopped there (the table has 1,500 rows)" in caught.value.lines[-1]


def excel(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def table_rows() -> list[list]:
    rows = read_rows()
    return [list(rows[0]), *[list(row.values()) for row in rows]]


def test_xlsx_with_the_table_on_the_second_sheet_names_the_sheets(tmp_path):
    path = excel(tmp_path / "s.xlsx", {"Catatan": [["lihat sheet 2"]], "Data": table_rows()})
    line = one_problem(path)
    assert 'the first sheet "Catatan"' in line and "Catatan, Data" in line


def test_xlsx_formula_without_a_saved_value(tmp_path):
    rows = table_rows()
    rows[3][rows[0].index("n_total")] = "=10+10"  # openpyxl saves formulas without values
    line = one_problem(excel(tmp_path / "s.xlsx", {"Studi": rows}))
    assert "row 4, column n_total: a formula without a saved value" in line
    assert "open and save the file in Excel or LibreOffice" in line


def test_mathtext_in_authors_is_drawn_as_text(tmp_path):
    from reviewkit.figures import make_figure, save_figure
    from reviewkit.validation import validate_studies as validated

    path = write_table(tmp_path / "s.csv", lambda rows: rows[0].update(authors="$\\foo{$"))
    figure = make_figure("sample_sizes", validated(path, STUDIES_SCHEMA, WINDOW), "id")
    save_figure(figure, tmp_path / "f.png", tmp_path / "f.pdf")
    assert "$\\foo{$(2024)" in pdf_text(tmp_path / "f.pdf")


def test_disk_full_is_one_line(tmp_path, capsys):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    with pytest.raises(SystemExit):
        run_step(lambda: Path("/dev/full").write_bytes(b"x" * 100_000), tmp_path / "step.log")
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ERROR: no space left on device while writing")
    assert "Traceback" not in (tmp_path / "step.log").read_text(encoding="utf-8")


# ---------------------------------------------------------------- settings ---


@pytest.fixture
def review(tmp_path):
    """A copy of the example review folder, as the working directory."""
    folder = copy_review(ROOT, tmp_path / "review")
    with contextlib.chdir(folder):
        yield folder


def settings(review: Path, **changes) -> dict:
    config = yaml.safe_load((review / "config.yaml").read_text(encoding="utf-8"))
    config.update(changes)
    return config


def problems(review: Path, **changes) -> list[str]:
    from reviewkit.preflight import review_problems

    return review_problems(settings(review, **changes), review)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("language: id\ninclusion:\n\tyear_from: 2014\n", "line 3, column 1: a tab character"),
        ("language: [id\nprofile: x\n", "line 2"),
        ("language: id\nprofile: a\nlanguage: en\n", 'line 3, column 1: key "language" appears'),
        ("- a\n- b\n", "expected settings as `key: value` lines"),
    ],
    ids=["tab", "syntax", "duplicate-key", "not-a-mapping"],
)
def test_config_yaml_mistakes_name_the_line(tmp_path, text, expected):
    from reviewkit.preflight import config_file_problems

    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    (line,) = config_file_problems(path)
    assert line.startswith(f"{path}: ") and expected in line, line


def test_csl_outside_the_review(review):
    (line,) = problems(review, csl="/etc/passwd")
    assert line.startswith("config.yaml: csl: ") and "outside the review folder" in line


def test_csl_that_is_not_a_style(review):
    (line,) = problems(review, csl="data/references.bib")
    assert "not a CSL style file" in line


def test_missing_csl(review):
    (line,) = problems(review, csl="styles/journal.csl")
    assert "no such file" in line


def test_unknown_profile(review):
    (line,) = problems(review, profile="no-such-journal")
    assert "journal profile not found" in line and "sinta-nursing" in line


def test_profile_path_outside_the_review(review, tmp_path):
    shutil.copy(ROOT / "profiles" / "sinta-nursing.yaml", tmp_path / "journal.yaml")
    (line,) = problems(review, profile="../journal.yaml")
    assert "lies outside the review folder" in line


def test_profile_pointing_to_a_word_template_outside_the_review(review, tmp_path):
    profile = yaml.safe_load((ROOT / "profiles" / "sinta-nursing.yaml").read_text())
    profile.setdefault("docx", {})["reference"] = str(tmp_path / "other.docx")
    shutil.copy(ROOT / "layout" / "templates" / "reference.docx", tmp_path / "other.docx")
    (review / "journal.yaml").write_text(yaml.safe_dump(profile), encoding="utf-8")
    (line,) = problems(review, profile="journal.yaml")
    assert "other.docx lies outside the review folder" in line


def test_reversed_window_and_missing_files_are_found_before_any_step(review):
    found = problems(
        review,
        inclusion={"year_from": 2024, "year_to": 2014},
        studies="data",
        references="data/nothing.bib",
    )
    assert found == [
        "config.yaml: inclusion: year_from 2024 is after year_to 2014; "
        "expected year_from <= year_to",
        "config.yaml: studies: data is a folder; expected a .csv or .xlsx file",
        "config.yaml: references: data/nothing.bib: no such file; expected a BibTeX file",
    ]


def test_snakemake_stops_at_a_tab_in_config_yaml_with_its_line(review):
    text = (review / "config.yaml").read_text(encoding="utf-8")
    (review / "config.yaml").write_text(
        text.replace("  year_to: 2024", "\tyear_to: 2024"), encoding="utf-8"
    )
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "-s", str(ROOT / "Snakefile")],
        cwd=review,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    line = next(line for line in result.stderr.splitlines() if line.startswith("ERROR: "))
    assert line.startswith("ERROR: config.yaml: line ") and "a tab character" in line
    assert "Traceback" not in result.stderr


def test_snakemake_stops_at_a_csl_outside_the_review_before_any_step(review):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "-n",
            "-s",
            str(ROOT / "Snakefile"),
            "--config",
            "csl=/etc/passwd",
        ],
        cwd=review,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "ERROR: config.yaml: csl: CSL style '/etc/passwd'" in result.stderr
    assert "Traceback" not in result.stderr and not (review / "results").exists()


# --------------------------------------------------------------- templates ---


def render(manuscript: Path, text: str) -> str:
    from reviewkit.templating import render_template

    (manuscript / "sections").mkdir(parents=True, exist_ok=True)
    section = manuscript / "sections" / "01.md"
    section.write_text("Baris pertama.\n" + text + "\n", encoding="utf-8")
    return render_template(section, {"n": 1}, "id", root=manuscript)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{ cycler.__init__.__globals__.os.popen('touch pwned').read() }}", "not allowed"),
        ("{{ ''.__class__.__mro__ }}", "not allowed"),
        ("{{ lipsum.__globals__['os'].system('touch pwned') }}", "not allowed"),
        ("{% include '../../../../../../etc/passwd' %}", "include or import refused"),
        ("{% include '/etc/passwd' %}", "include or import refused"),
        ("{% import '../secret.md' as s %}", "include or import refused"),
        ("{% include 'link.md' %}", "include or import refused"),
        ("{% include 'missing.md' %}", 'no template "missing.md"'),
        ("{{ n | num(", "line 2: "),
        ("{{ 1 / 0 }}", "ZeroDivisionError"),
    ],
    ids=[
        "popen",
        "mro",
        "lipsum",
        "include-up",
        "include-absolute",
        "import-up",
        "symlink-out",
        "missing",
        "syntax",
        "division",
    ],
)
def test_template_mistakes_and_escapes_are_one_line(tmp_path, text, expected):
    manuscript = tmp_path / "manuscript"
    manuscript.mkdir()
    (tmp_path / "secret.md").write_text("rahasia", encoding="utf-8")
    (manuscript / "link.md").symlink_to(tmp_path / "secret.md")
    with contextlib.chdir(tmp_path), pytest.raises(InputError) as caught:
        render(manuscript, text)
    (line,) = caught.value.lines
    assert line.startswith(str(manuscript / "sections" / "01.md")) and expected in line, line
    assert not (tmp_path / "pwned").exists()


# ------------------------------------------------- images, files, network ---


def small_project(folder: Path, body: str) -> Path:
    (folder / "results" / "figures").mkdir(parents=True)
    from PIL import Image

    Image.new("RGB", (40, 30), "steelblue").save(folder / "results" / "figures" / "a.png")
    shutil.copy(ROOT / "data" / "references.bib", folder / "references.bib")
    (folder / "m.md").write_text(
        f"---\ntitle: T\nlang: id\n---\n\n# Hasil\n\n![A](results/figures/a.png)\n\n{body}\n",
        encoding="utf-8",
    )
    return folder


BUILD = (
    "import sys; from reviewkit import assemble\n"
    "kind = sys.argv[1]\n"
    "build = {'docx': assemble.build_docx, 'html': assemble.build_html, "
    "'pdf': assemble.build_pdf}[kind]\n"
    "try:\n"
    "    build('m.md', 'out.' + kind, bibliography='references.bib', csl='apa')\n"
    "except assemble.ManuscriptBuildError as error:\n"
    "    print('\\n'.join(error.lines)); sys.exit(3)\n"
)


def assemble_traced(folder: Path, kind: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    """Build one document in a fresh process, under strace when there is one:
    (the run, the connect() calls to a network address)."""
    log = folder / "connect.log"
    trace = (
        ["strace", "-f", "-e", "trace=connect", "-o", str(log)] if shutil.which("strace") else []
    )
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [*trace, sys.executable, "-c", BUILD, kind],
        cwd=folder,
        capture_output=True,
        text=True,
        env=environment,
    )
    calls = log.read_text().splitlines() if log.exists() else []
    return run, [call for call in calls if "AF_INET" in call]


@pytest.mark.parametrize(
    ("body", "kind", "expected"),
    [
        ("![u](http://127.0.0.1:9/x.png)", "html", "is not a figure of this build"),
        ("![p](/etc/passwd)", "docx", "is not a figure of this build"),
        ("![d](data:image/png;base64,iVBORw0KGgo=)", "html", "is not a figure of this build"),
        ("![o](../outside.png)", "pdf", "is not a figure of this build"),
        ('<img src="http://127.0.0.1:9/y.png">', "html", "reads no other file or URL"),
        ('<img src="/etc/passwd">', "html", "reads no other file or URL"),
        ('`#read("/etc/passwd")`{=typst}', "pdf", "typst error"),
        ('`#read("/references.bib")`{=typst}', "pdf", "typst error"),
    ],
    ids=[
        "url-image",
        "absolute-image",
        "data-uri",
        "outside-image",
        "raw-html-url",
        "raw-html-file",
        "typst-read-system",
        "typst-read-review",
    ],
)
def test_a_template_cannot_reach_files_or_the_network(tmp_path, body, kind, expected):
    """A template's own Markdown is markup by design; still, its images come only
    from results/figures, pandoc opens no URL (--sandbox) and typst reads only
    its build folder."""
    run, connects = assemble_traced(small_project(tmp_path, body), kind)
    assert run.returncode == 3, run.stderr[-2000:]
    assert expected in run.stdout and "Traceback" not in run.stderr
    assert connects == []
    assert not (tmp_path / f"out.{kind}").exists()


def test_an_image_in_a_bibliography_entry_stops_the_build(tmp_path):
    """BibTeX fields are LaTeX for pandoc: \\includegraphics makes an image, which
    the image filter (after citeproc) refuses like any other."""
    from reviewkit import assemble

    project = small_project(tmp_path, "Lihat [@evil2020].")
    (project / "evil.bib").write_text(
        "@article{evil2020,\n  author = {Evil, A.},\n  journal = {J},\n  year = {2020},\n"
        "  title = {Judul \\includegraphics{/etc/passwd}},\n}\n",
        encoding="utf-8",
    )
    with contextlib.chdir(project), pytest.raises(assemble.ManuscriptBuildError) as caught:
        assemble.build_docx("m.md", "out.docx", bibliography="evil.bib", csl="apa")
    assert caught.value.lines == [
        "m.md: images: image /etc/passwd is not a figure of this build; images come only "
        "from results/figures/*.png (no other file, URL or data: URI)"
    ]


# ------------------------------------------------------------ bibliography ---


def bib_keys(path: Path):
    from reviewkit.bibliography import bibliography_keys

    return bibliography_keys(path)


ENTRY = "@article{{{key},\n  author = {{{author}}},\n  title = {{T}},\n  year = {{2020}}\n}}\n"


def test_a_duplicate_bibtex_key_is_one_line(tmp_path):
    path = tmp_path / "r.bib"
    path.write_text(
        ENTRY.format(key="dewi2020", author="Dewi") + ENTRY.format(key="dewi2020", author="Lain"),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        bib_keys(path)
    (line,) = caught.value.lines
    assert "dewi2020" in line and "line 1" in line and "line 6" in line  # each entry: 5 lines


def test_a_latin1_bibliography_is_refused_at_validation(tmp_path):
    path = tmp_path / "r.bib"
    path.write_bytes(ENTRY.format(key="dewi2020", author="Dw\u00ef").encode("latin-1"))
    with pytest.raises(InputError, match="UTF-8"):
        bib_keys(path)


def test_a_bibtex_syntax_error_names_its_line(tmp_path):
    entries = "".join(ENTRY.format(key=f"k{n}", author="A") for n in range(3))
    broken = entries + "@article{broken,\n  author = {A,\n  year = 2020\n"
    path = tmp_path / "r.bib"
    path.write_text(broken + ENTRY.format(key="later", author="B") * 15, encoding="utf-8")
    with pytest.raises(InputError, match=r"line 1[89]\b"):
        bib_keys(path)
