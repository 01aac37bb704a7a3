rule summarise_studies:
    """Counts, medians and ratios that the text's placeholders are filled from."""
    input:
        code=CODE_FINGERPRINT,
        studies=VALIDATED_STUDIES,
        schema=STUDIES_SCHEMA,
    output:
        summary=SUMMARY_JSON,
    log:
        "logs/summarise_studies.log",
    conda:
        "../envs/reviewkit.yaml"
    script:
        "../scripts/summarise_studies.py"


rule synthesis_table:
    """The review's Table 1 regenerated from the data, as CSV and as Markdown."""
    input:
        code=CODE_FINGERPRINT,
        studies=VALIDATED_STUDIES,
        schema=STUDIES_SCHEMA,
    output:
        csv=SYNTHESIS_TABLE_CSV,
        markdown=SYNTHESIS_TABLE_MD,
    log:
        "logs/synthesis_table.log",
    conda:
        "../envs/reviewkit.yaml"
    params:
        language=config["language"],
    script:
        "../scripts/synthesis_table.py"
