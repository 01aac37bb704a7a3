rule title_page:
    """The title page as its own Word file: authors, affiliations, ORCID iDs,
    corresponding author, counts, keywords and declarations."""
    input:
        code=CODE_FINGERPRINT,
        markdown=MANUSCRIPT_MD,
        bibliography=config["references"],
        defaults=LAYOUT_DIR / "defaults" / "common.yaml",
        settings_files=pandoc_settings(),
        settings=profile_build("profile.json"),
        profile_defaults=profile_build("pandoc.yaml"),
        reference=profile_build("reference.docx"),
    output:
        docx=profile_build("title-page.docx"),
    log:
        "logs/title_page/{profile}.log",
    conda:
        "../envs/reviewkit.yaml"
    params:
        part="title-page",
        epoch=inputs_epoch(),
    script:
        "../scripts/build_docx.py"


rule tables_docx:
    """The manuscript's tables with their captions as editable Word tables."""
    input:
        code=CODE_FINGERPRINT,
        markdown=MANUSCRIPT_MD,
        bibliography=config["references"],
        defaults=LAYOUT_DIR / "defaults" / "common.yaml",
        settings_files=pandoc_settings(),
        settings=profile_build("profile.json"),
        profile_defaults=profile_build("pandoc.yaml"),
        reference=profile_build("reference.docx"),
    output:
        docx=profile_build("tables.docx"),
    log:
        "logs/tables_docx/{profile}.log",
    conda:
        "../envs/reviewkit.yaml"
    params:
        part="tables",
        epoch=inputs_epoch(),
    script:
        "../scripts/build_docx.py"


rule figure_files:
    """Each figure as a separate file in the profile's format, resolution and naming."""
    input:
        code=CODE_FINGERPRINT,
        checks=profile_build("checks.json"),
        settings=profile_build("profile.json"),
        figures=[figure_png(name) for name in ALL_FIGURES],
    output:
        folder=directory(profile_build("figures")),
    log:
        "logs/figure_files/{profile}.log",
    conda:
        "../envs/reviewkit.yaml"
    script:
        "../scripts/export_figures.py"


rule supplement:
    """The extracted study data and every derived number as one spreadsheet."""
    input:
        code=CODE_FINGERPRINT,
        studies=VALIDATED_STUDIES,
        numbers=derived_numbers,
        tables=result_tables,
    output:
        xlsx=SUPPLEMENT_XLSX,
    log:
        "logs/supplement.log",
    conda:
        "../envs/reviewkit.yaml"
    params:
        epoch=inputs_epoch(),
    script:
        "../scripts/supplement.py"


rule submission_package:
    """The submission folder of one journal profile, its manifest and its zip."""
    input:
        unpack(submission_inputs),
        code=CODE_FINGERPRINT,
    output:
        manifest="results/submission/{profile}/MANIFEST.csv",
        zip="results/submission/{profile}.zip",
    log:
        "logs/submission_package/{profile}.log",
    conda:
        "../envs/reviewkit.yaml"
    params:
        epoch=inputs_epoch(),
    script:
        "../scripts/submission_package.py"
