"""Provenance encodings side by side (issue 20): triples, Turtle and store size, build time and
the evidence query's latency, for the same input.

    python benchmarks/bench_encoding.py INPUT [--v1 CHECKOUT] [--runs 20]

Encodings:

* ``v1``: the old one, 14 triples per paper-to-entity link with the sentence text on each
  evidence node (two links, two evidence nodes, for a mention of a typed entity) and the
  precomputed statistics nodes; built by the checkout given with ``--v1`` (a git worktree of
  a revision before the change, e.g. ``git worktree add /tmp/v1 66cc697``);
* ``v2``: what ships: a ``kg:Sentence`` node per sentence (text once, field, offsets, paper),
  one ``kg:Evidence`` per paper, entity and form with only what it adds, no statistics nodes;
* ``v2-offsets``: v2 without the sentence text (a reader cuts it out of ``dcterms:abstract``
  with SUBSTR).

Each is built in a fresh process, one worker, with the store. The evidence query asks why the
graph links papers to the 20 most mentioned entities: form, sentence text and offsets, as the
README's evidence query does; its median over ``--runs`` runs is taken on the store.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results import record, relative  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

BUILD = """
import sys, time
{patch}
from kg.build import build
started = time.perf_counter()
result = build([sys.argv[1]], sys.argv[2])
print(time.perf_counter() - started)
"""
NO_TEXT = "import kg.rdf.writer as w; w.SENTENCE_TEXT = False"
# A checkout from before the components became spaCy entry points (kg.extract.components) would
# fail spaCy's entry-point lookup of the installed kg: stand-ins make those imports no-ops (that
# checkout registers its components itself).
OLD_CHECKOUT = """
import sys, types
package = types.ModuleType("kg.extract.components"); package.__path__ = []
sys.modules["kg.extract.components"] = package
class _Absent(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return lambda *a, **k: None
import importlib.metadata as md
for ep in md.entry_points(group="spacy_factories"):
    if ep.value.startswith("kg.extract.components."):
        name = ep.value.split(":")[0]
        sys.modules.setdefault(name, _Absent(name))
"""

TOP_ENTITIES = """
SELECT ?e WHERE { ?p <https://w3id.org/mlkg/ontology#mentions> ?e }
GROUP BY ?e ORDER BY DESC(COUNT(?p)) ?e LIMIT 20
"""
EVIDENCE = {
    "v1": """
PREFIX kg: <https://w3id.org/mlkg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?paper ?form ?sentence ?start ?end WHERE {
  VALUES ?entity { %s }
  ?ev a kg:Evidence ; rdf:subject ?paper ; rdf:object ?entity ; kg:surfaceForm ?form ;
      kg:sentence ?sentence ; kg:charStart ?start ; kg:charEnd ?end .
}""",
    "v2": """
PREFIX kg: <https://w3id.org/mlkg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?paper ?form ?sentence ?start ?end WHERE {
  VALUES ?entity { %s }
  ?ev a kg:Evidence ; rdf:subject ?paper ; rdf:object ?entity ; kg:surfaceForm ?form ;
      kg:inSentence ?s ; kg:charStart ?start ; kg:charEnd ?end .
  ?s kg:text ?sentence .
}""",
    "v2-offsets": """
PREFIX kg: <https://w3id.org/mlkg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?paper ?form ?sentence ?start ?end WHERE {
  VALUES ?entity { %s }
  ?ev a kg:Evidence ; rdf:subject ?paper ; rdf:object ?entity ; kg:surfaceForm ?form ;
      kg:inSentence ?s ; kg:charStart ?start ; kg:charEnd ?end .
  ?s kg:inField ?field ; kg:sentenceStart ?a ; kg:sentenceEnd ?b .
  ?paper dcterms:title ?title ; dcterms:abstract ?abstract .
  BIND(SUBSTR(IF(?field = "title", ?title, ?abstract), ?a + 1, ?b - ?a) AS ?sentence)
}""",
}


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _store_path(out: Path) -> Path:
    manifest = json.loads((out / "store" / "CURRENT.json").read_text())
    return out / "store" / manifest["generation"] / "oxigraph"


def measure(name: str, checkout: Path, source: Path, out: Path, runs: int) -> dict:
    import pyoxigraph as ox

    patch = {"v2-offsets": NO_TEXT, "v1": OLD_CHECKOUT}.get(name, "")
    proc = subprocess.run(
        [sys.executable, "-c", BUILD.format(patch=patch), str(source), str(out)],
        cwd=checkout, env={"PYTHONPATH": str(checkout), "PATH": "/usr/bin:/bin",
                           "OMP_NUM_THREADS": "1", "HOME": str(Path.home())},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    seconds = float(proc.stdout.strip().splitlines()[-1])
    store = ox.Store.read_only(str(_store_path(out)))
    entities = " ".join(f"<{row['e'].value}>" for row in store.query(TOP_ENTITIES))
    query = EVIDENCE[name] % entities
    times, rows = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        rows = sum(1 for _ in store.query(query))
        times.append(time.perf_counter() - started)
    return {
        "triples": len(store),
        "turtle_mb": round((out / "graph.ttl").stat().st_size / 1e6, 2),
        "store_mb": round(_size(out / "store") / 1e6, 1),
        "build_s": round(seconds, 1),
        "evidence_query_ms": round(statistics.median(times) * 1000, 1),
        "evidence_rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input", type=Path)
    parser.add_argument("--v1", type=Path, help="a checkout of a revision before v2")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    encodings = [("v2", ROOT), ("v2-offsets", ROOT)]
    if args.v1:
        encodings.insert(0, ("v1", args.v1.resolve()))
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, checkout in encodings:
            figures[name] = measure(
                name, checkout, args.input.resolve(), Path(tmp) / name, args.runs
            )
            print(name, figures[name], flush=True)
    print("| encoding | triples | graph.ttl MB | store MB | build s | evidence query ms |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, f in figures.items():
        print(
            f"| {name} | {f['triples']:,} | {f['turtle_mb']} | {f['store_mb']} | "
            f"{f['build_s']} | {f['evidence_query_ms']} ({f['evidence_rows']} rows) |"
        )
    record("bench_encoding", figures, {"input": relative(args.input), "runs": args.runs})


if __name__ == "__main__":
    main()
