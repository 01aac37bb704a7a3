rule figure_files:
    """Each figure as a separate file in the profile's format and resolution
    (named by figure; the submission package numbers them in manuscript order)."""
    input:
        figures=[figure_png(name) for name in FIGURES],
        vectors=vector_figures,
        profile=profile_inputs,
    output:
        folder=directory(f"{profile_dir()}/figures"),
    log:
        "logs/figure_files/{profile}.log",
    conda:
        "../envs/reviewkit.yaml"
    params:
        code=CODE_VERSION,
        profile=profile_setting,
    script:
        "../scripts/figure_files.py"


rule supplement:
    """The extracted study data and every derived number as one spreadsheet."""
    input:
        studies=VALIDATED_STUDIES,
        numbers=STATS_FILES,
        tables=[STUDY_TABLE_CSV, EFFECTS_CSV],
    output:
        xlsx=SUPPLEMENT_XLSX,
    log:
        "logs/supplement.log",
    conda:
        "../envs/reviewkit.yaml"
    params:
        code=CODE_VERSION,
        epoch=inputs_epoch(),
    script:
        "../scripts/supplement.py"


if LARGE_REVIEW:

    rule supplement_tables:
        """A large review's supplementary tables (Table S1, the characteristics of each
        study; Table S2, the effect sizes) as a Word document and a PDF."""
        input:
            markdown=SUPPLEMENT_TABLES["markdown"],
            layout=pandoc_settings(),
            reference=f"{profile_dir(PROFILE)}/reference.docx",
        output:
            **({"pdf": SUPPLEMENT_TABLES["pdf"]} if SUPPLEMENT_TABLES_PDF else {}),
            docx=SUPPLEMENT_TABLES["docx"],
        log:
            "logs/supplement_tables.log",
        conda:
            "../envs/reviewkit.yaml"
        params:
            code=CODE_VERSION,
            epoch=inputs_epoch(),
        script:
            "../scripts/supplement_tables.py"


rule submission_package:
    """The submission folder of one journal profile, its manifest and its zip."""
    input:
        unpack(submission_inputs),
    output:
        manifest="results/submission/{profile}/MANIFEST.csv",
        zip="results/submission/{profile}.zip",
    log:
        "logs/submission_package/{profile}.log",
    conda:
        "../envs/reviewkit.yaml"
    params:
        code=CODE_VERSION,
        epoch=inputs_epoch(),
    script:
        "../scripts/submission_package.py"
