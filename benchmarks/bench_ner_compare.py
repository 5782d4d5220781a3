"""Is a retrained NER model measurably better? Paired bootstrap over SciERC dev abstracts.

SciERC dev has only 50 abstracts (811 spans): two models 1 F1 apart can swap places on another
50. This resamples the abstracts (the same resample for both models) and prints, for each
candidate against the baseline, the F1 difference, its 95 % interval and how often the
candidate is not better. A model is worth shipping only if the interval excludes 0.

    python benchmarks/bench_ner_compare.py shipped training/ner/model-best [more models ...]
    OMP_NUM_THREADS=1 python benchmarks/bench_ner_compare.py shipped CAND --speed 300

``shipped`` means the pipeline in kg/models/kg_pipeline.

``--speed N`` also times the recognizer (``tok2vec`` + ``ner``, tokenizer included) of every model
on the first N corpus abstracts, in CPU seconds, the models taking turns for ``--rounds`` rounds;
each model's best round counts. Why in turns and in one process: on the shared 2-core machine
two separate ``bench_ner.py`` runs of the SAME model differed by 40 % (10,319 vs 14,878
words/CPU-s), far more than the 15 % a smaller architecture must prove; taking turns exposes
every model to the same load, and the best round is the one least disturbed.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from results import record, relative
from spacy.language import Language

from kg.datasets.scierc import load_scierc
from kg.evaluation.scierc import load_ner_model, predict_examples

DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "scierc" / "dev.json"

Counts = list[tuple[int, int, int]]  # per abstract: (true positives, predicted, gold)


def load(model: str) -> Language:
    return load_ner_model(None if model == "shipped" else Path(model))


def per_abstract_counts(nlp: Language, dev: Path) -> Counts:
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


def recognizer_speed(models: dict[str, Language], texts: list[str], rounds: int) -> dict:
    """Best-of-rounds words per CPU-second of each model's tok2vec + ner, models in turns."""
    best = dict.fromkeys(models, 0.0)
    for r in range(rounds):
        for name, nlp in models.items():
            with nlp.select_pipes(enable=[p for p in ("tok2vec", "ner") if p in nlp.pipe_names]):
                if r == 0:
                    list(nlp.pipe(texts[:20]))  # warm-up
                c0 = time.process_time()
                words = sum(
                    sum(1 for t in d if not t.is_space) for d in nlp.pipe(texts, batch_size=256)
                )
                best[name] = max(best[name], words / (time.process_time() - c0))
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("baseline", help="model dir, or 'shipped'")
    ap.add_argument("candidates", nargs="+", help="model dirs")
    ap.add_argument("--dev", type=Path, default=DEV)
    ap.add_argument("--samples", type=int, default=5000)
    ap.add_argument("--speed", type=int, default=0, help="corpus abstracts to time (0: none)")
    ap.add_argument("--rounds", type=int, default=5, help="with --speed: rounds in turns")
    args = ap.parse_args()
    models = {m: load(m) for m in [args.baseline, *args.candidates]}
    base = per_abstract_counts(models[args.baseline], args.dev)
    n = len(base)
    compared = []
    for model in args.candidates:
        cand = per_abstract_counts(models[model], args.dev)
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
    figures: dict = {"baseline_f1": round(100 * f1(base), 2), "candidates": compared}
    if args.speed:
        from bench_ner import corpus_texts

        wps = recognizer_speed(models, corpus_texts(args.speed), args.rounds)
        figures["baseline_wps_cpu"] = round(wps[args.baseline])
        for row, model in zip(compared, args.candidates, strict=True):
            row["wps_cpu"] = round(wps[model])
            row["speedup"] = round(wps[model] / wps[args.baseline], 3)
            print(
                f"{model}: {wps[model]:,.0f} words/CPU-s vs baseline {wps[args.baseline]:,.0f} "
                f"(x{row['speedup']:.3f}; tok2vec+ner, {args.speed} corpus abstracts, "
                f"best of {args.rounds} rounds in turns)"
            )
    baseline = relative(args.baseline) if args.baseline != "shipped" else "shipped"
    params = {"baseline": baseline, "samples": args.samples, "dev": relative(args.dev)}
    if args.speed:
        params.update(speed_abstracts=args.speed, rounds=args.rounds)
    record("bench_ner_compare", figures, params)


if __name__ == "__main__":
    main()
