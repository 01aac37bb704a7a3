wildcard_constraints:
    figure="|".join(FIGURES),


rule plot_figure:
    """One figure of the manuscript as a 300 dpi PNG and a vector PDF."""
    input:
        studies=VALIDATED_STUDIES,
        schema=STUDIES_SCHEMA,
    output:
        png="results/figures/{figure}.png",
        pdf="results/figures/{figure}.pdf",
    log:
        "logs/plot_figure/{figure}.log",
    conda:
        "../envs/reviewkit.yaml"
    params:
        language=config["language"],
        dpi=300,
    script:
        "../scripts/plot_figure.py"
