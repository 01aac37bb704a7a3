rule render_manuscript:
    """Fill the section templates with the numbers, tables and figure paths of this
    build (the figures themselves are drawn afterwards: with a numbered citation
    style their study labels follow the text's order of citation)."""
    input:
        metadata=MANUSCRIPT_DIR / "metadata.yaml",
        templates=manuscript_templates(),
        summary=SUMMARY_JSON,
        synthesis=SYNTHESIS_JSON,
        prisma=prisma_input(),
        study_table=STUDY_TABLE_MD,
        effects_table=EFFECTS_MD,
        effects=EFFECTS_CSV,
        summary_of_findings=SUMMARY_OF_FINDINGS_MD,
        bibliography=config["references"],
    output:
        markdown=MANUSCRIPT_MD,
    log:
        "logs/render_manuscript.log",
    conda:
        "../envs/reviewkit.yaml"
    params:
        code=CODE_VERSION,
        language=config["language"],
        inclusion=config["inclusion"],
        figures={name: figure_png(name) for name in FIGURES},
    script:
        "../scripts/render_manuscript.py"
