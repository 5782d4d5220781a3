"""Topic assignment on a fresh, blindly annotated corpus sample nobody tuned on (issue 19).

    python benchmarks/bench_topics_fresh.py [--graph GRAPH] [--show-errors]

The set: ``benchmarks/data/topics_corpus_fresh.jsonl``, 208 `eval` abstracts drawn by
``scripts/sample_topics_fresh.py`` (keywords of our own per topic, traps included, plus random
language-model papers), labelled by two blind annotators with the guidelines of
``topics_dev.README.md`` (they agreed on 204 of 208 papers; the four others were adjudicated,
see each row's ``note``). Unlike the dev sets' halves, the whole set is held out: it scores,
it never tunes. Prints micro and per-topic P/R/F1, and the annotators' agreement on
``topics_corpus_dev.jsonl`` (its second annotation, ``topics_corpus_dev_annotator2.jsonl``),
which bounds what any assigner can be shown to reach.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_link import CORE, DATA, prf  # noqa: E402 - this directory's own
from rdflib import Graph  # noqa: E402
from results import record, relative  # noqa: E402

from kg.sparql.query import run_query  # noqa: E402

FRESH = "topics_corpus_fresh.jsonl"


def score(graph: Graph, gold_file: Path) -> dict:
    """Micro and per-topic P/R/F1 of the graph's ``dcterms:subject`` core topics against the
    gold file, papers matched by id (``dcterms:identifier``: titles are cleaned at ingest)."""
    predicted: dict[str, set[str]] = {}
    for pid, notation in run_query(
        graph,
        "SELECT ?id ?n WHERE { ?p a kg:Paper ; dcterms:identifier ?id . "
        "OPTIONAL { ?p dcterms:subject ?t . ?t skos:notation ?n } }",
    ).rows:
        predicted.setdefault(str(pid), set()).update({str(notation)} if notation else set())
    counts = {t: [0, 0, 0] for t in CORE}
    errors = []
    for item in map(json.loads, gold_file.open(encoding="utf-8")):
        if item["id"] not in predicted:
            raise SystemExit(f"{gold_file}: paper {item['id']} is not in the graph")
        gold, pred = set(item["topics"]), predicted[item["id"]] & set(CORE)
        for t in CORE:
            counts[t][0] += t in gold and t in pred
            counts[t][1] += t in pred and t not in gold
            counts[t][2] += t in gold and t not in pred
        if gold != pred:
            errors.append(
                {"title": item["title"][:70], "missing": sorted(gold - pred),
                 "extra": sorted(pred - gold)}
            )  # fmt: skip
    per = {t: prf(*v) for t, v in counts.items()}
    micro = prf(*(sum(v[i] for v in counts.values()) for i in range(3)))
    return {"micro": micro, "per_topic": per, "errors": errors}


def agreement(first: Path, second: Path) -> dict:
    """Micro and per-topic F1 of one annotator against the other (the first as reference), on
    the papers both labelled."""
    a = {r["id"]: set(r["topics"]) & set(CORE) for r in map(json.loads, first.open())}
    b = {r["id"]: set(r["topics"]) & set(CORE) for r in map(json.loads, second.open())}
    a = {i: t for i, t in a.items() if i in b}  # the papers both annotated
    per = {}
    for t in CORE:
        tp = sum(t in a[i] and t in b[i] for i in a)
        fp = sum(t in b[i] and t not in a[i] for i in a)
        fn = sum(t in a[i] and t not in b[i] for i in a)
        per[t] = prf(tp, fp, fn)
    micro = prf(*(sum(v[k] for v in per.values()) for k in ("tp", "fp", "fn")))
    return {"papers": len(a), "micro": micro, "per_topic": per}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--graph", type=Path, help="the fresh set, built (default: build it)")
    ap.add_argument("--show-errors", action="store_true", help="print each paper gotten wrong")
    args = ap.parse_args()
    given = args.graph is not None
    if args.graph is None:
        from kg.build import build

        out = tempfile.mkdtemp(prefix="kg-topics-fresh-")
        args.graph = build([DATA / FRESH], out_dir=out, store=False).graph_path
    topics = score(Graph().parse(args.graph), DATA / FRESH)
    agree = agreement(DATA / "topics_corpus_dev.jsonl", DATA / "topics_corpus_dev_annotator2.jsonl")
    per_topic = {t: v for t, v in topics["per_topic"].items() if v["tp"] + v["fp"] + v["fn"]}
    m = topics["micro"]
    print(f"fresh corpus sample ({FRESH}): P {m['precision']} R {m['recall']} F1 {m['f1']}")
    for t, v in per_topic.items():
        print(
            f"  {t:22} P {v['precision']:.2f} R {v['recall']:.2f} F1 {v['f1']:.2f} "
            f"(tp {v['tp']} fp {v['fp']} fn {v['fn']})"
        )
    print(
        f"annotator agreement on topics_corpus_dev.jsonl ({agree['papers']} papers): "
        f"micro F1 {agree['micro']['f1']}"
    )
    if args.show_errors:
        for e in topics["errors"]:
            print(f"  {e['title']}: missing {e['missing']}, extra {e['extra']}")
    record(
        "bench_topics_fresh",
        {
            "micro": m,
            "per_topic_f1": {t: v["f1"] for t, v in per_topic.items()},
            "per_topic": per_topic,
            "topics_at_085": sum(v["f1"] >= 0.85 for v in per_topic.values()),
            "topics_scored": len(per_topic),
            "annotator_agreement_dev_micro_f1": agree["micro"]["f1"],
            "annotator_agreement_dev_per_topic_f1": {
                t: v["f1"] for t, v in agree["per_topic"].items() if v["tp"] + v["fp"] + v["fn"]
            },
        },
        {"graph": relative(args.graph) if given else f"benchmarks/data/{FRESH}, built"},
    )


if __name__ == "__main__":
    main()
