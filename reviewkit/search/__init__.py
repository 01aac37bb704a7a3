"""Search records of a review: database exports to PRISMA 2020 counts.

* :mod:`~reviewkit.search.readers`: read ``data/search/`` (RIS, BibTeX,
  MEDLINE, Web of Science, CSV) and ``sources.yaml`` into one records table
  with stable record ids.
* :mod:`~reviewkit.search.dedupe`: remove duplicates (DOI, title + year,
  near-identical title + year) with an auditable merges table.
* :mod:`~reviewkit.search.workbook`: ``results/search/records.xlsx``.
* :mod:`~reviewkit.search.screening`: validate ``data/screening.csv|xlsx``.
* :mod:`~reviewkit.search.prisma`: the counts of ``results/stats/prisma.json``.
* :mod:`~reviewkit.search.flow_diagram`: the PRISMA 2020 flow diagram.

See docs/search.md.
"""
