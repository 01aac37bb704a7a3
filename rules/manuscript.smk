include: "submission_common.smk"


wildcard_constraints:
    profile="[A-Za-z0-9_-]+",


rule check_manuscript:
    """Check the manuscript against the journal profile (word and keyword limits,
    required declarations) and write the profile's settings for the later steps."""
    input:
        code=CODE_FINGERPRINT,
        markdown=MANUSCRIPT_MD,
        metadata=MANUSCRIPT_DIR / "metadata.yaml",
        schema=PROFILE_SCHEMA,
        profile=profile_inputs,
    output:
        checks=profile_build("checks.json"),
        settings=profile_build("profile.json"),
        defaults=profile_build("pandoc.yaml"),
    log:
        "logs/check_manuscript/{profile}.log",
    conda:
        "../envs/reviewkit.yaml"
    params:
        profile=profile_setting,
        profiles_dir=PROFILES_DIR,
        language=config["language"],
        csl=config["csl"],
    script:
        "../scripts/check_manuscript.py"


rule reference_docx:
    """The Word reference document of the profile: its styles, page, page and line numbers."""
    input:
        code=CODE_FINGERPRINT,
        settings=profile_build("profile.json"),
        profile=profile_inputs,
    output:
        docx=profile_build("reference.docx"),
    log:
        "logs/reference_docx/{profile}.log",
    conda:
        "../envs/reviewkit.yaml"
    script:
        "../scripts/reference_docx.py"


rule build_docx:
    """The manuscript as a Word file (pandoc, citeproc, the profile's reference DOCX)."""
    input:
        code=CODE_FINGERPRINT,
        markdown=MANUSCRIPT_MD,
        bibliography=config["references"],
        defaults=LAYOUT_DIR / "defaults" / "common.yaml",
        settings_files=pandoc_settings(),
        figures=[figure_png(name) for name in ALL_FIGURES],
        settings=profile_build("profile.json"),
        profile_defaults=profile_build("pandoc.yaml"),
        reference=profile_build("reference.docx"),
    output:
        docx=profile_build("manuscript.docx"),
    log:
        "logs/build_docx/{profile}.log",
    conda:
        "../envs/reviewkit.yaml"
    params:
        part="main",
        epoch=inputs_epoch(),
    script:
        "../scripts/build_docx.py"


rule build_pdf:
    """The manuscript as a PDF (pandoc to typst, typst's Python binding, no LaTeX)."""
    input:
        code=CODE_FINGERPRINT,
        markdown=MANUSCRIPT_MD,
        bibliography=config["references"],
        defaults=LAYOUT_DIR / "defaults" / "common.yaml",
        settings_files=pandoc_settings(),
        figures=[figure_png(name) for name in ALL_FIGURES],
        settings=profile_build("profile.json"),
        profile_defaults=profile_build("pandoc.yaml"),
    output:
        pdf=profile_build("manuscript.pdf"),
    log:
        "logs/build_pdf/{profile}.log",
    conda:
        "../envs/reviewkit.yaml"
    params:
        epoch=inputs_epoch(),
    script:
        "../scripts/build_pdf.py"


rule build_html:
    """The manuscript as one self-contained HTML file (figures embedded), configured profile."""
    input:
        code=CODE_FINGERPRINT,
        markdown=MANUSCRIPT_MD,
        bibliography=config["references"],
        defaults=LAYOUT_DIR / "defaults" / "common.yaml",
        settings_files=pandoc_settings(),
        figures=[figure_png(name) for name in ALL_FIGURES],
        settings=profile_build("profile.json", PROFILE),
        profile_defaults=profile_build("pandoc.yaml", PROFILE),
    output:
        html=MANUSCRIPT_HTML,
    log:
        "logs/build_html.log",
    conda:
        "../envs/reviewkit.yaml"
    script:
        "../scripts/build_html.py"


rule publish_manuscript:
    """The configured profile's manuscript (DOCX and PDF) in results/manuscript/."""
    input:
        code=CODE_FINGERPRINT,
        docx=profile_build("manuscript.docx", PROFILE),
        pdf=profile_build("manuscript.pdf", PROFILE),
    output:
        docx=MANUSCRIPT_DOCX,
        pdf=MANUSCRIPT_PDF,
    log:
        "logs/publish_manuscript.log",
    conda:
        "../envs/reviewkit.yaml"
    script:
        "../scripts/publish_manuscript.py"
