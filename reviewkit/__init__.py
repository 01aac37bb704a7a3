"""reviewkit: the shared code of the review workflow (validation, statistics,
tables, figures, templating and document assembly)."""
