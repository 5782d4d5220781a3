"""Termhood figures: the classifier's cross-validated precision/recall on the judged training
rows (and on a fifth of the papers held out), and the blind held-out samples of mentions before
and after (issue 19): two judged by two annotators, the third (trees vs logistic) by one.

    python benchmarks/bench_termhood.py
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from results import record, relative  # noqa: E402 - this directory, as the script's own

BLIND = ROOT / "benchmarks" / "data" / "termhood_eval_blind.tsv"
#: the second sample, of the final shipped pipeline (its judges' columns keep the same names)
BLIND2 = ROOT / "benchmarks" / "data" / "termhood_eval_blind2.tsv"
#: the third, of the trees (01f27b4) and the logistic model before them, fresh abstracts, one judge
BLIND3 = ROOT / "benchmarks" / "data" / "termhood_eval_blind3.tsv"


def blind_scores(path: Path = BLIND) -> dict:
    with path.open(encoding="utf-8") as f:
        lines = [line for line in f if not line.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    out = {}
    for source in sorted({r["source"] for r in rows}):
        mine = [r for r in rows if r["source"] == source]
        entry = {"mentions": len(mine)}
        for judge in ("e", "f"):
            ok = Counter(r[f"judge_{judge}"] for r in mine)["ok"]
            first60 = Counter(r[f"judge_{judge}"] for r in mine[:60])["ok"]
            ner = [r for r in mine if r["extractor"] == "ner"]
            entry[f"judge_{judge}"] = {
                "ok": ok,
                "ok_of_first_60": first60,
                "recognizer_ok": f"{sum(r[f'judge_{judge}'] == 'ok' for r in ner)}/{len(ner)}",
                "type_ok": sum(r[f"type_ok_{judge}"] == "yes" for r in mine),
            }
        out[source] = entry
    out["agreement"] = sum(r["judge_e"] == r["judge_f"] for r in rows) / len(rows)
    return out


def one_judge_scores(path: Path = BLIND3) -> dict:
    """A sample judged by one annotator (column ``judge``): ok per source, of all and of the
    first 60, and the recognizer's share."""
    with path.open(encoding="utf-8") as f:
        lines = [line for line in f if not line.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    out: dict = {}
    judges = [c for c in ("judge", "judge_a", "judge_b") if c in rows[0]]
    for source in sorted({r["source"] for r in rows}):
        mine = [r for r in rows if r["source"] == source]
        ner = [r for r in mine if r["extractor"] == "ner"]
        out[source] = {
            "mentions": len(mine),
            "ok": sum(r["judge"] == "ok" for r in mine),
            "ok_of_first_60": sum(r["judge"] == "ok" for r in mine[:60]),
            "recognizer_ok": f"{sum(r['judge'] == 'ok' for r in ner)}/{len(ner)}",
        }
        for judge in judges[1:]:  # the blind annotators, when the sample has them
            out[source][judge] = {
                "ok": sum(r[judge] == "ok" for r in mine),
                "ok_of_first_60": sum(r[judge] == "ok" for r in mine[:60]),
            }
    if "judge_b" in judges:
        out["agreement"] = round(sum(r["judge_a"] == r["judge_b"] for r in rows) / len(rows), 3)
    return out


def main() -> int:
    from kg.train.termhood import train_termhood

    _, report = train_termhood()
    figures = {
        "training_cv": report,
        "blind_held_out": blind_scores(BLIND),
        "blind_held_out_final": blind_scores(BLIND2),
        "blind_fresh_one_judge": one_judge_scores(BLIND3),
    }
    record(
        "bench_termhood",
        figures,
        {"blind": relative(BLIND), "blind_final": relative(BLIND2), "blind3": relative(BLIND3)},
    )
    print(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
