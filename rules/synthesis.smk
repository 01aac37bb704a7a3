rule synthesise:
    """Effect sizes, pooled estimates where justified, vote counting and combined
    p-values; every derived effect listed with its inputs and formula."""
    input:
        code=CODE_FINGERPRINT,
        studies=VALIDATED_STUDIES,
        schema=STUDIES_SCHEMA,
    output:
        summary=SYNTHESIS_JSON,
        effects=EFFECTS_CSV,
        markdown=EFFECTS_MD,
    log:
        "logs/synthesise.log",
    conda:
        "../envs/reviewkit.yaml"
    params:
        settings=config["synthesis"],
        rob_tool=config["risk_of_bias"]["tool"],
        language=config["language"],
    script:
        "../scripts/synthesise.py"
