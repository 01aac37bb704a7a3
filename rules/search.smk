rule search_records:
    """Search exports in, duplicates out: the records workbook to screen in, every
    merge for a person to audit, the screening decisions checked, and the PRISMA
    2020 counts."""
    input:
        exports=SEARCH_FILES,
        screening=screening_input(),
        studies=VALIDATED_STUDIES,
        previous=previous_prisma(),
    output:
        records="results/search/records.xlsx",
        duplicates="results/search/duplicates.csv",
        prisma=PRISMA_JSON,
    log:
        "logs/search_records.log",
    conda:
        "../envs/reviewkit.yaml"
    params:
        code=CODE_VERSION,
        folder=config["search"]["folder"],
        threshold=config["search"]["duplicate_threshold"],
        epoch=build_epoch([config["search"]["folder"]]),
    script:
        "../scripts/search_records.py"
