"""Node precision and recall per paper against an exhaustive annotation (issue 19's measure).

    python benchmarks/bench_exhaustive.py draw BUILD OUT_DIR --papers ABSTRACTS  # for judges
    python benchmarks/bench_exhaustive.py merge OUT_DIR/nodes_key.tsv JUDGE_1 JUDGE_2 > NODES
    python benchmarks/bench_exhaustive.py score ANNOTATION NODES                 # the figures
    python benchmarks/bench_exhaustive.py curve ANNOTATION NODES SET_ASIDE       # thresholds

Issue 19 measures the graph on a held-out set of abstracts annotated exhaustively (every method,
task, dataset and metric a reader would want as a node, plus a list of acceptable generic
terms): of the entity nodes the graph links to those papers, how many are right or acceptable
(precision), and how many of the annotated entities are found (recall). This script makes the
same two figures on our own set, so the held-out one is not the only one:

* ``ANNOTATION`` (JSONL, one paper a line: ``id``, ``entities`` [{form, type, also}],
  ``acceptable`` [forms]) is written by a blind annotator from the abstracts alone;
* ``NODES`` (TSV: item, paper, type, node, forms, sentence, judgement, judgement_2) are the
  nodes the build links to each paper with the forms the build knows them by, judged ok/junk by
  two other blind annotators (``draw`` writes the rows to judge, without forms, score or any
  system decision, and the key with the forms; ``merge`` joins the judges' files to the key).

Precision: nodes judged ok, per judge. Recall: annotated entities one of whose forms (the form
or an ``also``) equals, after normalizing case, hyphens and a plural s, a form of a node linked
to that paper (its label, its alternative labels, the surface forms it was read as); "lenient"
also counts a node form that contains the annotated form, or is contained in it, as whole words.
A node whose form is in the paper's ``acceptable`` list counts as acceptable in a third figure
even where a judge said junk.

``curve`` answers what the termhood thresholds trade: ``SET_ASIDE`` holds the spans the
termhood stage set aside in the same papers (item, paper, type, node, score, extractor, rule,
..., judgement, judgement_2: judged blind like the nodes); each type's threshold is moved by
the same offset, a set-aside span (not set aside by a rule) at or above its moved threshold
becomes one more node of its paper, and precision and recall are counted again.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from results import record, relative  # noqa: E402 - this directory's own

NODES_QUERY = """
SELECT ?id ?e ?label ?type ?form ?sentence WHERE {
  ?paper a kg:Paper ; dcterms:identifier ?id .
  ?ev a kg:Evidence ; rdf:subject ?paper ; rdf:object ?e ; kg:surfaceForm ?form ;
      kg:inSentence/kg:text ?sentence .
  ?e rdfs:label ?label ; a ?type .
  FILTER(?type IN (kg:Method, kg:Model, kg:Dataset, kg:Task, kg:Metric, kg:Concept))
}"""
KINDS = ("Model", "Method", "Dataset", "Task", "Metric", "Concept")  # most specific first


def normalize(text: str) -> str:
    words = re.sub(r"[-_/]+", " ", text.lower()).split()
    if words and len(words[-1]) > 3 and words[-1].endswith("s") and not words[-1].endswith("ss"):
        words[-1] = words[-1][:-1]
    return " ".join(words)


def paper_nodes(build: Path) -> dict[str, dict[str, dict]]:
    """paper id -> entity IRI -> {label, type, forms (normalized), form, sentence}."""
    from kg.sparql.query import load_graph, run_query

    graph = load_graph(build)
    nodes: dict[str, dict[str, dict]] = defaultdict(dict)
    alt: dict[str, set[str]] = defaultdict(set)
    for e, label in run_query(graph, "SELECT ?e ?l WHERE { ?e skos:altLabel ?l }").rows:
        alt[str(e)].add(normalize(str(label)))
    for pid, e, label, rdf_type, form, sentence in run_query(graph, NODES_QUERY).rows:
        kind = str(rdf_type).rsplit("#", 1)[1]
        node = nodes[str(pid)].setdefault(
            str(e),
            {"label": str(label), "kinds": set(), "forms": {normalize(str(label))} | alt[str(e)],
             "form": str(form), "sentence": " ".join(str(sentence).split())},
        )  # fmt: skip
        node["kinds"].add(kind)
        node["forms"].add(normalize(str(form)))
    for per in nodes.values():
        for node in per.values():
            node["type"] = next(k for k in KINDS if k in node["kinds"])
    return nodes


def draw(build: Path, out: Path, annotation: Path | None) -> None:
    """nodes.tsv of every node linked to the papers (of ``annotation``, when given)."""
    nodes = paper_nodes(build)
    wanted = (
        [json.loads(line)["id"] for line in annotation.open(encoding="utf-8")]
        if annotation
        else sorted(nodes)
    )
    out.mkdir(parents=True, exist_ok=True)
    with (
        (out / "nodes.tsv").open("w", encoding="utf-8") as f,
        (out / "nodes_key.tsv").open("w", encoding="utf-8") as k,
    ):
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        key = csv.writer(k, delimiter="\t", lineterminator="\n")
        w.writerow(["item", "paper", "type", "node", "sentence"])
        key.writerow(["item", "paper", "type", "node", "forms", "sentence"])
        item = 0
        for pid in wanted:
            for _, node in sorted(nodes.get(pid, {}).items()):
                w.writerow([item, pid, node["type"], node["label"], node["sentence"]])
                forms = " | ".join(sorted(node["forms"]))
                key.writerow([item, pid, node["type"], node["label"], forms, node["sentence"]])
                item += 1
    print(f"{item} nodes of {len(wanted)} papers -> {out / 'nodes.tsv'} (key: nodes_key.tsv)")


def merge(key: Path, first: Path, second: Path) -> None:
    """The key's rows with both judges' judgement and type_ok columns (stdout)."""
    rows = list(csv.DictReader(key.open(encoding="utf-8"), delimiter="\t"))
    judged = [
        list(csv.DictReader(path.open(encoding="utf-8"), delimiter="\t"))
        for path in (first, second)
    ]
    if any(len(j) != len(rows) for j in judged):
        raise SystemExit(f"bench_exhaustive: the judged files do not have {len(rows)} rows")
    out = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    out.writerow([*rows[0].keys(), "judgement", "type_ok", "judgement_2", "type_ok_2"])
    for row, a, b in zip(rows, *judged, strict=True):
        if a["item"] != row["item"] or b["item"] != row["item"]:
            raise SystemExit(f"bench_exhaustive: item {row['item']} out of order")
        out.writerow([*row.values(), a["judgement"], a["type_ok"], b["judgement"], b["type_ok"]])


def _lenient(a: str, b: str) -> bool:
    return f" {a} " in f" {b} " or f" {b} " in f" {a} "


def score(annotation: Path, judged: Path) -> dict:
    papers = [json.loads(line) for line in annotation.open(encoding="utf-8")]
    rows = list(csv.DictReader(judged.open(encoding="utf-8"), delimiter="\t"))
    forms_of: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        forms_of[r["paper"]].extend(r["forms"].split(" | "))
    acceptable = {p["id"]: {normalize(a) for a in p.get("acceptable", [])} for p in papers}
    judges = [k for k in ("judgement", "judgement_2") if k in rows[0]]
    precision = {
        k: sum(r[k] == "ok" for r in rows) / len(rows) for k in judges
    }  # right or acceptable, per judge
    with_list = {
        k: sum(r[k] == "ok" or normalize(r["node"]) in acceptable[r["paper"]] for r in rows)
        / len(rows)
        for k in judges
    }
    found = lenient = total = 0
    by_type: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    missed: list[str] = []
    for paper in papers:
        forms = forms_of[paper["id"]]
        for ent in paper["entities"]:
            wanted = {normalize(x) for x in [ent["form"], *ent.get("also", [])]}
            total += 1
            by_type[ent["type"]][1] += 1
            if wanted & set(forms):
                found += 1
                lenient += 1
                by_type[ent["type"]][0] += 1
            elif any(_lenient(w, f) for w in wanted for f in forms):
                lenient += 1
            else:
                missed.append(f"{paper['id']}: {ent['form']} ({ent['type']})")
    return {
        "papers": len(papers),
        "nodes": len(rows),
        "precision": {k: round(v, 3) for k, v in precision.items()},
        "precision_with_acceptable_list": {k: round(v, 3) for k, v in with_list.items()},
        "annotated": total,
        "recall": round(found / total, 3),
        "recall_lenient": round(lenient / total, 3),
        "recall_by_type": {t: f"{a}/{b}" for t, (a, b) in sorted(by_type.items())},
        "missed_examples": missed[:40],
    }


def curve(annotation: Path, judged: Path, set_aside: Path) -> list[dict]:
    """Precision (both judges) and recall at threshold offsets from the shipped ones."""
    from kg.extract.pipeline import PIPELINE_DIR
    from kg.extract.termhood import TermhoodModel

    model = TermhoodModel.from_json(
        json.loads((PIPELINE_DIR / "kg_termhood" / "termhood.json").read_text())
    )
    papers = [json.loads(line) for line in annotation.open(encoding="utf-8")]
    nodes = list(csv.DictReader(judged.open(encoding="utf-8"), delimiter="\t"))
    spans = list(csv.DictReader(set_aside.open(encoding="utf-8"), delimiter="\t"))
    points = []
    for offset in (0.0, -0.05, -0.1, -0.15, -0.2, -0.3, -1.0):
        kept = nodes + [
            s
            for s in spans
            if not s["rule"] and float(s["score"]) >= model.threshold_for(s["type"]) + offset
        ]
        forms: dict[str, set[str]] = defaultdict(set)
        for r in nodes:
            forms[r["paper"]].update(r["forms"].split(" | "))
        for s in kept[len(nodes) :]:
            forms[s["paper"]].add(normalize(s["node"]))
        found = total = 0
        for paper in papers:
            for ent in paper["entities"]:
                total += 1
                wanted = {normalize(x) for x in [ent["form"], *ent.get("also", [])]}
                found += bool(wanted & forms[paper["id"]])
        points.append(
            {
                "offset": offset,
                "nodes": len(kept),
                "precision": [
                    round(sum(r[k] == "ok" for r in kept) / len(kept), 3)
                    for k in ("judgement", "judgement_2")
                ],
                "recall": round(found / total, 3),
            }
        )
    return points


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    d = sub.add_parser("draw")
    d.add_argument("build", type=Path)
    d.add_argument("out", type=Path)
    d.add_argument("--papers", type=Path, help="only the papers of this annotation/input JSONL")
    m = sub.add_parser("merge")
    m.add_argument("key", type=Path)
    m.add_argument("first", type=Path)
    m.add_argument("second", type=Path)
    s = sub.add_parser("score")
    s.add_argument("annotation", type=Path)
    s.add_argument("nodes", type=Path)
    c = sub.add_parser("curve")
    c.add_argument("annotation", type=Path)
    c.add_argument("nodes", type=Path)
    c.add_argument("set_aside", type=Path)
    args = ap.parse_args()
    if args.command == "curve":
        points = curve(args.annotation, args.nodes, args.set_aside)
        for pt in points:
            print(
                f"offset {pt['offset']:+.2f}: {pt['nodes']} nodes, precision "
                f"{pt['precision'][0]:.3f} / {pt['precision'][1]:.3f}, recall {pt['recall']:.3f}"
            )
        record(
            "bench_exhaustive_curve",
            {"points": points},
            {"annotation": relative(args.annotation), "set_aside": relative(args.set_aside)},
        )
        return
    if args.command == "draw":
        draw(args.build, args.out, args.papers)
        return
    if args.command == "merge":
        merge(args.key, args.first, args.second)
        return
    figures = score(args.annotation, args.nodes)
    print(json.dumps({k: v for k, v in figures.items() if k != "missed_examples"}, indent=1))
    for line in figures["missed_examples"]:
        print("  missed:", line)
    record(
        "bench_exhaustive",
        {k: v for k, v in figures.items() if k != "missed_examples"},
        {"annotation": relative(args.annotation), "nodes": relative(args.nodes)},
    )


if __name__ == "__main__":
    main()
