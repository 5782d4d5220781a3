"""Draw a random sample of a build's entity nodes, or score a hand-labelled sample.

Entity precision on corpus text has no gold standard (SciERC scores the NER's spans, not the
graph's nodes), so it is estimated by hand: draw a uniform sample of entity nodes with their
type and paper count, label each row ``ok`` (a scientific term of roughly the right kind) or
``junk`` (a formula, a fragment, a discourse word, a generic phrase), then score the file.

    python benchmarks/sample_entities.py DIR --n 100 --seed 0 > sample.tsv   # then label it
    python benchmarks/sample_entities.py --score benchmarks/data/entities_10k_sample.tsv
"""

from __future__ import annotations

import argparse
import csv
import random
import sys

QUERY = """PREFIX kg: <https://w3id.org/mlkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?e ?label ?type ?papers WHERE {
  ?e a kg:Entity ; a ?type ; rdfs:label ?label .
  { SELECT ?e (COUNT(DISTINCT ?p) AS ?papers) WHERE { ?p kg:mentions ?e } GROUP BY ?e }
  FILTER(?type != kg:Entity)
}"""


def sample(directory: str, n: int, seed: int) -> None:
    from kg.store import open_store

    with open_store(directory) as handle:
        rows = sorted(
            (r["e"].value, r["label"].value, r["type"].value.rsplit("#", 1)[-1], r["papers"].value)
            for r in handle.store.query(QUERY)
        )
    out = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    out.writerow(["judgement", "type", "papers", "label"])
    for _, label, kind, papers in random.Random(seed).sample(rows, min(n, len(rows))):
        out.writerow(["", kind, papers, label])


def score(path: str) -> None:
    from judged_sample import score_labelled
    from results import record, relative

    figures = score_labelled(path, bad="junk", group="type", what="entity nodes", width=10)
    record("sample_entities", figures, {"score": relative(path)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", help="a kg build directory (with a store)")
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--score", metavar="TSV", help="score a labelled sample instead")
    args = parser.parse_args()
    if not args.score and not args.directory:
        parser.error("give a build directory or --score TSV")
    from kg.errors import KGError

    try:
        if args.score:
            score(args.score)
        else:
            sample(args.directory, args.n, args.seed)
    except (KGError, OSError) as err:  # a missing store or file
        sys.exit(f"sample_entities: {err}")


if __name__ == "__main__":
    main()
