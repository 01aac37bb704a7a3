"""Separate figure files, the supplementary spreadsheet, the manifest and the zip."""

from __future__ import annotations

import csv
import hashlib
import json
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from matplotlib.figure import Figure
from PIL import Image

from reviewkit.errors import InputError
from reviewkit.submission import (
    Part,
    assemble_package,
    export_figures,
    normalised_zip,
    write_supplement,
    zip_date,
)

EPOCH = 1_700_000_000  # 2023-11-14 22:13:20 UTC


@pytest.fixture(scope="module")
def figures(tmp_path_factory) -> tuple[Path, list[str]]:
    """Two figures as the workflow draws them: a 300 dpi PNG with alpha and a vector PDF."""
    root = tmp_path_factory.mktemp("figures")
    folder = root / "results" / "figures"
    folder.mkdir(parents=True)
    listed = []
    for name, colour in (("first", "tab:blue"), ("second", "tab:orange")):
        figure = Figure(figsize=(3, 2))
        figure.patch.set_alpha(0)  # transparent background, as a journal checker dislikes
        figure.add_subplot().bar([1, 2, 3], [3, 1, 2], color=colour)
        figure.savefig(folder / f"{name}.png", dpi=300, metadata={"Software": None})
        figure.savefig(folder / f"{name}.pdf", metadata={"CreationDate": None})
        listed.append(f"results/figures/{name}.png")
    return root, listed


def test_tiff_figures_are_rgb_lzw_at_the_dpi_named_as_asked(figures, tmp_path):
    root, listed = figures
    written = export_figures(listed, tmp_path, format="tiff", dpi=300, root=root)
    assert [p.name for p in written] == ["first.tif", "second.tif"]  # numbered when packaged
    with Image.open(written[0]) as image, Image.open(root / listed[0]) as png:
        assert png.mode == "RGBA"  # the source has an alpha channel ...
        assert image.mode == "RGB"  # ... the TIFF has none
        assert image.format == "TIFF" and image.info["compression"] == "tiff_lzw"
        assert image.info["dpi"] == pytest.approx((300, 300))
        assert image.size == png.size  # converted, not resampled
        assert image.getpixel((0, 0)) == (255, 255, 255)  # transparency became white


def test_other_dpi_is_rendered_from_the_vector_pdf(figures, tmp_path):
    root, listed = figures
    written = export_figures(listed[:1], tmp_path, format="tiff", dpi=600, root=root)
    with Image.open(written[0]) as image, Image.open(root / listed[0]) as png:
        assert image.info["dpi"] == pytest.approx((600, 600))
        assert abs(image.size[0] - 2 * png.size[0]) <= 2  # twice the pixels: 3 in at 600 dpi
        assert image.mode == "RGB"


def test_png_and_pdf_formats(figures, tmp_path):
    root, listed = figures
    png = export_figures(listed, tmp_path / "png", format="png", dpi=300, root=root)
    assert [p.name for p in png] == ["first.png", "second.png"]
    with Image.open(png[1]) as image:
        assert image.mode == "RGB"
    pdf = export_figures(listed, tmp_path / "pdf", format="pdf", dpi=300, root=root)
    assert pdf[0].read_bytes() == (root / "results/figures/first.pdf").read_bytes()


def test_no_vector_pdf_for_another_dpi_is_an_error(tmp_path):
    folder = tmp_path / "results"
    folder.mkdir()
    Image.new("RGB", (30, 20), "white").save(folder / "only.png", dpi=(300, 300))
    with pytest.raises(InputError, match=r"asks for 600 dpi.*no vector only\.pdf"):
        export_figures(
            ["results/only.png"],
            tmp_path / "out",
            format="tiff",
            dpi=600,
            root=tmp_path,
        )


def test_figure_files_are_reproducible(figures, tmp_path):
    root, listed = figures
    first = export_figures(listed, tmp_path / "a", format="tiff", dpi=600, root=root)
    second = export_figures(listed, tmp_path / "b", format="tiff", dpi=600, root=root)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


# ------------------------------------------------------------ spreadsheet ---


@pytest.fixture
def derived(tmp_path) -> dict[str, Path]:
    studies = tmp_path / "studies.csv"
    studies.write_text(
        "id,year,n_total,p_value\ndewi2020,2020,31,\nsiregar2020,2020,20,0.007\n", encoding="utf-8"
    )
    summary = tmp_path / "summary.json"
    summary.write_text(
        json.dumps(
            {
                "n_studies": 2,
                "sample_size": {"median": 25.5},
                "before_after": {
                    "studies": [{"id": "dewi2020", "ratio": 3.3}, {"id": "x", "ratio": 2}]
                },
            }
        ),
        encoding="utf-8",
    )
    table = tmp_path / "synthesis_table.csv"
    table.write_text("No,Peneliti\n1,Dewi dkk. (2020)\n", encoding="utf-8")
    return {"studies": studies, "summary": summary, "table": table}


def supplement(derived: dict[str, Path], target: Path) -> Path:
    write_supplement(
        target,
        studies=derived["studies"],
        json_files=[derived["summary"]],
        tables=[derived["table"]],
        epoch=EPOCH,
    )
    return target


def test_supplement_has_a_sheet_per_source_with_typed_values(derived, tmp_path):
    book = openpyxl.load_workbook(supplement(derived, tmp_path / "s.xlsx"))
    assert book.sheetnames == [
        "contents",
        "studies",
        "summary",
        "summary.before_after.studies",
        "synthesis_table",
    ]
    studies = [[c.value for c in row] for row in book["studies"].iter_rows()]
    assert studies == [
        ["id", "year", "n_total", "p_value"],
        ["dewi2020", 2020, 31, None],
        ["siregar2020", 2020, 20, 0.007],
    ]
    summary = {row[0].value: row[1].value for row in book["summary"].iter_rows(min_row=2)}
    assert summary == {"n_studies": 2, "sample_size.median": 25.5}
    ratios = [[c.value for c in row] for row in book["summary.before_after.studies"].iter_rows()]
    assert ratios == [["id", "ratio"], ["dewi2020", 3.3], ["x", 2]]
    contents = [row[0].value for row in book["contents"].iter_rows(min_row=2)]
    assert contents == book.sheetnames[1:]


def test_supplement_has_fixed_dates_and_sorted_entries(derived, tmp_path):
    first = supplement(derived, tmp_path / "a.xlsx")
    time.sleep(1.1)  # openpyxl stamps the clock (to the second) into docProps/core.xml
    second = supplement(derived, tmp_path / "b.xlsx")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as z:
        assert z.namelist() == sorted(z.namelist())
        assert {info.date_time for info in z.infolist()} == {(2023, 11, 14, 22, 13, 20)}
        core = z.read("docProps/core.xml").decode()
    assert "2023-11-14T22:13:20Z" in core


FORMULAS = [
    '=HYPERLINK("http://example.org","klik")',
    "=1+1",
    "+1+2",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]


def test_text_that_looks_like_a_formula_is_stored_as_text(tmp_path):
    studies = tmp_path / "studies.csv"
    with open(studies, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "authors"])
        writer.writerows([f"s{number}", text] for number, text in enumerate(FORMULAS))
    target = tmp_path / "s.xlsx"
    write_supplement(target, studies=studies, epoch=EPOCH)
    with zipfile.ZipFile(target) as archive:
        for name in archive.namelist():
            assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name
    sheet = openpyxl.load_workbook(target)["studies"]
    cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == FORMULAS  # the same text, no apostrophe added
    assert {cell.data_type for cell in cells} == {"s"}


def test_normalised_zip_and_zip_date(tmp_path):
    source = tmp_path / "in.zip"
    with zipfile.ZipFile(source, "w") as z:
        z.writestr("b.txt", "B")
        z.writestr("a.txt", "A")
    normalised_zip(source.read_bytes(), tmp_path / "out.zip", EPOCH)
    with zipfile.ZipFile(tmp_path / "out.zip") as z:
        assert z.namelist() == ["a.txt", "b.txt"] and z.read("b.txt") == b"B"
    assert zip_date(0) == (1980, 1, 1, 0, 0, 0)  # zip dates start in 1980


# ---------------------------------------------------------------- package ---


def test_package_manifest_checksums_and_zip(tmp_path):
    sources = tmp_path / "staged"
    sources.mkdir()
    (sources / "a.docx").write_bytes(b"manuscript")
    (sources / "b.tif").write_bytes(b"figure")
    folder = tmp_path / "submission" / "journal"
    folder.mkdir(parents=True)
    (folder / "stale.txt").write_text("from an earlier build", encoding="utf-8")
    parts = [
        Part(sources / "a.docx", "manuscript.docx", "Manuscript, Word"),
        Part(sources / "b.tif", "Fig1.tif", "Figure 1"),
    ]
    zip_path = tmp_path / "submission" / "journal.zip"
    assemble_package(parts, folder, zip_path, epoch=EPOCH)
    assert sorted(p.name for p in folder.iterdir()) == [
        "Fig1.tif",
        "MANIFEST.csv",
        "manuscript.docx",
    ]
    with open(folder / "MANIFEST.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["file"] for r in rows] == ["manuscript.docx", "Fig1.tif"]
    for row in rows:
        data = (folder / row["file"]).read_bytes()
        assert row["sha256"] == hashlib.sha256(data).hexdigest()
        assert int(row["bytes"]) == len(data)
    assert rows[0]["purpose"] == "Manuscript, Word"
    with zipfile.ZipFile(zip_path) as z:
        assert z.namelist() == [
            "journal/Fig1.tif",
            "journal/MANIFEST.csv",
            "journal/manuscript.docx",
        ]
        assert z.read("journal/Fig1.tif") == b"figure"
    again = tmp_path / "again.zip"
    assemble_package(parts, tmp_path / "again" / "journal", again, epoch=EPOCH)
    assert again.read_bytes() == zip_path.read_bytes()


def test_two_files_with_one_name_are_refused(tmp_path):
    (tmp_path / "x").write_bytes(b"x")
    parts = [Part(tmp_path / "x", "same.docx", "one"), Part(tmp_path / "x", "same.docx", "two")]
    with pytest.raises(InputError, match=r"same\.docx"):
        assemble_package(parts, tmp_path / "out", tmp_path / "out.zip", epoch=EPOCH)
