#!/usr/bin/env python3
"""What a build costs, as ratios to the floor measured in the same run.

    .venv/bin/python benchmarks/bench.py [--sizes 15,1000,10000] [--tests] [--json FILE]

The floor is what no build can avoid: one Snakemake start (a one-rule workflow
with nothing to do), one Python start importing pandas and matplotlib, one
pandoc run of the manuscript with citeproc, one typst compile of it. Then, in
temporary review folders (your results/ are untouched), with
SOURCE_DATE_EPOCH fixed:

  cold build        the example review from nothing        vs the floor (CPU)
  no-op             the same, nothing changed              vs the bare Snakemake no-op
  section edit      a newline appended to one section       which steps rerun
  study added       one row and its reference added         which steps rerun
  scaling           N synthetic studies (benchmarks/synthetic.py), cold
                                                            vs the 15-study build

Each line gives wall time, CPU time (user + system of every process of the
run) and peak memory (the largest resident set of any one process), and the
ratio to its yardstick with the target from issue 11. The floor's parts and
the no-op are the median of 5 runs; the builds are one run each. ``--tests``
also times the test suite as the README runs it. The run ends with each target
of issue 11, met or not.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import write_review  # noqa: E402

from reviewkit.reproducible import copy_review  # noqa: E402

PYTHON = sys.executable
SNAKEMAKE = [PYTHON, "-m", "snakemake", "--snakefile", str(ROOT / "Snakefile")]
# As review.py builds: the tool's compiled modules kept (see review.tool_environment).
ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    "SOURCE_DATE_EPOCH": "1700000000",
}
#: Runs of each quick measurement (the floor's parts, the no-op), of which the median.
REPEAT = 5
STEP = re.compile(r"^(?:local)?rule (\w+):$", re.MULTILINE)
#: What a one-section edit must rerun, and what it must not (issue 11).
SECTION_EDIT_RERUNS = {"render_manuscript", "assemble_manuscript"}
SECTION_EDIT_MAY_RERUN = SECTION_EDIT_RERUNS | {"submission_package"}  # zips the new documents
#: The largest figure issue 11 allows, in pixels.
MAX_FIGURE_PIXELS = 25_000_000

# Runs a command and reports the resources of its whole process tree (the
# children it waited for, and theirs): a fresh process, so nothing else counts.
MEASURE = textwrap.dedent(
    """
    import json, resource, subprocess, sys, time
    start = time.perf_counter()
    done = subprocess.run(sys.argv[2:], cwd=sys.argv[1], capture_output=True, text=True)
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                      "peak_mib": usage.ru_maxrss / 1024, "code": done.returncode,
                      "output": done.stdout + done.stderr}))
    """
)


@dataclass
class Cost:
    wall: float
    cpu: float
    peak_mib: float
    steps: list[str] = field(default_factory=list)


def measure(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Cost:
    result = subprocess.run(
        [PYTHON, "-c", MEASURE, str(cwd), *command],
        capture_output=True,
        text=True,
        env=ENV if env is None else env,
    )
    data = json.loads(result.stdout)
    if data["code"] != 0:
        sys.exit(f"failed: {' '.join(command)}\n{data['output'][-3000:]}")
    steps = [name for name in STEP.findall(data["output"]) if name != "all"]
    return Cost(data["wall"], data["cpu"], data["peak_mib"], steps)


def median_of(runs: list[Cost]) -> Cost:
    """The median run of several (wall, CPU and peak each their own median): one run
    of a one-second command moves by a tenth of a second with what else the
    machine does."""
    import statistics

    return Cost(
        statistics.median(c.wall for c in runs),
        statistics.median(c.cpu for c in runs),
        statistics.median(c.peak_mib for c in runs),
        runs[0].steps,
    )


def repeated(command: list[str], cwd: Path, times: int = REPEAT) -> Cost:
    return median_of([measure(command, cwd) for _ in range(times)])


def build(review: Path, times: int = 1) -> Cost:
    return repeated([*SNAKEMAKE, "--directory", str(review), "--cores", "2"], review, times)


def floor(review: Path, scratch: Path) -> dict[str, Cost]:
    """The four parts of the floor, measured on the built example review."""
    bare = scratch / "bare"
    bare.mkdir()
    (bare / "Snakefile").write_text('rule all:\n    output: "x"\n    shell: "touch {output}"\n')
    (bare / "x").write_text("")
    import pypandoc

    pandoc = pypandoc.get_pandoc_path()
    markdown = review / "results" / "manuscript" / "manuscript.md"
    bibliography = review / "data" / "references.bib"
    typ = scratch / "manuscript.typ"
    # The typst source as the build writes it (not timed), then one compile (timed).
    from reviewkit.assemble import markdown_to_typst, typst_build_folder

    settings = json.loads(
        next((review / "results" / "profiles").glob("*/profile.json")).read_text()
    )
    os.chdir(review)  # image paths in the manuscript are relative to the review folder
    markdown_to_typst(
        markdown,
        typ,
        bibliography=bibliography,
        csl=settings["csl"],
        extra_defaults=list((review / "results" / "profiles").glob("*/pandoc.yaml"))[:1],
    )
    typst_build_folder(typ, [review])  # the figures beside it, as the build does
    fonts = [str(path) for path in settings["pdf"].get("font_paths", [])]
    return {
        "snakemake no-op": repeated([PYTHON, "-m", "snakemake", "--cores", "1"], bare),
        "python + pandas + matplotlib": repeated(
            [PYTHON, "-c", "import pandas, matplotlib.pyplot"], scratch
        ),
        "pandoc with citeproc": repeated(
            [
                pandoc,
                str(markdown),
                "--citeproc",
                f"--bibliography={bibliography}",
                "-o",
                str(scratch / "floor.docx"),
            ],
            scratch,
        ),
        "typst compile": repeated(
            [
                PYTHON,
                "-c",
                "import sys, typst; typst.compile(sys.argv[1], root=sys.argv[2], "
                "ignore_system_fonts=True, font_paths=sys.argv[3:])",
                str(typ),
                str(scratch),
                *fonts,
            ],
            scratch,
        ),
    }


def line(name: str, cost: Cost, yardstick: Cost | None = None, target: str = "") -> str:
    ratio = ""
    if yardstick is not None:
        ratio = f"{cost.cpu / yardstick.cpu:5.2f}x CPU  {cost.wall / yardstick.wall:5.2f}x wall"
    return (
        f"{name:<34} {cost.wall:7.2f} s wall {cost.cpu:7.2f} s CPU {cost.peak_mib:7.0f} MiB"
        f"  {ratio}  {target}".rstrip()
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="15,1000,10000", help="study counts for scaling")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument(
        "--tests", action="store_true", help="also time the test suite (python3 review.py test)"
    )
    options = parser.parse_args(argv)
    sizes = [int(size) for size in options.sizes.split(",") if size]
    json_file = options.json.resolve() if options.json else None  # before any chdir
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="reviewkit-bench-") as tmp:
        scratch = Path(tmp)
        review = copy_review(ROOT, scratch / "example")
        cold = build(review)
        (scratch / "floor").mkdir()
        parts = floor(review, scratch / "floor")
        total = Cost(
            sum(c.wall for c in parts.values()),
            sum(c.cpu for c in parts.values()),
            max(c.peak_mib for c in parts.values()),
        )
        print("The floor (measured in this run):")
        for name, cost in parts.items():
            print("  " + line(name, cost))
        print("  " + line("floor, total", total))
        noop = build(review, REPEAT)
        section = sorted((review / "manuscript" / "sections").glob("*.md"))[-1]
        with open(section, "a", encoding="utf-8") as handle:
            handle.write("\n")
        edit = build(review)
        add_study(review)
        added = build(review)
        print("\nThe example review (15 studies):")
        print("  " + line("cold build", cold, total, "(target <= 3x CPU)"))
        print("  " + line("no-op", noop, parts["snakemake no-op"], "(target <= 1.2x)"))
        print(
            "  "
            + line("one-section edit", edit, cold, "(vs the cold build)")
            + f"\n      reran: {', '.join(edit.steps)}"
        )
        print(
            "  "
            + line("one study added", added, cold, "(vs the cold build)")
            + f"\n      reran: {', '.join(added.steps)}"
        )
        results.update(
            floor={k: asdict(v) for k, v in parts.items()},
            floor_total=asdict(total),
            cold=asdict(cold),
            noop=asdict(noop),
            section_edit=asdict(edit),
            study_added=asdict(added),
        )
        scaling = {}
        base = None
        print("\nScaling (synthetic studies, cold builds):")
        for size in sizes:
            folder = write_review(size, scratch / f"synthetic-{size}")
            cost = build(folder)
            base = base or cost
            docx = folder / "results" / "manuscript" / "manuscript.docx"
            target = {1000: "(target <= 2x, <= 1 GiB)", 10000: "(target <= 60 s, <= 1 GiB)"}
            print("  " + line(f"{size} studies", cost, base, target.get(size, "")))
            pixels = largest_figure(folder)
            print(
                f"      DOCX {docx.stat().st_size / 2**20:.1f} MiB, "
                f"largest figure {pixels / 1e6:.1f} MP"
            )
            scaling[size] = {
                **asdict(cost),
                "docx_mib": docx.stat().st_size / 2**20,
                "largest_figure_pixels": pixels,
            }
        results["scaling"] = scaling
    results["cores"] = len(os.sched_getaffinity(0))
    if options.tests:
        results["tests"] = asdict(time_test_suite())
    results["targets"] = targets(results)
    print("\nAgainst the targets of issue 11:")
    for name, met, detail in results["targets"]:
        verdict = {True: "met    ", False: "NOT MET", None: "n/a    "}[met]
        print(f"  {verdict}  {name}: {detail}")
    if json_file:
        json_file.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


def largest_figure(review: Path) -> int:
    """Pixels of the largest PNG figure a build drew."""
    from PIL import Image

    sizes = [0]
    # the figures, and each profile's figure files at its own resolution
    for png in (review / "results").rglob("*.png"):
        with Image.open(png) as image:
            sizes.append(image.width * image.height)
    return max(sizes)


def time_test_suite() -> Cost:
    """The README's test command, timed (the suite builds in temporary folders)."""
    print("\nThe test suite (python3 review.py test -q):")
    # The user's environment, not the builds' fixed date: the tests set their own.
    environment = {k: v for k, v in ENV.items() if k != "SOURCE_DATE_EPOCH"}
    cost = measure([sys.executable, str(ROOT / "review.py"), "test", "-q"], ROOT, environment)
    print("  " + line("test suite", cost, target="(target <= 180 s wall on 2 cores)"))
    return cost


def targets(results: dict) -> list[tuple[str, bool | None, str]]:
    """Each target of issue 11: (target, met, what was measured); met is None when
    this run could not measure it (a size not built, another number of cores)."""
    floor, cold, noop = results["floor_total"], results["cold"], results["noop"]
    bare = results["floor"]["snakemake no-op"]
    edit = set(results["section_edit"]["steps"])
    found = [
        (
            "cold build CPU <= 3x the floor",
            cold["cpu"] / floor["cpu"] <= 3,
            f"{cold['cpu'] / floor['cpu']:.2f}x",
        ),
        (
            "no-op <= 1.2x a bare Snakemake no-op",
            noop["cpu"] / bare["cpu"] <= 1.2,
            f"{noop['cpu'] / bare['cpu']:.2f}x CPU, {noop['wall'] / bare['wall']:.2f}x wall",
        ),
        (
            "a section edit reruns render and assemble only (and the zip of the documents)",
            SECTION_EDIT_RERUNS <= edit <= SECTION_EDIT_MAY_RERUN,
            ", ".join(sorted(edit)),
        ),
    ]
    # int keys also for results read back from JSON, where they are strings
    scaling = {int(size): entry for size, entry in results.get("scaling", {}).items()}
    base = scaling.get(15)
    if 1000 in scaling:
        big = scaling[1000]
        found.append(
            (
                "1,000 studies <= 2x the 15-study build (wall), <= 1 GiB, DOCX <= 5 MB",
                None
                if base is None
                else big["wall"] / base["wall"] <= 2
                and big["peak_mib"] <= 1024
                and big["docx_mib"] <= 5 * 1e6 / 2**20,
                "no 15-study build in this run (--sizes 15,1000)"
                if base is None
                else f"{big['wall'] / base['wall']:.2f}x wall "
                f"({big['cpu'] / base['cpu']:.2f}x CPU), "
                f"{big['peak_mib']:.0f} MiB, DOCX {big['docx_mib']:.1f} MiB",
            )
        )
    if 10000 in scaling:
        huge = scaling[10000]
        found.append(
            (
                "10,000 studies <= 60 s wall, <= 1 GiB",
                huge["wall"] <= 60 and huge["peak_mib"] <= 1024,
                f"{huge['wall']:.1f} s, {huge['peak_mib']:.0f} MiB",
            )
        )
    if scaling:
        largest = max(entry["largest_figure_pixels"] for entry in scaling.values())
        found.append(
            (
                "no figure above 25 megapixels",
                largest <= MAX_FIGURE_PIXELS,
                f"largest {largest / 1e6:.1f} MP",
            )
        )
    if "tests" in results:
        wall, cores = results["tests"]["wall"], results.get("cores")
        found.append(
            (
                "test suite <= 3 minutes on 2 cores",
                wall <= 180 if cores == 2 else None,
                f"{wall:.0f} s on {cores} cores",
            )
        )
    return found


def add_study(review: Path) -> None:
    """Append a copy of the last study under a new id, with its reference."""
    import csv

    table = review / "data" / "studies.csv"
    with open(table, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    new = dict(rows[-1], id="benchmark2024", authors="Benchmark & Added", n_total="50")
    with open(table, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows([*rows, new])
    with open(review / "data" / "references.bib", "a", encoding="utf-8") as handle:
        handle.write("\n@article{benchmark2024,\n  author = {Benchmark and Added},\n")
        handle.write("  title = {Added for the benchmark},\n  year = {2024},\n}\n")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
