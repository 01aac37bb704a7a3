"""The long results frame: one row per study, outcome and timepoint.

Input: the validated study table and, when config.yaml names one, the
validated outcomes table (`reviewkit.validation`). Without an outcomes table
the result columns of the study table are each study's single result; with
one, each outcome row is joined to its study's characteristics; an outcome
row that gives any group size (a result analysed in other numbers) replaces
all three sizes of the study (n_total is then required on that row).
Everything after validation (summary, synthesis, figures) reads this frame,
so one code path serves both layouts (docs/data-model.md).

Columns: the study's id, authors, year, design and sizes; `outcome` (a
declared code, or `main` when the review declares none), `outcome_text` (the
outcome in the report's words), `timepoint`; every result column of the
schema; and `synthesised` (False for the other timepoints of a study's
outcome when one is marked `primary_timepoint: yes`). Rows are ordered by
outcome (primary first), then by the study table's order.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from reviewkit.paths import STUDIES_SCHEMA
from reviewkit.validation import column_dtypes, columns_of, load_schema
from reviewkit.vocabulary import IMPLICIT_OUTCOME, Vocabulary

STUDY_COLUMNS = ["id", "authors", "year", "design"]
SIZE_COLUMNS = ["n_total", "n_intervention", "n_control"]
EXTRA_COLUMNS = {"outcome_text": "string", "synthesised": "boolean"}


def result_columns(schema: dict) -> list[str]:
    return [name for name in columns_of(schema, "result") if name != "outcome"]


def results_frame(
    studies: pd.DataFrame,
    outcomes: pd.DataFrame | None = None,
    vocabulary: Vocabulary | None = None,
    schema: dict | None = None,
) -> pd.DataFrame:
    """The long frame from the validated tables (see the module docstring)."""
    vocabulary = vocabulary or Vocabulary()
    schema = schema or load_schema(STUDIES_SCHEMA)
    results = result_columns(schema)
    studies = studies.reset_index(drop=True)
    if outcomes is None:
        frame = studies.reindex(columns=[*STUDY_COLUMNS, *SIZE_COLUMNS, "outcome", *results])
        frame["main_result"] = studies["main_result"]
        written = frame["outcome"].astype("string")
        if vocabulary.declares_outcomes:
            # Validation allows an empty cell only when one outcome is declared.
            frame["outcome"] = written.fillna(vocabulary.outcomes[0].code)
            frame["outcome_text"] = frame["outcome_as_reported"].astype("string")
        else:
            frame["outcome"] = IMPLICIT_OUTCOME
            frame["outcome_text"] = frame["outcome_as_reported"].astype("string").fillna(written)
    else:
        rows = outcomes.reset_index(drop=True)
        study = studies.set_index("id")
        frame = pd.DataFrame({"id": rows["id"].astype("string")})
        for column in STUDY_COLUMNS[1:]:
            frame[column] = study.loc[frame["id"], column].to_numpy()
        # Sizes go together: a row that gives any size (a result analysed in other
        # numbers) replaces all three; otherwise the study's are used.
        given = [rows[column] for column in SIZE_COLUMNS if column in rows]
        own_sizes = pd.concat(given, axis=1).notna().any(axis=1) if given else False
        for column in SIZE_COLUMNS:
            own = rows[column] if column in rows else pd.Series(pd.NA, index=rows.index)
            inherited = pd.Series(study.loc[frame["id"], column].to_numpy(), index=rows.index)
            frame[column] = own.where(own_sizes, inherited)
        own = rows["main_result"] if "main_result" in rows else pd.Series(pd.NA, index=rows.index)
        frame["main_result"] = own.where(
            own.notna(), study.loc[frame["id"], "main_result"].to_numpy()
        )
        frame["outcome"] = rows["outcome"].astype("string")
        for column in results:
            if column != "main_result":
                frame[column] = rows.get(column, pd.NA)
        frame["outcome_text"] = frame["outcome_as_reported"].astype("string")
    frame["synthesised"] = synthesised_rows(frame)
    order = {code: rank for rank, code in enumerate(vocabulary.outcome_codes)}
    study_rank = {sid: rank for rank, sid in enumerate(studies["id"])}
    frame = frame.assign(
        _outcome=frame["outcome"].map(order).fillna(len(order)),
        _study=frame["id"].map(study_rank),
        _row=range(len(frame)),
    ).sort_values(["_outcome", "_study", "_row"], kind="stable")
    frame = frame.drop(columns=["_outcome", "_study", "_row"]).reset_index(drop=True)
    return frame.astype(frame_dtypes(schema, list(frame.columns)))


def synthesised_rows(frame: pd.DataFrame) -> pd.Series:
    """False for the timepoints a study's outcome is not synthesised at."""
    key = frame["id"].astype(str) + "\x00" + frame["outcome"].astype(str)
    several = key.duplicated(keep=False)
    marked = frame["primary_timepoint"].astype("string").fillna("") == "yes"
    return (~several) | marked


def frame_dtypes(schema: dict, columns: list[str]) -> dict[str, str]:
    known = [name for name in columns if name in schema["properties"]]
    dtypes = column_dtypes(schema, known)
    dtypes.update({name: kind for name, kind in EXTRA_COLUMNS.items() if name in columns})
    return dtypes


def write_results(frame: pd.DataFrame, path: Path | str) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)


def read_results(path: Path | str, schema_path: Path | str = STUDIES_SCHEMA) -> pd.DataFrame:
    """Read results/data/results.csv back with its types (the data step checked it)."""
    schema = load_schema(schema_path, check=False)
    header = pd.read_csv(path, nrows=0).columns.tolist()
    return pd.read_csv(
        path, dtype=frame_dtypes(schema, header), keep_default_na=False, na_values=[""]
    )
