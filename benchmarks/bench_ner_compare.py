"""Is a retrained NER model measurably better? Paired bootstrap over SciERC dev abstracts.

SciERC dev has only 50 abstracts (811 spans): two models 1 F1 apart can swap places on another
50. This resamples the abstracts (the same resample for both models) and prints, for each
candidate against the baseline, the F1 difference, its 95 % interval and how often the
candidate is not better. A model is worth shipping only if the interval excludes 0.

    python benchmarks/bench_ner_compare.py shipped training/ner/model-best [more models ...]

``shipped`` means the pipeline in kg/models/kg_pipeline.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from results import record, relative

from kg.datasets.scierc import load_scierc
from kg.evaluation.scierc import load_ner_model, predict_examples

DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "scierc" / "dev.json"

Counts = list[tuple[int, int, int]]  # per abstract: (true positives, predicted, gold)


def per_abstract_counts(model: str, dev: Path) -> Counts:
    nlp = load_ner_model(None if model == "shipped" else Path(model))
    gold, _ = load_scierc(dev, vocab=nlp.vocab)
    rows = []
    for eg in predict_examples(nlp, gold):
        g = {(e.start_char, e.end_char, e.label_) for e in eg.reference.ents}
        p = {(e.start_char, e.end_char, e.label_) for e in eg.predicted.ents}
        rows.append((len(g & p), len(p), len(g)))
    return rows


def f1(rows: Counts) -> float:
    tp = sum(r[0] for r in rows)
    return 2 * tp / (sum(r[1] for r in rows) + sum(r[2] for r in rows))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("baseline", help="model dir, or 'shipped'")
    ap.add_argument("candidates", nargs="+", help="model dirs")
    ap.add_argument("--dev", type=Path, default=DEV)
    ap.add_argument("--samples", type=int, default=5000)
    args = ap.parse_args()
    base = per_abstract_counts(args.baseline, args.dev)
    n = len(base)
    compared = []
    for model in args.candidates:
        cand = per_abstract_counts(model, args.dev)
        rng = random.Random(0)
        diffs = []
        for _ in range(args.samples):
            idx = [rng.randrange(n) for _ in range(n)]
            diffs.append(f1([cand[i] for i in idx]) - f1([base[i] for i in idx]))
        diffs.sort()
        lo, hi = diffs[int(0.025 * args.samples)], diffs[int(0.975 * args.samples) - 1]
        not_better = sum(d <= 0 for d in diffs) / args.samples
        compared.append(
            {
                "model": relative(model) if model != "shipped" else model,
                "f1": round(100 * f1(cand), 2),
                "diff": round(100 * (f1(cand) - f1(base)), 2),
                "low": round(100 * lo, 2),
                "high": round(100 * hi, 2),
                "not_better": round(not_better, 3),
            }
        )
        print(
            f"{model}: baseline {100 * f1(base):.2f}, candidate {100 * f1(cand):.2f}, "
            f"diff {100 * (f1(cand) - f1(base)):+.2f}, 95% interval [{100 * lo:+.2f}, "
            f"{100 * hi:+.2f}], resamples not better {not_better:.3f}"
        )
    baseline = relative(args.baseline) if args.baseline != "shipped" else "shipped"
    record(
        "bench_ner_compare",
        {"baseline_f1": round(100 * f1(base), 2), "candidates": compared},
        {"baseline": baseline, "samples": args.samples, "dev": relative(args.dev)},
    )


if __name__ == "__main__":
    main()
