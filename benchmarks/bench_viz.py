"""Benchmark ``kg viz``: time to select + render a page under the node cap, and its size.

    python benchmarks/bench_viz.py [GRAPH] [--papers N] [--sample FILE] [--max-nodes N]

GRAPH: a built graph (.ttl/.nt/.jsonld, read with ``kg.sparql.query.load_graph``). Without it, a
synthetic corpus-sized graph is made by replicating the bundled sample's graph (built into a
temporary directory, or read from ``--sample``) until it holds ``--papers`` papers (default
35,000, the size of the full corpus): every replica copies the papers with their topics,
paper-to-entity links and evidence (type, subject, predicate, object, sentence); entities named
by two or more sample papers are shared across replicas, the long tail (one paper) is copied
per replica, so the vocabulary grows like a real corpus's. Topic links' shared-paper counts are
scaled by the number of replicas.

Printed: graph size, time to index the RDF, then for each view (topic map, --focus MoE,
--topics RAG,MoE,KnowledgeEditing) the nodes and links before and after the cap, select and
render seconds, and the HTML size. Rendering is one process; it is what ``kg viz`` adds after
the graph is loaded (loading a file of this size with rdflib takes minutes and is
``kg.sparql.query.load_graph``'s business).
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rdflib import RDF, RDFS, Graph, Literal, URIRef  # noqa: E402
from rdflib.namespace import DCTERMS, SKOS, XSD  # noqa: E402
from results import record, relative  # noqa: E402 - this directory, as the script's own

from kg.vocab import KG  # noqa: E402

VIEWS = [
    ("topic map", {}),
    ("--focus MoE", {"focus": "MoE"}),
    ("--topics RAG,MoE,KnowledgeEditing", {"topics": ["RAG", "MoE", "KnowledgeEditing"]}),
]
RELATIONS = ("proposes", "mentions", "usesDataset", "addressesTask", "usesMethod", "usesMetric")
ENTITY_CLASSES = (KG.Method, KG.Model, KG.Dataset, KG.Task, KG.Metric, KG.Concept)


def sample_graph(path: Path | None) -> Graph:
    from kg.sparql.query import load_graph

    if path is None:
        from kg.build import build

        out = Path(tempfile.mkdtemp(prefix="bench-viz-"))
        print(f"building the sample graph into {out} ...", flush=True)
        path = build(out_dir=out).graph_path
    return load_graph(path)


def replicate(sample: Graph, papers: int) -> Graph:
    """A graph with about ``papers`` papers shaped like ``sample`` (see the module docstring)."""
    sample_papers = sorted(set(sample.subjects(RDF.type, KG.Paper)))
    copies = max(1, math.ceil(papers / len(sample_papers)))
    entities = {e for cls in ENTITY_CLASSES for e in sample.subjects(RDF.type, cls)}
    entity_papers: dict = {}
    for rel in RELATIONS:
        for p, e in sample.subject_objects(KG[rel]):
            entity_papers.setdefault(e, set()).add(p)
    tail = {e for e in entities if len(entity_papers.get(e, ())) <= 1}
    entity_triples = {
        e: [
            (p, o)
            for p in (RDF.type, RDFS.label, SKOS.altLabel, KG.paperCount)
            for o in sample.objects(e, p)
        ]
        for e in entities
    }
    paper_rows = []
    for p in sample_papers:
        rows = [(DCTERMS.title, sample.value(p, DCTERMS.title))]
        rows += [(DCTERMS.subject, t) for t in sample.objects(p, DCTERMS.subject)]
        rows += [(KG[rel], e) for rel in RELATIONS for e in sample.objects(p, KG[rel])]
        paper_rows.append((p, rows))
    evidence: dict = {}
    for ev in sample.subjects(RDF.type, KG.Evidence):
        subj = sample.value(ev, RDF.subject)
        evidence.setdefault(subj, []).append(
            (
                ev,
                sample.value(ev, RDF.predicate),
                sample.value(ev, RDF.object),
                sample.value(ev, KG.sentence),
            )
        )

    g = Graph()
    add = g.add
    # topics (the SKOS scheme) once
    for s, _o in sample.subject_objects(SKOS.notation):
        for p, o in sample.predicate_objects(s):
            add((s, p, o))
    for link in sample.subjects(RDF.type, KG.TopicLink):
        add((link, RDF.type, KG.TopicLink))
        for t in sample.objects(link, KG.linkedTopic):
            add((link, KG.linkedTopic, t))
        shared = sample.value(link, KG.sharedPapers)
        add((link, KG.sharedPapers, Literal(int(shared) * copies, datatype=XSD.integer)))
        add((link, KG.weight, sample.value(link, KG.weight)))
    for e in entities:
        for p, o in entity_triples[e]:
            add((e, p, o))

    left = papers
    for k in range(copies):
        suffix = f"-r{k}" if k else ""
        copied: dict = {}

        def ent(e, k=k, suffix=suffix, copied=copied):
            if not k or e not in tail:
                return e
            new = copied.get(e)
            if new is None:
                new = copied[e] = URIRef(f"{e}{suffix}")
                for p, o in entity_triples.get(e, ()):
                    add((new, p, o))
            return new

        for p, rows in paper_rows:
            if left <= 0:
                break
            left -= 1
            new = URIRef(f"{p}{suffix}")
            add((new, RDF.type, KG.Paper))
            for pred, o in rows:
                if pred == DCTERMS.title:
                    add((new, pred, Literal(f"{o} #{k}") if k else o))
                elif pred == DCTERMS.subject:
                    add((new, pred, o))
                else:
                    add((new, pred, ent(o)))
            for ev, pred, obj, sentence in evidence.get(p, ()):
                ev_new = URIRef(f"{ev}{suffix}")
                add((ev_new, RDF.type, KG.Evidence))
                add((ev_new, RDF.subject, new))
                add((ev_new, RDF.predicate, pred))
                add((ev_new, RDF.object, ent(obj)))
                add((ev_new, KG.sentence, sentence))
    return g


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("graph", nargs="?", type=Path, help="a built graph file (default: synthetic)")
    ap.add_argument("--papers", type=int, default=35_000, help="papers in the synthetic graph")
    ap.add_argument("--sample", type=Path, help="the sample's graph.ttl (default: build it)")
    ap.add_argument("--max-nodes", type=int, default=300)
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "bench-viz")
    args = ap.parse_args()

    from kg.viz import read_index, visualize

    started = time.perf_counter()
    if args.graph is not None:
        from kg.sparql.query import load_graph

        graph = load_graph(args.graph)
        source = str(args.graph)
    else:
        sample = sample_graph(args.sample)
        print(f"replicating the sample to {args.papers:,} papers ...", flush=True)
        graph = replicate(sample, args.papers)
        source = f"synthetic ({args.papers:,} papers from the sample)"
    made = time.perf_counter() - started
    from kg.store.core import is_store, open_store

    if args.graph is not None and is_store(args.graph):
        # len() of an rdflib view over the store would pull every triple into Python
        with open_store(args.graph) as handle:
            size = len(handle.store)
    else:
        size = len(graph)
    print(f"graph: {source}, {size:,} triples ({made:.1f} s to make/load)")

    t = time.perf_counter()
    index = read_index(graph)
    index_s = time.perf_counter() - t
    kinds: dict[str, int] = {}
    for item in index.items.values():
        kinds[item.kind] = kinds.get(item.kind, 0) + 1
    print(f"index: {index_s:.2f} s  ({', '.join(f'{k} {n:,}' for k, n in sorted(kinds.items()))})")
    args.out.mkdir(parents=True, exist_ok=True)
    head = ("view", "before cap", "on page", "select s", "render s", "HTML MB")
    print("{:38} {:>17} {:>13} {:>9} {:>9} {:>8}".format(*head))
    views = []
    for i, (name, kwargs) in enumerate(VIEWS):
        result = visualize(index, args.out / f"view{i}.html", max_nodes=args.max_nodes, **kwargs)
        sel = result.selection
        print(
            f"{name:38} {sel.total_nodes:>7,} / {sel.total_edges:>7,} "
            f"{result.nodes:>5,} / {result.edges:>5,} {result.select_seconds:>9.2f} "
            f"{result.render_seconds:>9.2f} {result.bytes / 1e6:>8.2f}"
        )
        views.append(
            {
                "view": name,
                "total_nodes": sel.total_nodes,
                "total_edges": sel.total_edges,
                "nodes": result.nodes,
                "edges": result.edges,
                "select_s": round(result.select_seconds, 2),
                "render_s": round(result.render_seconds, 2),
                "html_mb": round(result.bytes / 1e6, 2),
            }
        )
    record(
        "bench_viz",
        {"triples": size, "index_s": round(index_s, 2), "views": views},
        {
            "graph": relative(args.graph) if args.graph else None,
            "papers": None if args.graph else args.papers,
            "max_nodes": args.max_nodes,
        },
    )
    print(f"pages in {args.out}")


if __name__ == "__main__":
    main()
