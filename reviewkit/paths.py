"""Where the tool's own files are, found from this file, never from the working folder.

The working folder is the *review* (config.yaml, data/, manuscript/, results/,
logs/); Snakemake runs in it (`--directory`). Everything the tool brings with it
(schemas, pandoc layout, journal profiles, message catalogues) lives beside this
package, so one installation of the tool serves any number of review folders.
"""

from __future__ import annotations

from pathlib import Path

TOOL_DIR = Path(__file__).resolve().parent.parent
SCHEMAS_DIR = TOOL_DIR / "schemas"
LAYOUT_DIR = TOOL_DIR / "layout"
PROFILES_DIR = TOOL_DIR / "profiles"
STUDIES_SCHEMA = SCHEMAS_DIR / "studies.schema.yaml"
CONFIG_SCHEMA = SCHEMAS_DIR / "config.schema.yaml"
PROFILE_SCHEMA = SCHEMAS_DIR / "profile.schema.yaml"
SUMMARY_OF_FINDINGS_SCHEMA = SCHEMAS_DIR / "summary_of_findings.schema.yaml"
