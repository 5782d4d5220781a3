"""Quality of entity resolution, topic assignment and proposed/dataset extraction on the
hand-annotated dev sets in ``benchmarks/data/`` (written from the seeds by reading them, not
from kg's output).

    python benchmarks/bench_link.py                 # builds the sample into a temp dir
    python benchmarks/bench_link.py --graph kg-out/graph.ttl
    python benchmarks/bench_link.py --half A        # tuning: half A of the topic sets only
    python benchmarks/bench_link.py --topics SET.jsonl [--no-dev]   # any labelled topic set

Prints merge recall/precision over the alias groups and look-alike pairs, topic assignment
precision/recall/F1 (micro, and per topic) over the core topics, and precision/recall of
``kg:proposes`` and ``kg:usesDataset`` names.

Topics are also scored on ``topics_corpus_dev.jsonl`` (corpus abstracts, not in the sample):
that file is itself built into a temp dir (``--corpus-graph`` to pass a built one). Both topic
sets are split into halves by the first byte of sha1(title): A (even) is where cues and weights
were tuned, B (odd) is held out, so B is the estimate for new papers. ``--half A`` prints and
records only half A (per-topic errors included), so tuning never shows half B; ``--half B`` is
for whoever scores the held-out half.

``--topics FILE`` (repeatable) scores any JSONL of ``{"id", "title", "abstract", "topics"}``
(a fresh, blindly labelled set): the file is built into a temp dir and scored over all its
papers; ``--no-dev`` skips the sample and the dev topic sets.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
from collections import defaultdict
from itertools import combinations
from pathlib import Path

from rdflib import Graph
from results import record, relative

from kg.ingest.fields import clean_text
from kg.sparql.query import run_query

DATA = Path(__file__).resolve().parent / "data"
CORE = [
    "RAG",
    "MoE",
    "KnowledgeEditing",
    "ModelEditing",
    "KnowledgeInjection",
    "PEFT",
    "KnowledgeDistillation",
    "ContinualLearning",
    "Interpretability",
    "Hallucination",
    "Reasoning",
    "KnowledgeGraphs",
    "Multimodal",
    "Agents",
]


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 3),
        "recall": round(r, 3),
        "f1": round(f, 3),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def entities_by_form(g: Graph) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for e, form in run_query(g, "SELECT ?e ?f WHERE { ?e a kg:Entity ; skos:altLabel ?f }").rows:
        out[str(form)].add(str(e))
    return out


def same_entity(by_form: dict[str, set[str]], a: str, b: str) -> bool:
    return bool(by_form.get(a, set()) & by_form.get(b, set()))


def score_merging(g: Graph) -> dict:
    gold = json.loads((DATA / "alias_dev.json").read_text())
    by_form = entities_by_form(g)
    found_pairs = merged_pairs = 0
    complete_groups = 0
    missing: list[str] = []
    split: list[list[str]] = []
    for group in gold["merge"]:
        present = [f for f in group if f in by_form]
        missing += [f for f in group if f not in by_form]
        pairs = list(combinations(present, 2))
        ok = [same_entity(by_form, a, b) for a, b in pairs]
        found_pairs += len(pairs)
        merged_pairs += sum(ok)
        if all(ok):
            complete_groups += 1
        else:
            split.append(present)
    # precision: merged pairs among all annotated forms that should not be merged
    groups = {f: i for i, grp in enumerate(gold["merge"]) for f in grp}
    wrong = [(a, b) for a, b in gold["distinct"] if same_entity(by_form, a, b)]
    cross = [
        (a, b)
        for a, b in combinations(sorted(groups), 2)
        if groups[a] != groups[b] and same_entity(by_form, a, b)
    ]
    distinct_found = [(a, b) for a, b in gold["distinct"] if a in by_form and b in by_form]
    return {
        "groups": len(gold["merge"]),
        "groups_fully_merged": complete_groups,
        "pair_recall": round(merged_pairs / found_pairs, 3) if found_pairs else 1.0,
        "pair_precision": round(merged_pairs / (merged_pairs + len(wrong) + len(cross)), 3)
        if merged_pairs
        else 1.0,
        "lookalike_pairs": len(gold["distinct"]),
        "lookalike_pairs_both_found": len(distinct_found),
        "lookalike_pairs_merged": wrong,
        "cross_group_merges": cross,
        "forms_not_extracted": missing,
        "split_groups": split,
    }


def paper_titles(g: Graph) -> dict[str, str]:
    return {
        str(t): str(p)
        for p, t in run_query(g, "SELECT ?p ?t WHERE { ?p a kg:Paper ; dcterms:title ?t }").rows
    }


def half_of(title: str) -> str:
    """A (tuning) when the first byte of sha1(title) is even, else B (held out)."""
    return "A" if hashlib.sha1(title.encode()).digest()[0] % 2 == 0 else "B"


def score_topics(g: Graph, gold_file: str | Path = "topics_dev.jsonl") -> dict:
    """Topic P/R/F1 on one dev file (a name in ``DATA`` or a path): micro and per core topic,
    over all papers and per half."""
    titles = paper_titles(g)
    subjects: dict[str, set[str]] = defaultdict(set)
    for p, n in run_query(
        g, "SELECT ?p ?n WHERE { ?p dcterms:subject ?t . ?t skos:notation ?n }"
    ).rows:
        subjects[str(p)].add(str(n))
    # counts[scope][topic] = [tp, fp, fn]; scope "all", "A" or "B"
    counts = {scope: {t: [0, 0, 0] for t in CORE} for scope in ("all", "A", "B")}
    errors = []
    for line in (DATA / gold_file).read_text().splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        gold = set(item["topics"])
        # the graph holds the title as ingestion cleaned it (runs of spaces collapsed)
        pred = subjects[titles[clean_text(item["title"])]] & set(CORE)
        for scope in ("all", half_of(item["title"])):
            for t in CORE:
                counts[scope][t][0] += t in gold and t in pred
                counts[scope][t][1] += t in pred and t not in gold
                counts[scope][t][2] += t in gold and t not in pred
        if gold != pred:
            errors.append(
                {
                    "title": item["title"][:70],
                    "half": half_of(item["title"]),
                    "missing": sorted(gold - pred),
                    "extra": sorted(pred - gold),
                }
            )

    def micro(per: dict[str, list[int]]) -> dict[str, float]:
        return prf(*(sum(v[i] for v in per.values()) for i in range(3)))

    return {
        "micro": micro(counts["all"]),
        "per_topic": {t: prf(*v) for t, v in counts["all"].items()},
        "halves": {
            half: {"micro": micro(counts[half]), "per_topic": {t: prf(*v) for t, v in per.items()}}
            for half, per in (("A", counts["A"]), ("B", counts["B"]))
        },
        "errors": errors,
    }


def topic_halves(topics: dict) -> dict[str, dict]:
    """Micro P/R of the two halves of a topic dev set (see :func:`half_of`)."""
    return {half: h["micro"] for half, h in topics["halves"].items()}


def _f1s(per: dict[str, dict]) -> dict[str, float]:
    """Per-topic F1, only topics with gold or predictions."""
    return {t: v["f1"] for t, v in per.items() if v["tp"] + v["fp"] + v["fn"]}


def topic_figures(topics: dict, half: str | None = None) -> dict:
    """What a run records for one topic set: micro over all and per half, per-topic F1 per half
    (only topics the half has gold or predictions for); with ``half``, that half only."""
    if half is not None:
        h = topics["halves"][half]
        return {"half": half, **h["micro"], "per_topic_f1": _f1s(h["per_topic"])}
    return {
        **topics["micro"],
        **topic_halves(topics),
        "per_topic_f1": {half: _f1s(h["per_topic"]) for half, h in topics["halves"].items()},
    }


def fresh_figures(topics: dict) -> dict:
    """What a run records for a set scored as a whole (``--topics``): micro and per-topic F1."""
    return {**topics["micro"], "per_topic_f1": _f1s(topics["per_topic"])}


def print_half(name: str, topics: dict, half: str) -> None:
    """One half only, with its errors: what tuning may look at (``--half A``)."""
    h = topics["halves"][half]
    m = h["micro"]
    print(f"topics on {name}, half {half} only: P {m['precision']} R {m['recall']} F1 {m['f1']}")
    for topic in CORE:
        s = h["per_topic"][topic]
        print(f"  {topic:22} P {s['precision']:.2f} R {s['recall']:.2f} F1 {s['f1']:.2f} "
              f"({s['tp']}/{s['fp']}/{s['fn']})")  # fmt: skip
    for e in topics["errors"]:
        if e["half"] == half:
            print(f"  error: {e['title']!r} missing {e['missing']} extra {e['extra']}")


def print_whole(name: str, topics: dict) -> None:
    """A set scored as a whole (``--topics``): micro and per topic."""
    m = topics["micro"]
    print(f"topics on {name} (all papers): P {m['precision']} R {m['recall']} F1 {m['f1']}")
    for topic in CORE:
        s = topics["per_topic"][topic]
        print(f"  {topic:22} P {s['precision']:.2f} R {s['recall']:.2f} F1 {s['f1']:.2f} "
              f"({s['tp']}/{s['fp']}/{s['fn']})")  # fmt: skip


def print_topics(name: str, topics: dict) -> None:
    t = topics["micro"]
    print(
        f"topics on {name} (micro, {len(CORE)} core topics): "
        f"P {t['precision']} R {t['recall']} F1 {t['f1']}"
    )
    for half, h in topics["halves"].items():
        m = h["micro"]
        role = "tuning" if half == "A" else "held out"
        print(f"  half {half} ({role}): P {m['precision']} R {m['recall']} F1 {m['f1']}")
    print(f"  {'':22} {'all':>22}   {'A':>16}   {'B (held out)':>16}")
    for topic in CORE:
        cells = []
        for per in (topics["per_topic"], *(h["per_topic"] for h in topics["halves"].values())):
            s = per[topic]
            cells.append(f"F1 {s['f1']:.2f} ({s['tp']}/{s['fp']}/{s['fn']})")
        print(f"  {topic:22} P {topics['per_topic'][topic]['precision']:.2f} "
              f"R {topics['per_topic'][topic]['recall']:.2f} " + "   ".join(cells))  # fmt: skip


def _forms_of(g: Graph, prop: str) -> dict[str, list[set[str]]]:
    out: dict[str, list[set[str]]] = defaultdict(list)
    rows = run_query(
        g,
        f"""SELECT ?p ?e (GROUP_CONCAT(?f; separator="\\u0001") AS ?fs) WHERE {{
        ?p {prop} ?e . ?e skos:altLabel ?f }} GROUP BY ?p ?e""",
    ).rows
    for p, _e, fs in rows:
        out[str(p)].append({f.lower() for f in str(fs).split("\u0001")})
    return out


def score_names(g: Graph, key: str, prop: str) -> dict:
    titles = paper_titles(g)
    predicted = _forms_of(g, prop)
    tp = fp = fn = 0
    errors = []
    for line in (DATA / "proposed_dev.jsonl").read_text().splitlines():
        item = json.loads(line)
        gold = {n.lower() for n in item[key]}
        entities = predicted.get(titles[item["title"]], [])
        matched_gold = {n for n in gold if any(n in forms for forms in entities)}
        good_entities = [forms for forms in entities if forms & gold]
        tp += len(matched_gold)
        fn += len(gold - matched_gold)
        fp += len(entities) - len(good_entities)
        if gold - matched_gold or len(entities) > len(good_entities):
            errors.append(
                {
                    "title": item["title"][:60],
                    "missed": sorted(gold - matched_gold),
                    "extra": sorted(min(f) for f in entities if not f & gold),
                }
            )
    return {**prf(tp, fp, fn), "errors": errors}


def _score_fresh(files: list[Path]) -> dict[Path, dict]:
    """Each ``--topics`` file, built into a temp dir and scored over all its papers."""
    if not files:
        return {}
    from kg.build import build

    out = {}
    for f in files:
        graph = build([f], out_dir=tempfile.mkdtemp(), store=False).graph_path
        out[f] = score_topics(Graph().parse(graph), f.resolve())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graph", type=Path, help="a built graph (default: build the sample)")
    parser.add_argument(
        "--corpus-graph", type=Path, help="topics_corpus_dev.jsonl, built (default: build it)"
    )
    parser.add_argument("--json", action="store_true", help="print everything as JSON")
    parser.add_argument(
        "--half", choices=("A", "B"), help="print and record only this half of the topic sets"
    )
    parser.add_argument(
        "--topics",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="also score this topic set (JSONL: id, title, abstract, topics) as a whole",
    )
    parser.add_argument(
        "--no-dev", action="store_true", help="skip the sample and the dev topic sets"
    )
    args = parser.parse_args()
    if args.no_dev and not args.topics:
        parser.error("--no-dev leaves nothing to score without --topics")
    fresh = _score_fresh(args.topics)
    if args.no_dev:
        record(
            "bench_link",
            {"topics_sets": {relative(f): fresh_figures(t) for f, t in fresh.items()}},
            {"topics": [relative(f) for f in fresh], "dev": False},
        )
        if args.json:
            print(json.dumps({relative(f): t for f, t in fresh.items()}, indent=1))
            return
        for f, t in fresh.items():
            print_whole(relative(f), t)
        return
    given, corpus_given = args.graph is not None, args.corpus_graph is not None
    if args.graph is None or args.corpus_graph is None:
        from kg.build import build

        if args.graph is None:
            args.graph = build(out_dir=tempfile.mkdtemp(), store=False).graph_path
        if args.corpus_graph is None:
            corpus = [DATA / "topics_corpus_dev.jsonl"]
            args.corpus_graph = build(corpus, out_dir=tempfile.mkdtemp(), store=False).graph_path
    g = Graph().parse(args.graph)
    report = {
        "merging": score_merging(g),
        "topics": score_topics(g),
        "topics_corpus": score_topics(Graph().parse(args.corpus_graph), "topics_corpus_dev.jsonl"),
        "proposes": score_names(g, "proposes", "kg:proposes"),
        "datasets": score_names(g, "datasets", "kg:usesDataset"),
    }
    if args.half:  # nothing of the other half leaves this process
        for key in ("topics", "topics_corpus"):
            t = report[key]
            report[key] = {
                "half": args.half,
                "halves": {args.half: t["halves"][args.half]},
                "errors": [e for e in t["errors"] if e["half"] == args.half],
            }
    m = report["merging"]
    figures = {
        "merging": {k: len(v) if isinstance(v, list) else v for k, v in m.items()},
        "topics": topic_figures(report["topics"], args.half),
        "topics_corpus": topic_figures(report["topics_corpus"], args.half),
        "proposes": {k: v for k, v in report["proposes"].items() if k != "errors"},
        "datasets": {k: v for k, v in report["datasets"].items() if k != "errors"},
    }
    if fresh:
        figures["topics_sets"] = {relative(f): fresh_figures(t) for f, t in fresh.items()}
    params = {
        "graph": relative(args.graph) if given else "the sample, built",
        "corpus_graph": relative(args.corpus_graph)
        if corpus_given
        else "benchmarks/data/topics_corpus_dev.jsonl, built",
    }
    if args.half:
        params["half"] = args.half
    if fresh:
        params["topics"] = [relative(f) for f in fresh]
    record("bench_link", figures, params)
    if args.json:
        report["topics_sets"] = {relative(f): t for f, t in fresh.items()}
        print(json.dumps(report, indent=1))
        return
    print(
        f"merging: {m['groups_fully_merged']}/{m['groups']} alias groups fully merged, "
        f"pair recall {m['pair_recall']}, pair precision {m['pair_precision']}; "
        f"look-alike pairs merged {len(m['lookalike_pairs_merged'])}/{m['lookalike_pairs']} "
        f"({m['lookalike_pairs_both_found']} with both forms extracted); "
        f"forms not extracted {len(m['forms_not_extracted'])}"
    )
    for pair in m["lookalike_pairs_merged"] + m["cross_group_merges"]:
        print(f"  wrongly merged: {pair}")
    for group in m["split_groups"]:
        print(f"  split group: {group}")
    if args.half:
        print_half("the sample (topics_dev.jsonl)", report["topics"], args.half)
        print_half("corpus abstracts (topics_corpus_dev.jsonl)", report["topics_corpus"], args.half)
    else:
        print_topics("the sample (topics_dev.jsonl)", report["topics"])
        print_topics("corpus abstracts (topics_corpus_dev.jsonl)", report["topics_corpus"])
    for f, t in fresh.items():
        print_whole(relative(f), t)
    for key in ("proposes", "datasets"):
        s = report[key]
        print(
            f"{key}: P {s['precision']} R {s['recall']} F1 {s['f1']} "
            f"(tp {s['tp']} fp {s['fp']} fn {s['fn']})"
        )


if __name__ == "__main__":
    main()
