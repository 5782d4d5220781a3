"""Benchmark kg_claims on CSAbstruct dev: accuracy, per-class P/R/F1, confusion, speed.

    OMP_NUM_THREADS=1 python benchmarks/bench_claims.py [--model training/claims/model-best]
        [--data ../shared/data/csabstruct/dev.jsonl] [--repeat 3]

Two accuracies: on the gold sentences (as CSAbstruct is scored) and on the product path, where
the rule ``sentencizer`` segments the joined abstract text (each gold sentence gets the role of
the predicted sentence holding its first character). Speed is the ``kg_claims`` component alone
on sentencizer-segmented Docs, one process, one thread.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from results import record, relative  # noqa: E402 - this directory, as the script's own

from kg.datasets.csabstruct import LABELS, read_csabstruct  # noqa: E402
from kg.evaluation.csabstruct import evaluate_csabstruct, scores  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "csabstruct" / "dev.jsonl"
DEFAULT_MODEL = ROOT / "training" / "claims" / "model-best"


def print_scores(title: str, sc: dict) -> None:
    print(f"== {title}: accuracy {sc['accuracy']:.4f}  macro-F1 {sc['macro_f1']:.4f}")
    print(f"{'label':<11} {'P':>6} {'R':>6} {'F1':>6} {'n':>5}")
    for lab, v in sc["per_class"].items():
        print(f"{lab:<11} {v['p']:>6.3f} {v['r']:>6.3f} {v['f1']:>6.3f} {v['support']:>5}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true", help="also print the scores as JSON")
    args = ap.parse_args()

    import spacy

    from kg.extract import claims  # noqa: F401

    sc = evaluate_csabstruct(args.data, model=args.model)
    print_scores("gold sentences", sc)
    print("confusion (rows gold, columns predicted):")
    print(f"{'':<11}" + "".join(f"{p[:6]:>8}" for p in LABELS))
    for g in LABELS:
        print(f"{g:<11}" + "".join(f"{sc['confusion'][g][p]:>8}" for p in LABELS))

    # product path: sentencizer on joined text
    nlp = spacy.load(args.model)
    comp = nlp.get_pipe("kg_claims")
    records = read_csabstruct(args.data)
    texts, starts = [], []
    for sents, _ in records:
        texts.append(" ".join(s.strip() for s in sents))
        pos, st = 0, []
        for s in sents:
            st.append(pos)
            pos += len(s.strip()) + 1
        starts.append(st)
    with nlp.select_pipes(disable=["kg_claims"]):
        docs = list(nlp.pipe(texts))
    gold, pred = [], []
    for doc, (_, labels), st in zip(docs, records, starts, strict=True):
        comp(doc)
        for c, lab in zip(st, labels, strict=True):
            span = doc.char_span(c, c + 1, alignment_mode="expand")
            sent = span.sent if span is not None else None
            gold.append(lab)
            pred.append(sent._.rhetorical_role if sent is not None else "other")
    sc2 = scores(gold, pred)
    n_pred_sents = sum(len(list(d.sents)) for d in docs)
    print_scores(f"sentencizer sentences ({n_pred_sents} predicted for {len(gold)} gold)", sc2)

    n_words = sum(sum(1 for t in d if not (t.is_punct or t.is_space)) for d in docs)
    n_sents = n_pred_sents
    best = float("inf")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        for d in docs:
            comp(d)
        best = min(best, time.perf_counter() - t0)
    size = sum(f.stat().st_size for f in (args.model / "kg_claims").glob("*"))
    print(
        f"== speed (kg_claims only, best of {args.repeat}): {len(docs) / best:,.0f} docs/s, "
        f"{n_sents / best:,.0f} sentences/s, {n_words / best:,.0f} words/s; "
        f"component size on disk {size / 1e6:.2f} MB"
    )
    record(
        "bench_claims",
        {
            "accuracy": sc["accuracy"],
            "macro_f1": sc["macro_f1"],
            "per_class": sc["per_class"],
            "sentencizer_accuracy": sc2["accuracy"],
            "sentencizer_per_class": sc2["per_class"],
            "words_per_s": round(n_words / best),
            "size_mb": round(size / 1e6, 2),
        },
        {"model": relative(args.model), "data": relative(args.data), "repeat": args.repeat},
    )
    if args.json:
        print(
            json.dumps(
                {"gold_sentences": sc, "sentencizer": sc2, "words_per_s": round(n_words / best)},
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
