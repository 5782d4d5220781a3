"""Termhood figures: the classifier's cross-validated precision/recall on the judged training
rows (and on a fifth of the papers held out), and the blind held-out samples of mentions before
and after (issue 19): two judged by two annotators, the third (trees vs logistic) by one.

    python benchmarks/bench_termhood.py
    python benchmarks/bench_termhood.py --against 1ef156c   # also: the fresh rows, old vs new

``--against REV``: the shipped trees of commit REV against today's training, on the rows of
``termhood_judged_fresh.tsv`` (which REV's model never saw): today's trees score them out of
fold (5 folds by paper over the fresh rows; the 1,040 older rows always in training), with a
paired bootstrap by paper of the AUC difference, and each model at its own thresholds (today's
per type, with the rules of ``rule_reason``), also over the entity-node rows alone (source
``node``: a node as its first mention). Today's thresholds were picked on all rows, so its
precision there is a little flattered; the AUC is not.
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
#: the fourth, of c8f1acc (per-type thresholds), 1,000 new eval abstracts, two blind judges
#: (written by ``sample_entities.py --merge``; scored here once it exists)
BLIND4 = ROOT / "benchmarks" / "data" / "termhood_eval_blind4.tsv"
BLIND5 = ROOT / "benchmarks" / "data" / "termhood_eval_blind5.tsv"
#: the seventh, of 5e1441f (size, generic-phrase and model-type rules), 1,000 new eval abstracts
BLIND7 = ROOT / "benchmarks" / "data" / "termhood_eval_blind7.tsv"
BLIND8 = ROOT / "benchmarks" / "data" / "termhood_eval_blind8.tsv"


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


def against(rev: str) -> dict:
    """REV's shipped trees vs today's, on the fresh judged rows (see the module docstring)."""
    import subprocess

    import numpy as np
    from sklearn.metrics import roc_auc_score

    from kg.extract.termhood import FEATURES, TermhoodModel, rule_reason
    from kg.train import termhood as t

    shown = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:kg/models/kg_pipeline/kg_termhood/termhood.json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    old_json = json.loads(shown.stdout)
    columns = [FEATURES.index(f) for f in old_json["features"]]
    old_json["features"] = list(FEATURES)  # it is fed its own columns below
    old = TermhoodModel.from_json(old_json)
    base, fresh = t.read_judged(t.JUDGED_BASE), t.read_judged(t.JUDGED_FRESH)
    xb, yb, _ = t._matrix(base)
    xf, yf, trusted = t._matrix(fresh)
    papers = [r.paper for r in fresh]
    p_old = np.array([old.score(x[columns]) for x in xf])
    fold = np.array([t._bucket("fold:" + p, 5) for p in papers])
    p_new = np.zeros(len(yf))
    for k in range(5):
        test = fold == k
        fitted = t._fit(np.vstack([xb, xf[~test]]), np.concatenate([yb, yf[~test]]))
        p_new[test] = fitted.predict_proba(xf[test])[:, 1]
    ruled = np.array([rule_reason(r.text, r.extractor, r.field == "title") is not None
                      for r in fresh])  # fmt: skip
    p_rules = np.where(ruled, 0.0, p_new)
    shipped = TermhoodModel.from_json(
        json.loads((ROOT / "kg/models/kg_pipeline/kg_termhood/termhood.json").read_text())
    )
    # a per-type threshold is the same as cutting the scores at one and shifting them by type
    shift = np.array([shipped.threshold_for(r.label) - shipped.threshold for r in fresh])
    p_typed = p_rules - shift
    by_paper: dict[str, list[int]] = {}
    for i, p in enumerate(papers):
        by_paper.setdefault(p, []).append(i)
    keys, rng, diffs = sorted(by_paper), np.random.RandomState(0), []
    for _ in range(1000):
        rows = [i for p in rng.choice(keys, len(keys)) for i in by_paper[p]]
        if 0 < yf[rows].sum() < len(rows):
            new_auc, old_auc = (roc_auc_score(yf[rows], p[rows]) for p in (p_new, p_old))
            diffs.append(new_auc - old_auc)
    nodes = _node_rows(fresh)

    def point(probs, thr, where):
        return t.operating_point(probs[where], yf[where], trusted[where], thr)

    everything = np.ones(len(yf), dtype=bool)
    return {
        "against": rev,
        "rows": len(yf),
        "node_rows": int(nodes.sum()),
        "auc_old": round(float(roc_auc_score(yf, p_old)), 3),
        "auc_new_out_of_fold": round(float(roc_auc_score(yf, p_new)), 3),
        "auc_difference_ci95": [round(float(np.percentile(diffs, q)), 3) for q in (2.5, 97.5)],
        "old_at_its_threshold": point(p_old, old.threshold, everything),
        "new_at_its_thresholds_with_rules": point(p_typed, shipped.threshold, everything),
        "nodes_old": point(p_old, old.threshold, nodes),
        "nodes_new_with_rules": point(p_typed, shipped.threshold, nodes),
        "new_type_thresholds": shipped.type_thresholds,
    }


def _node_rows(rows: list):
    """Which rows of termhood_judged_fresh.tsv are entity nodes (its ``source`` column)."""
    import numpy as np

    from kg.train.termhood import JUDGED_FRESH

    with JUDGED_FRESH.open(encoding="utf-8") as f:
        lines = [line for line in f if not line.startswith("#")]
    table = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    agreed = [r["source"] == "node" for r in table if r["judge_a"] == r["judge_b"]]
    assert len(agreed) == len(rows)
    return np.array(agreed)


def main() -> int:
    import argparse

    from kg.train.termhood import train_termhood

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--against", metavar="REV", help="compare with the shipped trees of REV")
    args = ap.parse_args()
    _, report = train_termhood()
    figures = {
        "training_cv": report,
        "blind_held_out": blind_scores(BLIND),
        "blind_held_out_final": blind_scores(BLIND2),
        "blind_fresh_one_judge": one_judge_scores(BLIND3),
    }
    if BLIND4.is_file():
        figures["blind_fresh4"] = one_judge_scores(BLIND4)
    if BLIND5.is_file():
        figures["blind_fresh5"] = one_judge_scores(BLIND5)
    if BLIND7.is_file():
        figures["blind_fresh7"] = one_judge_scores(BLIND7)
    if BLIND8.is_file():
        figures["blind_fresh8"] = one_judge_scores(BLIND8)
    if args.against:
        figures["fresh_rows_against"] = against(args.against)
    record(
        "bench_termhood",
        figures,
        {"blind": relative(BLIND), "blind_final": relative(BLIND2), "blind3": relative(BLIND3)},
    )
    print(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
