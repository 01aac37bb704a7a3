rule validate_studies:
    """Check the study table and the bibliography before anything else runs;
    write a normalised copy (typed, decimal points) for the later rules."""
    input:
        code=REVIEWKIT_CODE,
        studies=config["studies"],
        schema=STUDIES_SCHEMA,
        bibliography=config["references"],
    output:
        studies=VALIDATED_STUDIES,
    log:
        "logs/validate_studies.log",
    conda:
        "../envs/reviewkit.yaml"
    params:
        year_from=config["inclusion"]["year_from"],
        year_to=config["inclusion"]["year_to"],
        rob_tool=config["risk_of_bias"]["tool"],
    script:
        "../scripts/validate_studies.py"
