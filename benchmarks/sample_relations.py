"""Draw a random sample of a build's relation evidence for blind judging, or score a judged one.

SciERC dev measures the relation classifier on SciERC's boundaries; whether the relations the
graph gets from corpus text are right has no gold standard, so it is judged by hand: draw N
relation occurrences (kg:RelationEvidence) uniformly, each with its sentence, both surface forms
as written, the relation and the entity edge's paper count, label each row ``ok`` (the sentence
says that relation between those two) or ``wrong``, then score the file. The sample hides the
classifier's score, so the judge is not led by it (it is kept in a last column for the analysis
after judging; delete it before handing the file over if you want it fully blind).

    python benchmarks/sample_relations.py DIR --n 60 --seed 0 > relations.tsv   # then label it
    python benchmarks/sample_relations.py --score relations.tsv
"""

from __future__ import annotations

import argparse
import csv
import random
import sys

QUERY = """PREFIX kg: <https://w3id.org/mlkg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?ev ?head ?relation ?tail ?sentence ?papers ?paper ?score ?extractor WHERE {
  ?edge a kg:EntityRelation ; rdf:predicate ?p ; kg:hasEvidence ?ev .
  { SELECT ?edge (COUNT(DISTINCT ?from) AS ?papers) WHERE {
      ?edge kg:hasEvidence/prov:wasDerivedFrom ?from } GROUP BY ?edge }
  ?ev kg:headForm ?head ; kg:tailForm ?tail ; kg:inSentence/kg:text ?sentence ;
      prov:wasDerivedFrom ?paper ; kg:score ?score ; kg:extractor ?extractor .
  BIND(STRAFTER(STR(?p), "#") AS ?relation)
}"""
COLUMNS = ["judgement", "head", "relation", "tail", "sentence", "papers", "paper", "score"]


def sample(directory: str, n: int, seed: int, extractor: str | None = None) -> None:
    """``extractor``: only the evidence of that extractor (``kg_relations``, the learned model;
    ``kg_evaluations``, the evaluation-statement rule), to judge each on its own."""
    from kg.store import open_store

    with open_store(directory) as handle:
        rows = sorted(
            tuple(r[name].value for name in ("ev", *COLUMNS[1:]))
            for r in handle.store.query(QUERY)
            if extractor is None or r["extractor"].value == extractor
        )
    if not rows:
        sys.exit(f"sample_relations: {directory}: the build has no entity relations")
    out = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    out.writerow(COLUMNS)
    for row in random.Random(seed).sample(rows, min(n, len(rows))):
        _ev, head, relation, tail, sentence, papers, paper, score = row
        sentence = " ".join(sentence.split())  # one line per row
        out.writerow(["", head, relation, tail, sentence, papers, paper, score])


def score(path: str) -> None:
    from judged_sample import score_labelled
    from results import record, relative

    with open(path, encoding="utf-8") as f:
        header = next(line for line in f if not line.startswith("#")).rstrip("\n").split("\t")
    # a sample of kg_evaluations' readings is counted per reading (named, our-model)
    group = "reading" if "reading" in header else "relation"
    figures = score_labelled(path, bad="wrong", group=group, what="relations", width=13, first=60)
    record("sample_relations", figures, {"score": relative(path)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", help="a kg build directory (with a store)")
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--extractor", help="only this extractor's relations (e.g. kg_evaluations)")
    parser.add_argument("--score", metavar="TSV", help="score a labelled sample instead")
    args = parser.parse_args()
    if not args.score and not args.directory:
        parser.error("give a build directory or --score TSV")
    from kg.errors import KGError

    try:
        if args.score:
            score(args.score)
        else:
            sample(args.directory, args.n, args.seed, args.extractor)
    except (KGError, OSError) as err:  # a missing store or file
        sys.exit(f"sample_relations: {err}")


if __name__ == "__main__":
    main()
