"""Draw a random sample of a build's entity nodes, or score a hand-labelled sample.

Entity precision on corpus text has no gold standard (SciERC scores the NER's spans, not the
graph's nodes), so it is estimated by hand: draw a uniform sample of entity nodes with their
type and paper count, label each row ``ok`` (a scientific term of roughly the right kind) or
``junk`` (a formula, a fragment, a discourse word, a generic phrase), then score the file.

    python benchmarks/sample_entities.py DIR --n 100 --seed 0 > sample.tsv   # then label it
    python benchmarks/sample_entities.py --score benchmarks/data/entities_10k_sample.tsv

Blind samples for two judges (issue 19): ``--judge-files OUT KEY`` writes ``OUT/nodes.tsv`` (``--n``
random nodes, each with the sentence of its first mention) and ``OUT/mentions.tsv``
(``--mentions`` random mentions of the extraction records), columns item, type, mention,
sentence only, and what each item is to ``KEY/`` (never shown to the judges). The judges return
``item, judgement, type_ok`` files; ``--merge KEY A B`` joins them into the scored files:

    python benchmarks/sample_entities.py DIR --n 120 --mentions 60 --seed 23 \\
        --judge-files /tmp/judge3 /tmp/judge3-key
    python benchmarks/sample_entities.py --merge /tmp/judge3-key /tmp/judge3/A /tmp/judge3/B \\
        --nodes-out benchmarks/data/entities_eval_fresh4.tsv \\
        --mentions-out benchmarks/data/termhood_eval_blind4.tsv
    python benchmarks/sample_entities.py --score benchmarks/data/entities_eval_fresh4.tsv
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


def _records(directory: str):
    from kg.store.core import EXTRACTIONS, generation_dir, read_manifest
    from kg.store.extractions import read_extractions

    return list(read_extractions(generation_dir(directory, read_manifest(directory).generation)
                                 / EXTRACTIONS))  # fmt: skip


def judge_files(directory: str, n: int, mentions: int, seed: int, out: str, key: str) -> None:
    """The judges' inputs (no score, no system decision) and their key, see the docstring.
    Nodes are drawn as :func:`sample` draws them; mentions uniformly from the kept mentions of
    the extraction records, with ``random.Random(seed)`` as the earlier mention samples."""
    import json
    from pathlib import Path

    from kg.link.resolve import resolve
    from kg.store import open_store

    with open_store(directory) as handle:
        rows = sorted(
            (r["e"].value, r["label"].value, r["type"].value.rsplit("#", 1)[-1], r["papers"].value)
            for r in handle.store.query(QUERY)
        )
    nodes = random.Random(seed).sample(rows, min(n, len(rows)))
    exts = _records(directory)
    resolution = resolve(exts)
    first: dict[str, tuple] = {}  # entity label -> (paper id, first mention)
    for (i, j), eid in sorted(resolution.mention_entity.items()):
        label = resolution.entities[eid].label
        first.setdefault(label, (exts[i].paper.id, exts[i].mentions[j]))
    kept = [(e.paper.id, m) for e in exts for m in e.mentions]
    drawn = random.Random(seed).sample(kept, min(mentions, len(kept)))
    Path(out).mkdir(parents=True, exist_ok=True)
    Path(key).mkdir(parents=True, exist_ok=True)
    header = ["item", "type", "mention", "sentence"]
    with open(Path(out) / "nodes.tsv", "w", encoding="utf-8") as f, \
            open(Path(key) / "nodes_key.jsonl", "w", encoding="utf-8") as k:  # fmt: skip
        f.write("\t".join(header) + "\n")
        for item, (iri, label, kind, papers) in enumerate(nodes):
            paper, m = first.get(label, ("", None))
            sentence = _one_line(m.sentence) if m is not None else ""
            f.write(f"{item}\t{kind}\t{_one_line(label)}\t{sentence}\n")
            k.write(json.dumps({"item": item, "entity": iri, "label": label, "type": kind,
                                "papers": int(papers), "paper": paper}) + "\n")  # fmt: skip
    with open(Path(out) / "mentions.tsv", "w", encoding="utf-8") as f, \
            open(Path(key) / "mentions_key.jsonl", "w", encoding="utf-8") as k:  # fmt: skip
        f.write("\t".join(header) + "\n")
        for item, (paper, m) in enumerate(drawn):
            f.write(f"{item}\t{m.label}\t{_one_line(m.text)}\t{_one_line(m.sentence)}\n")
            k.write(json.dumps({"item": item, "paper": paper, "text": m.text, "type": m.label,
                                "extractor": m.extractor, "field": m.field}) + "\n")  # fmt: skip
    print(f"{len(nodes)} nodes and {len(drawn)} mentions -> {out}; key -> {key}", file=sys.stderr)


def _one_line(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


def merge(
    key: str, judge_a: str, judge_b: str, nodes_out: str, mentions_out: str, source: str
) -> None:
    """Join the key with two judges' ``item, judgement, type_ok`` files (directories holding
    ``nodes.tsv`` and ``mentions.tsv``) into a scored node sample and a mention sample in the
    columns of ``entities_eval_fresh.tsv`` and ``termhood_eval_blind3.tsv``."""
    import json
    from pathlib import Path

    def judged(directory: str, name: str) -> dict[int, dict]:
        with open(Path(directory) / name, encoding="utf-8") as f:
            rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
        out = {int(r["item"]): r for r in rows}
        bad = [i for i, r in out.items() if r.get("judgement") not in ("ok", "junk")]
        if bad:
            sys.exit(f"{directory}/{name}: items {bad[:5]} are neither ok nor junk")
        return out

    for name, out in (("nodes", nodes_out), ("mentions", mentions_out)):
        with open(Path(key) / f"{name}_key.jsonl", encoding="utf-8") as f:
            keys = [json.loads(line) for line in f]
        a, b = judged(judge_a, f"{name}.tsv"), judged(judge_b, f"{name}.tsv")
        missing = [k["item"] for k in keys if k["item"] not in a or k["item"] not in b]
        if missing:
            sys.exit(f"{name}: items {missing[:5]} not judged by both")
        with open(out, "w", encoding="utf-8") as f:
            f.write(f"# {len(keys)} {name} of {key}, judged blind by two annotators ({judge_a}, "
                    f"{judge_b}); merged by sample_entities.py --merge\n")  # fmt: skip
            if name == "nodes":
                f.write("judgement\tjudgement_2\ttype_ok\ttype_ok_2\ttype\tpapers\tlabel\n")
                for k in keys:
                    ja, jb = a[k["item"]], b[k["item"]]
                    f.write(f"{ja['judgement']}\t{jb['judgement']}\t{ja.get('type_ok', '')}\t"
                            f"{jb.get('type_ok', '')}\t{k['type']}\t{k['papers']}\t"
                            f"{_one_line(k['label'])}\n")  # fmt: skip
            else:
                f.write("item\tsource\tjudge\tjudge_a\tjudge_b\ttype_ok_a\ttype_ok_b\t"
                        "extractor\ttype\tfield\tpaper\ttext\n")  # fmt: skip
                for k in keys:
                    ja, jb = a[k["item"]], b[k["item"]]
                    f.write(f"{k['item']}\t{source}\t{ja['judgement']}\t{ja['judgement']}\t"
                            f"{jb['judgement']}\t{ja.get('type_ok', '')}\t"
                            f"{jb.get('type_ok', '')}\t{k['extractor']}\t{k['type']}\t"
                            f"{k['field']}\t{k['paper']}\t{_one_line(k['text'])}\n")  # fmt: skip
        print(f"wrote {out}", file=sys.stderr)


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
    parser.add_argument("--mentions", type=int, default=60, help="mentions for --judge-files")
    parser.add_argument(
        "--judge-files",
        nargs=2,
        metavar=("OUT", "KEY"),
        help="write the judges' blind inputs to OUT and what they are to KEY",
    )
    parser.add_argument(
        "--merge",
        nargs=3,
        metavar=("KEY", "A", "B"),
        help="join KEY with two judges' directories of labelled files",
    )
    parser.add_argument("--nodes-out", default="benchmarks/data/entities_eval_fresh4.tsv")
    parser.add_argument("--mentions-out", default="benchmarks/data/termhood_eval_blind4.tsv")
    parser.add_argument("--source", default="fresh4", help="the mention rows' source name")
    args = parser.parse_args()  # fmt: skip
    if args.merge:
        merge(*args.merge, args.nodes_out, args.mentions_out, args.source)
        return
    if not args.score and not args.directory:
        parser.error("give a build directory or --score TSV")
    from kg.errors import KGError

    try:
        if args.score:
            score(args.score)
        elif args.judge_files:
            judge_files(args.directory, args.n, args.mentions, args.seed, *args.judge_files)
        else:
            sample(args.directory, args.n, args.seed)
    except (KGError, OSError) as err:  # a missing store or file
        sys.exit(f"sample_entities: {err}")


if __name__ == "__main__":
    main()
