wildcard_constraints:
    profile="[A-Za-z0-9_-]+",


rule reference_docx:
    """The Word reference document of a journal profile: its styles, page, page
    and line numbers (depends on the profile only, not on the text)."""
    input:
        profile=profile_inputs,
        # Only after the data passed validation (a mistake leaves results/ empty);
        # ancient(): a change of the data never reruns this step.
        validated=ancient(VALIDATED_STUDIES),
    output:
        docx=f"{profile_dir()}/reference.docx",
    log:
        "logs/reference_docx/{profile}.log",
    conda:
        "../envs/reviewkit.yaml"
    params:
        code=CODE_VERSION,
        profile=profile_setting,
        csl=config["csl"],
    script:
        "../scripts/reference_docx.py"


rule assemble_manuscript:
    """Check the manuscript against the configured journal profile (limits,
    declarations), then write it with pandoc as DOCX, PDF (typst) and HTML, with
    the separate title page and tables the profile asks for."""
    input:
        markdown=MANUSCRIPT_MD,
        metadata=MANUSCRIPT_DIR / "metadata.yaml",
        bibliography=config["references"],
        layout=pandoc_settings(),
        figures=[figure_png(name) for name in FIGURES],
        profile=configured_profile_inputs(),
        reference=f"{profile_dir(PROFILE)}/reference.docx",
    output:
        checks=f"{profile_dir(PROFILE)}/checks.json",
        settings=f"{profile_dir(PROFILE)}/profile.json",
        defaults=f"{profile_dir(PROFILE)}/pandoc.yaml",
        docx=MANUSCRIPT_DOCX,
        pdf=MANUSCRIPT_PDF,
        html=MANUSCRIPT_HTML,
        title_page=f"{profile_dir(PROFILE)}/title-page.docx",
        tables=f"{profile_dir(PROFILE)}/tables.docx",
    log:
        f"logs/assemble_manuscript/{PROFILE}.log",
    conda:
        "../envs/reviewkit.yaml"
    params:
        code=CODE_VERSION,
        profile=config["profile"],
        language=config["language"],
        csl=config["csl"],
        epoch=inputs_epoch(),
        figure_style=LAYOUT["csl"],
    script:
        "../scripts/assemble_manuscript.py"


use rule assemble_manuscript as assemble_profile_manuscript with:
    input:
        markdown=MANUSCRIPT_MD,
        metadata=MANUSCRIPT_DIR / "metadata.yaml",
        bibliography=config["references"],
        layout=pandoc_settings(),
        figures=[figure_png(name) for name in FIGURES],
        profile=profile_inputs,
        reference=f"{profile_dir()}/reference.docx",
    output:
        checks=f"{profile_dir()}/checks.json",
        settings=f"{profile_dir()}/profile.json",
        defaults=f"{profile_dir()}/pandoc.yaml",
        docx=f"{profile_dir()}/manuscript.docx",
        pdf=f"{profile_dir()}/manuscript.pdf",
        title_page=f"{profile_dir()}/title-page.docx",
        tables=f"{profile_dir()}/tables.docx",
    log:
        "logs/assemble_manuscript/{profile}.log",
    conda:
        "../envs/reviewkit.yaml"
    params:
        code=CODE_VERSION,
        profile=profile_setting,
        language=config["language"],
        csl=config["csl"],
        epoch=inputs_epoch(),
        figure_style=LAYOUT["csl"],


# The configured profile's documents come from assemble_manuscript (results/manuscript/).
ruleorder: assemble_manuscript > assemble_profile_manuscript
