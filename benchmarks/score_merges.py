"""Score the linker's fuzzy-merge rule on judged pairs of surface forms: for each pair two
blind judges called ``same`` or ``different``, does today's rule merge it?

The pairs are the fuzzy merges of an eval-split build that a rule change blocked
(``benchmarks/data/fuzzy_evalsplit_blocked_blind.tsv``); the rule is re-applied to them on
every run, so a later change of the rule is measured on the same judged pairs.

    python benchmarks/score_merges.py benchmarks/data/fuzzy_evalsplit_blocked_blind.tsv
"""

from __future__ import annotations

import argparse
import csv
import sys


def score(path: str) -> dict:
    from kg.link.resolve import _word_variants, surface_key

    with open(path, encoding="utf-8") as f:
        rows = list(
            csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t")
        )
    figures: dict = {"pairs": len(rows)}
    for column, key in (("judgement", ""), ("judgement_2", "_2")):
        same = [r for r in rows if r[column] == "same"]
        different = [r for r in rows if r[column] == "different"]
        merged = {
            id(r)
            for r in rows
            if _word_variants(surface_key(r["form_a"]), surface_key(r["form_b"]))
        }
        figures[f"same{key}"] = len(same)
        figures[f"same_merged{key}"] = sum(id(r) in merged for r in same)
        figures[f"different{key}"] = len(different)
        figures[f"different_merged{key}"] = sum(id(r) in merged for r in different)
    print(
        f"{figures['pairs']} judged pairs; judged different: {figures['different']}, merged "
        f"{figures['different_merged']} (second judge {figures['different_merged_2']} of "
        f"{figures['different_2']}); judged same: {figures['same']}, merged "
        f"{figures['same_merged']} (second judge {figures['same_merged_2']} of {figures['same_2']})"
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sheet")
    args = parser.parse_args()
    from results import record, relative

    try:
        figures = score(args.sheet)
    except (OSError, KeyError) as err:  # a missing file, a sheet without the judged columns
        sys.exit(f"score_merges: {args.sheet}: cannot score ({type(err).__name__}: {err})")
    record("score_merges", figures, {"sheet": relative(args.sheet)})


if __name__ == "__main__":
    main()
