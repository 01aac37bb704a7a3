rule fingerprint_code:
    """SHA-256 of every file of the reviewkit package, so that a change to the code
    reruns the steps that use it."""
    input:
        code=REVIEWKIT_CODE,
    output:
        fingerprint=CODE_FINGERPRINT,
    log:
        "logs/fingerprint_code.log",
    conda:
        "../envs/reviewkit.yaml"
    script:
        "../scripts/fingerprint_code.py"


rule validate_studies:
    """Check the study table and the bibliography before anything else runs;
    write a normalised copy (typed, decimal points) for the later rules."""
    input:
        code=CODE_FINGERPRINT,
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
