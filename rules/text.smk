rule render_manuscript:
    """Fill the section templates with the numbers, table and figures of this build."""
    input:
        code=CODE_FINGERPRINT,
        metadata=MANUSCRIPT_DIR / "metadata.yaml",
        templates=manuscript_templates(),
        summary=SUMMARY_JSON,
        synthesis=SYNTHESIS_JSON,
        table=SYNTHESIS_TABLE_MD,
        effects_table=EFFECTS_MD,
        summary_of_findings=summary_of_findings_table(),
        figures=[figure_png(name) for name in ALL_FIGURES],
        bibliography=config["references"],
    output:
        markdown=MANUSCRIPT_MD,
    log:
        "logs/render_manuscript.log",
    conda:
        "../envs/reviewkit.yaml"
    params:
        language=config["language"],
        inclusion=config["inclusion"],
        figures={name: figure_png(name) for name in ALL_FIGURES},
    script:
        "../scripts/render_manuscript.py"
