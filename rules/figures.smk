rule plot_figure:
    """One figure of the manuscript as a 300 dpi PNG and a vector PDF."""
    input:
        code=CODE_FINGERPRINT,
        studies=VALIDATED_STUDIES,
        schema=STUDIES_SCHEMA,
    output:
        png="results/figures/{figure}.png",
        pdf="results/figures/{figure}.pdf",
    log:
        "logs/plot_figure/{figure}.log",
    wildcard_constraints:
        figure="|".join(FIGURES),
    conda:
        "../envs/reviewkit.yaml"
    params:
        language=config["language"],
        dpi=300,
    script:
        "../scripts/plot_figure.py"


rule plot_synthesis_figure:
    """A synthesis figure (forest, albatross, risk of bias) as 300 dpi PNG and vector PDF."""
    input:
        code=CODE_FINGERPRINT,
        studies=VALIDATED_STUDIES,
        schema=STUDIES_SCHEMA,
        effects=EFFECTS_CSV,
        summary=SYNTHESIS_JSON,
    output:
        png="results/figures/{figure}.png",
        pdf="results/figures/{figure}.pdf",
    log:
        "logs/plot_synthesis_figure/{figure}.log",
    wildcard_constraints:
        figure="|".join(SYNTHESIS_FIGURES),
    conda:
        "../envs/reviewkit.yaml"
    params:
        language=config["language"],
        rob_tool=config["risk_of_bias"]["tool"],
        dpi=300,
    script:
        "../scripts/plot_synthesis_figure.py"
