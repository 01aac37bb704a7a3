#!/usr/bin/env python3
"""How long reading and deduplicating a large search takes (target: 50,000
records in at most 10 s on the project machine, 2 cores).

Writes synthetic exports into a temporary folder: three RIS files and two
Scopus-style CSV files, 10,000 records each. Of the 50,000 records, 40,000
are distinct (made-up titles from a pseudo-word vocabulary, years 2000-2024 or
the last ``--years``,
half with a DOI under the 10.5555 test prefix, ``--anonymous`` of them
without author) and 10,000 are planted
duplicates in later files:

* 4,000 with the same DOI written differently (https://doi.org/..., upper case);
* 3,000 without DOI, same title in capitals with different punctuation, same year;
* 3,000 without DOI, one letter of the title changed (similar title, same year).

Another 500 distinct records repeat an earlier title and year under a
different DOI: they must not be merged. The script checks that exactly
10,000 records are removed, by the expected rules, then prints wall and CPU
time per step.

Usage: .venv/bin/python benchmarks/search_dedupe.py [--records 50000] [--workers 1]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a plain script from anywhere
from reviewkit.search.dedupe import DEFAULT_THRESHOLD, deduplicate  # noqa: E402
from reviewkit.search.readers import read_search_folder  # noqa: E402

SEED = 20261127
FILES = ("a.ris", "b.ris", "c.csv", "d.ris", "e.csv")


def vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def make_records(
    total: int, rng: random.Random, years: int = 25, anonymous: float = 0.1
) -> tuple[list[list[dict]], Counter]:
    words = vocabulary(rng)
    surnames = [w.capitalize() for w in rng.sample(words, 800)]
    n_dup = total // 5
    n_doi, n_exact = n_dup * 2 // 5, n_dup * 3 // 10
    n_fuzzy = n_dup - n_doi - n_exact
    n_trap = total // 100
    n_base = total - n_dup - n_trap
    base = []
    for index in range(n_base):
        title = " ".join(rng.choice(words) for _ in range(rng.randint(8, 14))).capitalize()
        base.append(
            {
                "title": title,
                "year": rng.randint(2025 - years, 2024),
                "author": "" if rng.random() < anonymous else rng.choice(surnames),
                "doi": f"10.5555/bench.{index:06d}" if index % 2 == 0 else "",
            }
        )
    with_doi = [r for r in base if r["doi"]]
    without_doi = [r for r in base if not r["doi"]]
    planted = []
    for record in rng.sample(with_doi, n_doi):
        planted.append({**record, "doi": "https://doi.org/" + record["doi"].upper()})
    chosen = rng.sample(without_doi, n_exact + n_fuzzy)
    for record in chosen[:n_exact]:
        planted.append({**record, "title": record["title"].upper().replace(" ", " - ", 1)})
    for record in chosen[n_exact:]:
        title = list(record["title"])
        position = rng.randrange(1, len(title))
        while not title[position].isalpha():
            position = rng.randrange(1, len(title))
        title[position] = "x" if title[position] != "x" else "y"
        planted.append({**record, "title": "".join(title)})
    traps = [
        {**record, "doi": f"10.5555/trap.{index:06d}"}
        for index, record in enumerate(rng.sample(with_doi, n_trap))
    ]
    per_file = total // len(FILES)
    # originals fill the first files; duplicates and traps go to the last files
    ordered = base + traps + planted
    files = [ordered[i * per_file : (i + 1) * per_file] for i in range(len(FILES))]
    files[-1] += ordered[len(FILES) * per_file :]
    expected = Counter(doi=n_doi, title_year=n_exact, similar_title_year=n_fuzzy)
    return files, expected


def write_ris(path: Path, records: list[dict]) -> None:
    parts = []
    for r in records:
        doi = f"DO  - {r['doi']}\n" if r["doi"] else ""
        author = f"AU  - {r['author']}, A.\n" if r["author"] else ""
        parts.append(
            f"TY  - JOUR\n{author}TI  - {r['title']}\nT2  - Journal\n"
            f"PY  - {r['year']}\n{doi}ER  - \n"
        )
    path.write_text("\n".join(parts), encoding="utf-8")


def write_csv(path: Path, records: list[dict]) -> None:
    import pandas as pd

    frame = pd.DataFrame(
        {
            "Authors": [f"{r['author']} A." if r["author"] else "" for r in records],
            "Title": [r["title"] for r in records],
            "Year": [r["year"] for r in records],
            "Source title": "Journal",
            "DOI": [r["doi"] for r in records],
            "EID": [f"2-s2.0-{i}" for i in range(len(records))],
        }
    )
    frame.to_csv(path, index=False, encoding="utf-8-sig")


def timed(step):
    wall, cpu = time.perf_counter(), time.process_time()
    result = step()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=1, help="cores rapidfuzz may use")
    parser.add_argument(
        "--years", type=int, default=25, help="publication years the records spread over"
    )
    parser.add_argument(
        "--anonymous", type=float, default=0.1, help="share of records without an author"
    )
    args = parser.parse_args()
    rng = random.Random(SEED)
    files, expected = make_records(args.records, rng, args.years, args.anonymous)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, records in zip(FILES, files, strict=True):
            (write_ris if name.endswith(".ris") else write_csv)(folder / name, records)
        export, read_wall, read_cpu = timed(lambda: read_search_folder(folder))
        dedup, dedup_wall, dedup_cpu = timed(
            lambda: deduplicate(export.records, DEFAULT_THRESHOLD, workers=args.workers)
        )
    found = Counter(dedup.merges["rule"])
    print(f"records read: {len(export.records)} from {len(FILES)} files")
    print(f"duplicates removed: {len(dedup.merges)} (planted {sum(expected.values())})")
    for rule in ("doi", "title_year", "similar_title_year"):
        print(f"  {rule}: {found.get(rule, 0)} (planted {expected[rule]})")
    print(f"read:        wall {read_wall:6.2f} s   CPU {read_cpu:6.2f} s")
    print(f"deduplicate: wall {dedup_wall:6.2f} s   CPU {dedup_cpu:6.2f} s")
    print(
        f"total:       wall {read_wall + dedup_wall:6.2f} s   CPU {read_cpu + dedup_cpu:6.2f} s"
        f"   (workers={args.workers}, years={args.years}, without author={args.anonymous:.0%}, "
        f"threshold={DEFAULT_THRESHOLD})"
    )
    if found != expected or len(export.records) != args.records:
        sys.exit("the duplicates found differ from the planted ones")


if __name__ == "__main__":
    main()
