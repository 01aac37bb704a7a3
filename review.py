#!/usr/bin/env python3
"""reviewkit: a literature-review manuscript rebuilt from its study table.

Usage:
  python3 review.py new FOLDER --language id|en
  python3 review.py build [--directory REVIEW] [--verbose] [SNAKEMAKE OPTIONS...]
  python3 review.py release NAME [--directory REVIEW]
  python3 review.py test  [PYTEST OPTIONS...]
  python3 review.py --help | --version

Commands:
  new     Create a new review in FOLDER (absent or empty), ready to fill: config,
          an empty study table and bibliography, and a manuscript whose numbers
          all come from the data (docs/new-review.md). Its first build succeeds
          and says that no studies are included yet.
  build   Build the manuscript (DOCX, PDF, HTML) and the submission folder of
          the review in REVIEW (default: the current folder) into REVIEW/results/.
          --verbose shows Snakemake's full output; any other option goes to
          Snakemake (e.g. -n for a dry run, --forceall to rebuild everything).
  release Keep the current build (inputs, numbers, DOCX, PDF) as the released
          version NAME in REVIEW/versions/NAME/ (commit that folder). Later
          builds compare with the latest release in REVIEW/results/changes/.
          Refused when the build is not up to date or NAME exists.
  test    Run the tool's test suite.

Needs only Python 3.11+ with pip. The first command creates `.venv/` beside
this file and installs the exact versions in `requirements.lock` (pandoc and
typst come as Python wheels: no system pandoc, LaTeX or network at build time).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

if sys.version_info < (3, 11):  # noqa: UP036 - this file runs before any install
    sys.exit(f"review.py: Python 3.11 or newer is needed, this is {sys.version.split()[0]}")

import tomllib

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".reviewkit-installed"
LOCK_FILES = (ROOT / "requirements.lock", ROOT / "pyproject.toml")
COMMANDS = ("new", "build", "release", "test")
MANUSCRIPT_FILES = ("manuscript.docx", "manuscript.pdf", "manuscript.html")


def say(message: str) -> None:
    print(f"review.py: {message}", file=sys.stderr, flush=True)


def version() -> str:
    with open(ROOT / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["project"]["version"]


# ------------------------------------------------------------- environment ---


def venv_bin(name: str) -> Path:
    folder = "Scripts" if os.name == "nt" else "bin"
    suffix = ".exe" if os.name == "nt" else ""
    return VENV / folder / f"{name}{suffix}"


def lock_digest() -> str:
    digest = hashlib.sha256()
    for path in LOCK_FILES:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def pinned_packages() -> int:
    lines = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    return sum(1 for line in lines if "==" in line and not line.lstrip().startswith("#"))


def ensure_environment() -> None:
    """Create .venv and install the pinned dependencies, once per lock file."""
    wanted = lock_digest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    if not venv_bin("python").exists():
        say(f"first run: creating the environment {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    say(
        f"installing {pinned_packages()} pinned packages from requirements.lock "
        "(pandoc, typst, Snakemake, ...); the first time takes about two minutes"
    )
    command = [
        str(venv_bin("python")),
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--progress-bar",
        "off",
        "-r",
        str(ROOT / "requirements.lock"),
    ]
    # reviewkit itself is not installed: Snakemake and pytest import it from this folder.
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    shown = 0
    tail: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        tail = [*tail[-30:], line.rstrip()]
        if line.startswith("Collecting "):
            shown += 1
            name = line.split()[1]
            progress = f"  [{shown}] {name}"
            if sys.stderr.isatty():
                print(f"\r{progress:<60}", end="", file=sys.stderr, flush=True)
            elif shown % 10 == 0:
                print(progress, file=sys.stderr, flush=True)
        elif line.startswith("Successfully installed"):
            if sys.stderr.isatty():
                print(file=sys.stderr)
            say(f"installed {len(line.split()) - 2} packages")
    if process.wait() != 0:
        print("\n".join(tail), file=sys.stderr)
        raise subprocess.CalledProcessError(process.returncode, command)
    STAMP.write_text(wanted + "\n")


# ------------------------------------------------------------------- build ---


def split_build_arguments(arguments: list[str]) -> tuple[Path, bool, list[str]]:
    """(review folder, verbose, the rest for Snakemake) from `build`'s arguments."""
    directory, verbose, rest = Path.cwd(), False, []
    items = iter(arguments)
    for item in items:
        if item in ("--directory", "-d"):
            value = next(items, None)
            if value is None:
                raise SystemExit("review.py: --directory needs a folder")
            directory = Path(value)
        elif item.startswith("--directory="):
            directory = Path(item.split("=", 1)[1])
        elif item == "--verbose":
            verbose = True
        else:
            rest.append(item)
    return directory.resolve(), verbose, rest


class BuildLock:
    """Held while a build runs in a review folder (an OS file lock, released when
    the process ends, even when it is killed): a second build in the same folder
    refuses, and a Snakemake lock left by a killed build is known to be stale."""

    def __init__(self, review: Path):
        self.path = review / ".snakemake" / "reviewkit-build.lock"
        self.handle = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = open(self.path, "a+")  # noqa: SIM115 - held for the whole build
        try:
            if os.name == "nt":
                import msvcrt

                msvcrt.locking(self.handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(self.handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True


#: Temporary files the steps write beside a result and rename into place when it
#: is complete (".manuscript.tmp.docx", ".forest.png.4711.tmp", ".x.zip.tmp"):
#: a killed step leaves them behind.
TEMPORARY_FILE = re.compile(r"^\..+\.tmp(\.\w+)?$")


def temporary_folder(review: Path) -> Path:
    """The build's own temporary folder (TMPDIR of every step): pandoc's and typst's
    scratch folders live here, so a killed build's leftovers are found and removed."""
    return review / ".snakemake" / "tmp"


def remove_leftovers(review: Path) -> int:
    """Delete the temporary files of an interrupted build; the number removed."""
    removed = 0
    results = review / "results"
    if results.is_dir():
        for path in results.rglob(".*"):
            if path.is_file() and TEMPORARY_FILE.match(path.name):
                path.unlink()
                removed += 1
    scratch = temporary_folder(review)
    if scratch.is_dir():
        removed += sum(1 for _ in scratch.iterdir())
        shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True, exist_ok=True)
    return removed


def recover_from_interrupted_build(review: Path, snakemake: list[str]) -> None:
    """Remove the locks and temporary files of a killed build (none is running:
    we hold the build lock)."""
    if remove_leftovers(review):
        say("removed the temporary files left by an interrupted build")
    locks = review / ".snakemake" / "locks"
    if locks.is_dir() and any(locks.iterdir()):
        say("removing the lock left by an interrupted build")
        subprocess.run([*snakemake, "--unlock"], cwd=review, capture_output=True, check=False)
    incomplete = review / ".snakemake" / "incomplete"
    if incomplete.is_dir() and any(incomplete.iterdir()):
        say("an interrupted build left unfinished files: their steps are redone")


STEP_START = re.compile(r"^(?:local)?rule (\w+):$")
STEPS_DONE = re.compile(r"^(\d+) of (\d+) steps \(\d+%\) done$")
TOTAL_JOBS = re.compile(r"^total\s+(\d+)$")


class Progress:
    """Snakemake's output turned into one line per step, warnings kept for the end."""

    def __init__(self) -> None:
        self.total = 0
        self.started = 0
        self.warnings: list[str] = []
        self._seen: set[str] = set()
        self.errors: list[str] = []
        self.lines: list[str] = []
        self.nothing_to_do = False
        self.disk_full = ""

    def feed(self, line: str) -> None:
        line = line.rstrip("\n")
        self.lines.append(line)
        stripped = line.strip()
        if stripped.startswith("WARNING: ") and stripped not in self._seen:
            self._seen.add(stripped)
            self.warnings.append(stripped)
        elif stripped.startswith("ERROR: ") and stripped not in self.errors:
            self.errors.append(stripped)
        elif total := TOTAL_JOBS.match(stripped):
            self.total = max(self.total, int(total.group(1)) - 1)  # without rule `all`
        elif start := STEP_START.match(stripped):
            if start.group(1) != "all":
                self.started += 1
                count = f"{self.started}/{self.total}" if self.total else str(self.started)
                print(f"  [{count}] {start.group(1)}", file=sys.stderr, flush=True)
        elif stripped.startswith("Nothing to be done"):
            self.nothing_to_do = True
        if "no space left on device" in stripped.lower() and not self.disk_full:
            self.disk_full = stripped

    def failure_detail(self) -> list[str]:
        """What to show when a step failed without a message for people."""
        for index, line in enumerate(self.lines):
            if line.startswith(("Error in rule", "Traceback", "WorkflowError", "SyntaxError")):
                return self.lines[index : index + 40]
        return self.lines[-40:]


WARNING_SHAPE = re.compile(r'"[^"]*"|\d+')


def summarised_warnings(warnings: list[str], shown: int = 3) -> list[str]:
    """The warnings, with a long run of one kind (the same message but for its numbers
    and quoted names, e.g. 1,000 bibliography entries without a journal) cut to its
    first ``shown`` and a count: every one stays in the step's log under logs/."""
    kinds: dict[str, list[str]] = {}
    for warning in warnings:
        kinds.setdefault(WARNING_SHAPE.sub("#", warning), []).append(warning)
    lines = []
    for same in kinds.values():
        if len(same) <= shown + 2:
            lines += same
        else:
            lines += same[:shown]
            lines.append(f"WARNING: ... and {len(same) - shown} more like these (all in logs/)")
    return lines


def build(arguments: list[str]) -> int:
    review, verbose, rest = split_build_arguments(arguments)
    if any(item in ("-h", "--help") for item in rest):
        print(__doc__.split("Needs only")[0].rstrip())
        print("\nSnakemake's own options: .venv/bin/snakemake --help")
        return 0
    if not review.is_dir():
        say(f"{review}: no such folder")
        return 1
    if not (review / "config.yaml").is_file() and not any(
        item.startswith("--configfile") for item in rest
    ):
        say(f"{review}: no config.yaml here, so this is not a review folder")
        return 1
    ensure_environment()
    lock = BuildLock(review)
    if not lock.acquire():
        say(f"another build is running in {review}; wait for it to finish, then build again")
        return 1
    snakemake = [
        str(venv_bin("snakemake")),
        "--snakefile",
        str(ROOT / "Snakefile"),
        "--directory",
        str(review),
        "--cores",
        str(os.cpu_count() or 1),
    ]
    recover_from_interrupted_build(review, snakemake)
    command = [*snakemake, "--rerun-incomplete", *rest]
    environment = {**tool_environment(), "TMPDIR": str(temporary_folder(review))}
    if verbose:
        return subprocess.run(command, cwd=review, env=environment).returncode
    say(f"building the review in {review}")
    progress = Progress()
    process = subprocess.Popen(
        command,
        cwd=review,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        progress.feed(line)
    code = process.wait()
    for warning in summarised_warnings(progress.warnings):
        print(warning, file=sys.stderr)
    if code != 0:
        if progress.errors:
            print("\nThe build stopped because of these problems:", file=sys.stderr)
            print("\n".join(progress.errors), file=sys.stderr)
        elif progress.disk_full:
            say(f"no space left on device; free some space and build again ({progress.disk_full})")
        else:
            print("\n".join(progress.failure_detail()), file=sys.stderr)
            say("the build failed; run again with --verbose for Snakemake's full output")
        return code
    if progress.nothing_to_do:
        say("nothing to rebuild: everything is up to date")
    if "-n" in rest or "--dry-run" in rest or "--dryrun" in rest:
        return 0
    written = [review / "results" / "manuscript" / name for name in MANUSCRIPT_FILES]
    written += sorted((review / "results" / "submission").glob("*.zip"))
    shown = [path for path in written if path.is_file()]
    if shown:
        print("\nThe manuscript:", file=sys.stderr)
        for path in shown:
            print(f"  {relative(path)}", file=sys.stderr)
    return 0


def relative(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------- new ---


def new(arguments: list[str]) -> int:
    """`new FOLDER --language id|en`: the folder is made absolute here, because the
    scaffold runs from the tool's folder."""
    if not arguments or arguments[0] in ("-h", "--help"):
        print("usage: python3 review.py new FOLDER --language id|en")
        return 0 if arguments else 2
    rest = []
    items = iter(arguments)
    for item in items:
        if item.startswith("-"):
            rest.append(item)
            if item == "--language":
                rest.append(next(items, ""))
        else:
            rest.append(str(Path(item).resolve()))
    ensure_environment()
    command = [str(venv_bin("python")), "-m", "reviewkit.scaffold", "new", *rest]
    return subprocess.run(command, cwd=ROOT).returncode


# ----------------------------------------------------------------- release ---


def release(arguments: list[str]) -> int:
    review, _verbose, rest = split_build_arguments(arguments)
    if len(rest) != 1 or rest[0].startswith("-"):
        say("usage: python3 review.py release NAME [--directory REVIEW]")
        return 2
    if (review / "versions" / rest[0]).exists():
        say(f"versions/{rest[0]} exists already: a release is never replaced; choose another name")
        return 1
    ensure_environment()
    dry_run = subprocess.run(
        [
            str(venv_bin("snakemake")),
            "--snakefile",
            str(ROOT / "Snakefile"),
            "--directory",
            str(review),
            "--dry-run",
        ],
        cwd=review,
        capture_output=True,
        text=True,
    )
    up_to_date = dry_run.returncode == 0 and "Nothing to be done" in dry_run.stdout + (
        dry_run.stderr
    )
    if not up_to_date:
        say("the build is not up to date: run `python3 review.py build` first, then release")
        return 1
    command = [str(venv_bin("python")), "-m", "reviewkit.versions", "--review", str(review)]
    return subprocess.run([*command, "release", rest[0], "--built"], cwd=ROOT).returncode


# -------------------------------------------------------------------- main ---


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__.rstrip())
        return 0 if argv else 2
    if argv[0] == "--version":
        print(f"reviewkit {version()}")
        return 0
    command, extra = argv[0], argv[1:]
    if command not in COMMANDS:
        say(f"unknown command {command!r}; expected one of: {', '.join(COMMANDS)} (see --help)")
        return 2
    try:
        if command == "build":
            return build(extra)
        if command == "release":
            return release(extra)
        if command == "new":
            return new(extra)
        ensure_environment()
    except subprocess.CalledProcessError as error:
        say(f"installing the dependencies failed ({error})")
        return 1
    return subprocess.run(
        [str(venv_bin("python")), "-m", "pytest", *parallel_options(extra), *extra],
        cwd=ROOT,
        env=tool_environment(),
    ).returncode


def tool_environment() -> dict[str, str]:
    """The environment of the build and the tests: Python may keep the compiled tool
    modules (reviewkit/__pycache__, ignored by git). With PYTHONDONTWRITEBYTECODE
    set, as some sandboxes and CI images do, every step of every build compiled
    the whole package again: 0.3 s of CPU a step (docs/benchmarks.md)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def parallel_options(extra: list[str]) -> list[str]:
    """The tests run on every core (pytest-xdist), one test file per worker at a time so
    a file's built review is shared by its tests; not when the caller chose otherwise."""
    chosen = any(item == "-n" or item.startswith(("-n", "--numprocesses")) for item in extra)
    if chosen or "no:xdist" in extra:
        return []
    return ["-n", "auto", "--dist", "loadfile"]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
