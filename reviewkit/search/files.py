"""Which files of the search folder are exports (light: the Snakefile lists them
each time it is read, so this imports nothing heavy)."""

from __future__ import annotations

from pathlib import Path

#: Per-source metadata (database, search date, query), not an export.
METADATA_FILES = ("sources.yaml", "sources.yml")


def export_files(folder: Path) -> list[Path]:
    """Export files in name order; hidden files, spreadsheet lock files, the
    metadata file and README files are not exports."""
    files = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        name = path.name
        if (
            not path.is_file()
            or name.startswith((".", "~$"))
            or name in METADATA_FILES
            or name.lower().startswith("readme")
        ):
            continue
        files.append(path)
    return files
