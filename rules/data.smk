rule prepare_data:
    """Validate the study table and the bibliography, then write every number,
    table and effect size the text and the figures read (nothing is written when
    an input has a mistake)."""
    input:
        studies=config["studies"],
        bibliography=config["references"],
        summary_of_findings=summary_of_findings_input(),
        outcomes=outcomes_input(),
    output:
        # Only for a large review: Table S1 and S2 (reviewkit.large_review).
        **({"appendix": SUPPLEMENT_TABLES["markdown"]} if LARGE_REVIEW else {}),
        studies=VALIDATED_STUDIES,
        results=VALIDATED_RESULTS,
        summary=SUMMARY_JSON,
        synthesis=SYNTHESIS_JSON,
        study_table_csv=STUDY_TABLE_CSV,
        study_table_md=STUDY_TABLE_MD,
        effects_csv=EFFECTS_CSV,
        effects_md=EFFECTS_MD,
        summary_of_findings=SUMMARY_OF_FINDINGS_MD,
    log:
        "logs/prepare_data.log",
    conda:
        "../envs/reviewkit.yaml"
    params:
        code=CODE_VERSION,
        schema=STUDIES_SCHEMA,
        sof_schema=SUMMARY_OF_FINDINGS_SCHEMA,
        inclusion=config["inclusion"],
        language=config["language"],
        synthesis=config["synthesis"],
        rob_tool=config["risk_of_bias"]["tool"],
        vocabulary=config["vocabulary"],
        outcomes=config["outcomes"],
        large_review=config["large_review"],
    script:
        "../scripts/prepare_data.py"
