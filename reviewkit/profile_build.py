"""The documents of one journal profile, from the rendered Markdown manuscript.

First the manuscript is checked against the profile (word and keyword limits,
declarations; reviewkit.frontmatter), which also writes the profile's settings
and pandoc defaults. Then pandoc writes the DOCX, the PDF (through typst), the
HTML and the separate title page and tables, each into a temporary file that
is moved into place only when it is complete. The pandoc runs are independent
processes, so they run side by side.
"""

from __future__ import annotations

import json
import logging
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from reviewkit.assemble import (
    DEFAULTS_DIR,
    build_docx,
    build_html,
    build_pdf,
    read_markdown_ast,
    resolve_csl,
)
from reviewkit.bibliography import is_numeric_style
from reviewkit.frontmatter import prepare_profile_build
from reviewkit.paths import PROFILE_SCHEMA, PROFILES_DIR

log = logging.getLogger(__name__)


def check_manuscript(
    *,
    markdown,
    metadata,
    profile,
    language,
    csl,
    checks,
    settings,
    defaults,
    bibliography=None,
    ast=None,
) -> dict:
    """Check the manuscript against the profile; warn about soft limits and placeholders.
    ``ast``: the manuscript's pandoc AST, when it was read already."""
    report = prepare_profile_build(
        markdown=markdown,
        metadata=metadata,
        profile=profile,
        profiles_dir=PROFILES_DIR,
        schema=PROFILE_SCHEMA,
        manuscript_dir=Path(metadata).parent,
        language=language,
        csl=csl,
        checks_out=checks,
        settings_out=settings,
        defaults_out=defaults,
        bibliography=bibliography,
        ast=ast,
    )
    for line in report["soft_limits_not_met"]:
        log.warning("%s (reported only)", line)
    if report["placeholders"]:
        log.warning("%s: still placeholders: %s", metadata, ", ".join(report["placeholders"]))
    return report


def warn_if_figures_differ(settings: dict, figure_style: str) -> None:
    """See :func:`assemble_documents` (``figure_style``)."""
    own = is_numeric_style(resolve_csl(settings["csl"]))
    drawn = is_numeric_style(resolve_csl(figure_style))
    if own != drawn:
        log.warning(
            "profile %s: the figures label studies for the citation style %s of the "
            "configured profile, not for this profile's %s; set profile: %s in config.yaml "
            "to draw them for this one",
            settings["name"],
            figure_style,
            settings["csl"],
            settings["name"],
        )


def assemble_documents(
    *,
    markdown: Path | str,
    metadata: Path | str,
    bibliography: Path | str,
    reference: Path | str,
    profile: str,
    language: str,
    csl: str,
    epoch: int,
    outputs: dict[str, Path | str],
    figure_style: str | None = None,
) -> None:
    """Check, then write every document named in ``outputs`` (keys: checks,
    settings, defaults, docx, pdf, title_page, tables and optionally html).

    ``figure_style``: the citation style the figures were drawn for (the
    configured profile's); a profile whose style numbers references while that
    one does not, or the reverse, gets a warning, as its figures then label
    studies differently from its text.

    The manuscript is read once (:func:`reviewkit.assemble.read_markdown_ast`): its
    words are counted in that AST and every pandoc run reads it instead of the
    Markdown."""
    with tempfile.TemporaryDirectory(prefix="reviewkit-ast-") as folder:
        ast_text = read_markdown_ast(markdown)
        ast_file = Path(folder) / "manuscript.json"
        ast_file.write_text(ast_text, encoding="utf-8")
        check_manuscript(
            markdown=markdown,
            metadata=metadata,
            profile=profile,
            language=language,
            csl=csl,
            checks=outputs["checks"],
            settings=outputs["settings"],
            defaults=outputs["defaults"],
            bibliography=bibliography,
            ast=json.loads(ast_text),
        )
        write_documents(ast_file, markdown, bibliography, reference, epoch, outputs, figure_style)


def write_documents(ast_file, markdown, bibliography, reference, epoch, outputs, figure_style):
    """The documents of :func:`assemble_documents` from the manuscript's AST."""
    settings = json.loads(Path(outputs["settings"]).read_text(encoding="utf-8"))
    if figure_style:
        warn_if_figures_differ(settings, figure_style)
    common = {
        "bibliography": bibliography,
        "csl": settings["csl"],
        "defaults_dir": DEFAULTS_DIR,
        "extra_defaults": [outputs["defaults"]],
        "from_format": "json",
        "source": markdown,
    }

    def docx(part: str, target: Path | str) -> None:
        build_docx(
            ast_file,
            target,
            reference_docx=reference,
            metadata={"reviewkit-part": part},
            timestamp=epoch,
            **common,
        )

    jobs = [
        lambda: docx("main", outputs["docx"]),
        lambda: build_pdf(
            ast_file,
            outputs["pdf"],
            font_paths=settings["pdf"]["font_paths"],
            pdf_standards=settings["pdf"]["standard"],
            timestamp=epoch,
            **common,
        ),
        lambda: docx("title-page", outputs["title_page"]),
        lambda: docx("tables", outputs["tables"]),
    ]
    if outputs.get("html"):
        jobs.append(lambda: build_html(ast_file, outputs["html"], **common))
    # Each job waits on its own pandoc or typst; two at a time on a two-core machine.
    with ThreadPoolExecutor(max_workers=min(2, len(jobs))) as pool:
        for future in [pool.submit(job) for job in jobs]:
            future.result()  # re-raises the first failure (an InputError for the user)
