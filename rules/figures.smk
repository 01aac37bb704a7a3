rule draw_figures:
    """Every figure of the manuscript as a PNG at 300 dpi, in one process (importing
    matplotlib once costs more than drawing a figure)."""
    input:
        studies=VALIDATED_STUDIES,
        results=VALIDATED_RESULTS,
        summary=SUMMARY_JSON,
        effects=EFFECTS_CSV,
        synthesis=SYNTHESIS_JSON,
        prisma=prisma_input(),
        bibliography=config["references"],
        manuscript=figure_label_inputs(),
    output:
        png=[figure_png(name) for name in FIGURES],
    log:
        "logs/draw_figures.log",
    conda:
        "../envs/reviewkit.yaml"
    params:
        code=CODE_VERSION,
        schema=STUDIES_SCHEMA,
        names=FIGURES,
        language=config["language"],
        rob_tool=config["risk_of_bias"]["tool"],
        dpi=FIGURE_DPI,
        csl=LAYOUT["csl"],
        font=LAYOUT["font"],
        font_paths=LAYOUT["font_paths"],
    script:
        "../scripts/draw_figures.py"


use rule draw_figures as draw_vector_figures with:
    output:
        pdf=[figure_pdf(name) for name in FIGURES],
    log:
        "logs/draw_vector_figures.log",
