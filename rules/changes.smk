rule what_changed:
    """What changed since a released version: a report of studies, numbers and
    sentences, the manuscript with Word tracked changes, and a PDF with the
    changes marked."""
    input:
        release=f"versions/{RELEASE}/release.json",
        studies=VALIDATED_STUDIES,
        numbers=STATS_FILES,
        markdown=MANUSCRIPT_MD,
        bibliography=config["references"],
        layout=pandoc_settings(),
        figures=[figure_png(name) for name in FIGURES],
        settings=f"{profile_dir(PROFILE)}/profile.json",
        defaults=f"{profile_dir(PROFILE)}/pandoc.yaml",
        reference=f"{profile_dir(PROFILE)}/reference.docx",
    output:
        **CHANGES,
    log:
        "logs/what_changed.log",
    conda:
        "../envs/reviewkit.yaml"
    params:
        code=CODE_VERSION,
        release=RELEASE,
        language=config["language"],
        epoch=inputs_epoch(),
    script:
        "../scripts/what_changed.py"
