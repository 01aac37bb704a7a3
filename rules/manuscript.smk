rule build_docx:
    """The manuscript as a Word file (pandoc, citeproc, reference DOCX styles)."""
    input:
        markdown=MANUSCRIPT_MD,
        bibliography=config["references"],
        defaults=MANUSCRIPT_DIR / "pandoc" / "common.yaml",
        settings=pandoc_settings(),
        figures=[figure_png(name) for name in FIGURES],
    output:
        docx=MANUSCRIPT_DOCX,
    log:
        "logs/build_docx.log",
    conda:
        "../envs/reviewkit.yaml"
    params:
        csl=config["csl"],
        epoch=inputs_epoch(),
    script:
        "../scripts/build_docx.py"


rule build_pdf:
    """The manuscript as a PDF (pandoc to typst, typst's Python binding, no LaTeX)."""
    input:
        markdown=MANUSCRIPT_MD,
        bibliography=config["references"],
        defaults=MANUSCRIPT_DIR / "pandoc" / "common.yaml",
        settings=pandoc_settings(),
        figures=[figure_png(name) for name in FIGURES],
    output:
        pdf=MANUSCRIPT_PDF,
    log:
        "logs/build_pdf.log",
    conda:
        "../envs/reviewkit.yaml"
    params:
        csl=config["csl"],
        epoch=inputs_epoch(),
    script:
        "../scripts/build_pdf.py"
