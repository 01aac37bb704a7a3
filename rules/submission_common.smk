"""Paths and helpers of the journal-profile and submission rules (no rules here).

The profile chosen in config.yaml (`profile:`) decides how
results/manuscript/ is laid out and which submission folder `rule all`
builds; any other profile is built by asking for its zip, e.g.
`snakemake results/submission/international-apa.zip`.
"""

from reviewkit.profiles import load_profile, profile_name, profile_sources
from reviewkit.errors import InputError

PROFILES_DIR = "profiles"
PROFILE_SCHEMA = "schemas/profile.schema.yaml"
# The configured profile's name (a path in config.yaml gives its file name stem).
PROFILE = profile_name(config["profile"])
MANUSCRIPT_HTML = "results/manuscript/manuscript.html"
SUPPLEMENT_XLSX = "results/supplement/supplementary-data.xlsx"
SUBMISSION_ZIP = f"results/submission/{PROFILE}.zip"


def profile_build(name, profile="{profile}"):
    """A file built for one profile, e.g. results/profiles/{profile}/checks.json."""
    return f"results/profiles/{profile}/{name}"


def profile_argument(name):
    """The profile as reviewkit.profiles takes it: the configured value (a name or
    a path) for the configured profile, else the name of a file in profiles/."""
    return config["profile"] if name == PROFILE else name


def profile_setting(wildcards):
    """The profile of a job, as reviewkit.profiles takes it (see profile_argument)."""
    return profile_argument(wildcards.profile)


def profile_inputs(wildcards):
    """The profile's YAML files and the Word template, CSL file and fonts it names."""
    return profile_sources(profile_argument(wildcards.profile), PROFILES_DIR)


def profile_wants(name, part):
    """Whether the profile puts this part (a key of `files:`) into its folder;
    True when the profile cannot be read (check_manuscript then reports why)."""
    try:
        profile = load_profile(profile_argument(name), profiles_dir=PROFILES_DIR)
    except InputError:
        return True
    return profile["files"][part]


def submission_inputs(wildcards):
    """Everything the submission folder of one profile is made of."""
    name = wildcards.profile
    inputs = {
        "settings": profile_build("profile.json", name),
        "checks": profile_build("checks.json", name),
        "docx": profile_build("manuscript.docx", name),
    }
    optional = {
        "manuscript_pdf": ("pdf", profile_build("manuscript.pdf", name)),
        "title_page": ("title_page", profile_build("title-page.docx", name)),
        "tables": ("tables", profile_build("tables.docx", name)),
        "figures": ("figures", profile_build("figures", name)),
        "supplement": ("supplement", SUPPLEMENT_XLSX),
    }
    for part, (key, path) in optional.items():
        if profile_wants(name, part):
            inputs[key] = path
    return inputs


def workflow_outputs(folder, suffix):
    """Files with this suffix that rules of this workflow write into `folder`
    (e.g. every results/tables/*.csv), in name order."""
    return sorted(
        {
            str(path)
            for rule in workflow.rules
            for path in rule.output
            if str(path).startswith(folder)
            and str(path).endswith(suffix)
            and "{" not in str(path)
        }
    )


def derived_numbers(wildcards):
    """Every JSON file of derived numbers (results/stats/*.json)."""
    return workflow_outputs("results/stats/", ".json")


def result_tables(wildcards):
    """Every table the workflow writes as CSV (results/tables/*.csv)."""
    return workflow_outputs("results/tables/", ".csv")
