"""Precision/recall of acronym definitions (``kg_abbreviations``) on the hand-annotated dev set
``benchmarks/data/acronyms_dev.jsonl`` (43 sample papers, guidelines in
``acronyms_dev.README.md``).

    OMP_NUM_THREADS=1 python benchmarks/bench_acronyms.py [--json]

Runs the shipped pipeline (``load_pipeline()``) on the title and abstract of each annotated
paper, as ``kg build`` does, and compares the (short form, long form) pairs each paper defines,
per paper and exactly as written (case-sensitive). Prints P/R/F1 over all gold pairs and over
the parenthetical ones alone (the Schwartz-Hearst scope; the gold also holds a few definitions
made only by a title such as "DUnE: Dataset for Unified Editing"), plus a lenient score where a
long form may differ in its first or last words. ``--json`` prints everything, with the errors.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT / "benchmarks" / "data" / "acronyms_dev.jsonl"

from bench_link import prf  # noqa: E402 - the same scoring as the other dev sets (this directory)
from results import record, relative  # noqa: E402


def _lenient(a: tuple[str, str], b: tuple[str, str]) -> bool:
    """Same short form, and one long form contains the other (boundary errors only)."""
    return a[0] == b[0] and (a[1].lower() in b[1].lower() or b[1].lower() in a[1].lower())


def load_gold(path: Path = DATA) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def sample_papers(titles: set[str]):
    from kg.build import read_papers
    from kg.ingest import sample_inputs

    papers, _ = read_papers(sample_inputs(), lambda problem: None)
    found = {p.title: p for p in papers if p.title in titles}
    missing = titles - set(found)
    if missing:
        raise SystemExit(f"annotated titles not in the sample: {sorted(missing)}")
    return found


def predict(gold: list[dict]) -> tuple[dict[str, set[tuple[str, str]]], float]:
    from kg.extract import extract, load_pipeline

    nlp = load_pipeline()
    papers = sample_papers({g["title"] for g in gold})
    t0 = time.perf_counter()
    out = {
        ext.paper.title: {(a.short, a.long) for a in ext.acronyms}
        for ext in extract([papers[g["title"]] for g in gold], nlp)
    }
    return out, time.perf_counter() - t0


def score(gold: list[dict], predicted: dict[str, set[tuple[str, str]]]) -> dict:
    counts = {"all": [0, 0, 0], "parenthetical": [0, 0, 0], "lenient": [0, 0, 0]}
    errors = []
    for item in gold:
        pairs = {(p["short"], p["long"]) for p in item["pairs"]}
        paren = {(p["short"], p["long"]) for p in item["pairs"] if p["kind"] == "parenthetical"}
        pred = predicted.get(item["title"], set())
        for key, g in (("all", pairs), ("parenthetical", paren)):
            counts[key][0] += len(g & pred)
            counts[key][1] += len(pred - pairs)  # a title-only pair found is not a false positive
            counts[key][2] += len(g - pred)
        matched = {p for p in pred if any(_lenient(p, g) for g in pairs)}
        counts["lenient"][0] += sum(any(_lenient(p, g) for p in pred) for g in pairs)
        counts["lenient"][1] += len(pred - matched)
        counts["lenient"][2] += sum(not any(_lenient(p, g) for p in pred) for g in pairs)
        if pairs != pred:
            errors.append(
                {
                    "title": item["title"][:70],
                    "missed": sorted(f"{s} = {lf}" for s, lf in pairs - pred),
                    "extra": sorted(f"{s} = {lf}" for s, lf in pred - pairs),
                }
            )
    return {
        "papers": len(gold),
        "papers_without_definitions": sum(not g["pairs"] for g in gold),
        "gold_pairs": sum(len(g["pairs"]) for g in gold),
        "all": prf(*counts["all"]),
        "parenthetical": prf(*counts["parenthetical"]),
        "lenient": prf(*counts["lenient"]),
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--json", action="store_true", help="print the report, errors, as JSON")
    args = parser.parse_args()
    gold = load_gold(args.data)
    predicted, seconds = predict(gold)
    report = score(gold, predicted)
    report["seconds"] = round(seconds, 2)
    record(
        "bench_acronyms",
        {k: v for k, v in report.items() if k != "errors"},
        {"data": relative(args.data)},
    )
    if args.json:
        print(json.dumps(report, indent=1, ensure_ascii=False))
        return
    print(
        f"{report['papers']} papers ({report['papers_without_definitions']} without "
        f"definitions), {report['gold_pairs']} gold pairs, pipeline {report['seconds']} s"
    )
    for key in ("all", "parenthetical", "lenient"):
        s = report[key]
        print(
            f"{key:14} P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f} "
            f"(tp {s['tp']} fp {s['fp']} fn {s['fn']})"
        )
    for err in report["errors"]:
        print(f"  {err['title']}")
        for m in err["missed"]:
            print(f"    missed: {m}")
        for e in err["extra"]:
            print(f"    extra:  {e}")


if __name__ == "__main__":
    main()
