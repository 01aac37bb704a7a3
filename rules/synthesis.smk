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


rule summary_of_findings:
    """The optional GRADE summary-of-findings table: the user's judgements beside the
    synthesis's numbers."""
    input:
        code=CODE_FINGERPRINT,
        judgements=config["summary_of_findings"] or [],
        schema="schemas/summary_of_findings.schema.yaml",
        synthesis=SYNTHESIS_JSON,
    output:
        markdown=SUMMARY_OF_FINDINGS_MD,
    log:
        "logs/summary_of_findings.log",
    conda:
        "../envs/reviewkit.yaml"
    params:
        language=config["language"],
    script:
        "../scripts/summary_of_findings.py"
