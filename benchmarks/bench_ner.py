"""Benchmark the SciERC entity recognizer: dev P/R/F1 (overall, per label), load time, words/s.

    python benchmarks/bench_ner.py [N] [--model DIR] [--dev FILE]

N: number of corpus abstracts for the speed test (default 1000).  Speed is one process, whatever
threads the BLAS is allowed (set OMP_NUM_THREADS=1 etc. for a one-core figure); only the
recognizer runs for the NER figure (``tok2vec`` + ``ner``; ``sentencizer`` + ``kg_transformer_ner``
for ``--model kg/models/kg_pipeline_accurate``); for a pipeline with more components the
full-pipeline words/s is printed too.  Default model: the shipped pipeline
(``kg.extract.load_pipeline``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from results import record, relative  # noqa: E402 - this directory, as the script's own

from kg.evaluation.scierc import NER_PIPES, evaluate_scierc, load_ner_model  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


def corpus_texts(n: int) -> list[str]:
    out = []
    with gzip.open(SHARED / "corpus" / "ml_abstracts.jsonl.gz", "rt", encoding="utf8") as fh:
        for line in fh:
            rec = json.loads(line)
            out.append("\n\n".join(x for x in (rec.get("title"), rec.get("abstract")) if x))
            if len(out) >= n:
                break
    return out


def words_per_second(nlp, texts: list[str], enable: list[str] | None) -> tuple[float, int, float]:
    """(words per wall-clock second, words, words per CPU second of this process).

    On a shared machine the wall-clock figure drops with the load; the CPU-time one does not
    (it is what one uncontended core would do)."""
    pipes = enable if enable is not None else nlp.pipe_names
    with nlp.select_pipes(enable=pipes):
        list(nlp.pipe(texts[:20]))  # warm-up
        t0, c0 = time.perf_counter(), time.process_time()
        words = sum(sum(1 for t in d if not t.is_space) for d in nlp.pipe(texts, batch_size=256))
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
    return words / dt, words, words / dc


def model_size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", nargs="?", type=int, default=1000, help="corpus abstracts for speed")
    ap.add_argument("--model", type=Path, default=None, help="model dir (default: shipped)")
    ap.add_argument("--dev", type=Path, default=SHARED / "scierc" / "dev.json")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()

    t0 = time.perf_counter()
    nlp = load_ner_model(args.model)
    load_s = time.perf_counter() - t0
    scores = evaluate_scierc(args.dev, args.model)
    texts = corpus_texts(args.n)
    ner_pipes = [p for p in NER_PIPES if p in nlp.pipe_names]
    # One untimed pass of the whole pipeline first: whichever figure was measured first came
    # out 5-25 % slower (first touches of the vectors table and the allocator's growth), which
    # made the recognizer alone look slower than the whole pipeline.
    for _ in nlp.pipe(texts, batch_size=256):
        pass
    wps, words, cpu_wps = words_per_second(nlp, texts, ner_pipes)
    result = {
        "model": str(args.model or "shipped"),
        "size_mb": round(model_size_mb(args.model), 1) if args.model else None,
        "load_s": round(load_s, 2),
        "dev": {k: scores[k] for k in ("precision", "recall", "f1", "per_label", "all_gold")},
        "dev_gold_dropped_overlapping": scores["gold_dropped_overlapping"],
        "speed_abstracts": len(texts),
        "speed_words": words,
        "ner_wps": round(wps),
        "ner_wps_cpu": round(cpu_wps),
        "load_average_1min": round(__import__("os").getloadavg()[0], 2),
    }
    if set(nlp.pipe_names) - set(ner_pipes):
        full = words_per_second(nlp, texts, None)
        result["pipeline_wps"], result["pipeline_wps_cpu"] = round(full[0]), round(full[2])
    figures = {k: v for k, v in result.items() if k not in ("model", "load_average_1min")}
    if "relations" in scores:
        figures["relations"] = scores["relations"]
    record(
        "bench_ner",
        figures,
        {"n": args.n, "model": relative(args.model) or "shipped", "dev": relative(args.dev)},
    )
    if args.json:
        print(json.dumps(result, indent=2))
        return
    d = result["dev"]
    print(f"model       {result['model']}  ({result['size_mb']} MB, loaded in {load_s:.2f}s)")
    print(
        f"dev         P {d['precision']:.1f}  R {d['recall']:.1f}  F1 {d['f1']:.1f}"
        f"   (vs all gold incl. {result['dev_gold_dropped_overlapping']} nested: "
        f"F1 {d['all_gold']['f1']:.1f})"
    )
    for label, v in d["per_label"].items():
        print(f"  {label:<20} P {v['precision']:5.1f}  R {v['recall']:5.1f}  F1 {v['f1']:5.1f}")
    print(
        f"speed       {result['ner_wps']:,} words/s wall, {result['ner_wps_cpu']:,} words/CPU-s "
        f"({'+'.join(ner_pipes)}, {words:,} words, {len(texts)} abstracts, "
        f"load avg {result['load_average_1min']})"
    )
    if "pipeline_wps" in result:
        print(
            f"            {result['pipeline_wps']:,} words/s wall, "
            f"{result['pipeline_wps_cpu']:,} words/CPU-s (full pipeline)"
        )


if __name__ == "__main__":
    main()
