"""Draw abstracts of the corpus ``eval`` split that no judged sample has used (issue 19).

    python scripts/fresh_eval_abstracts.py OUT.jsonl [--n 1000] [--seed 23]

Left out: every paper a judged or in-flight sample names by id or title (``benchmarks/data/``:
the termhood samples' ``paper`` column, the topic sets; ``/work/termhood`` and
``/tmp/judge-topics``, the earlier samples' inputs, when present: the 400 and 1,000 abstracts
of the first two samples), the 1,000 abstracts of the third sample (``--also``, default
``/tmp/h9/eval/eval1000.jsonl``), every abstract holding a sentence of the judged relation
sample, and the one paper a single-paper node of the label-only node samples came from (an
abstract containing that label, for labels of two words or more). Abstracts of 200 to 5,000
characters, as the earlier draws. The output is ``id, title, abstract`` JSON lines in corpus
order.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
DATA = ROOT / "benchmarks" / "data"
EARLIER = [Path("/work/termhood"), Path("/tmp/judge-topics"), Path("/tmp/judge")]


def _tsv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        lines = [line for line in f if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def _jsonl_rows(path: Path) -> list[dict]:
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    pass
    return out


def used(also: list[Path]) -> tuple[set[str], set[str], list[str], list[str]]:
    """(ids, lower-cased titles, sentences, single-paper node labels) of every judged sample."""
    ids, titles, sentences, labels = set(), set(), [], []
    jsonls = [*DATA.glob("*.jsonl"), *also]
    for d in EARLIER:
        if d.is_dir():
            jsonls += [*d.rglob("*.jsonl")]
    for path in jsonls:
        if path.is_file():
            for row in _jsonl_rows(path):
                for key in ("id", "paper"):
                    if isinstance(row.get(key), str):
                        ids.add(row[key])
                if isinstance(row.get("title"), str):
                    titles.add(row["title"].strip().lower())
    for path in DATA.glob("*.tsv"):
        rows = _tsv(path)
        for r in rows:
            if r.get("paper"):
                ids.add(r["paper"])
            if path.name.startswith("relations_") and r.get("sentence"):
                sentences.append(r["sentence"].strip())
            label = r.get("label") or ""
            if path.name.startswith("entities_") and r.get("papers") == "1" and " " in label:
                labels.append(label)  # one word ("videos") is in too many abstracts to tell
    return ids, titles, sentences, labels


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=23)
    ap.add_argument("--also", type=Path, action="append", default=None,
                    help="more JSONL files of papers to leave out (repeatable)")  # fmt: skip
    args = ap.parse_args()
    also = args.also or [Path("/tmp/h9/eval/eval1000.jsonl")]
    from corpus_splits import split

    ids, titles, sentences, labels = used(also)
    rows = []
    for r in split("eval"):
        abstract = (r.get("abstract") or "").strip()
        title = (r.get("title") or "").strip()
        if r["id"] in ids or title.lower() in titles or not 200 <= len(abstract) <= 5000:
            continue
        text = f"{title} {abstract}"
        if any(s and s in text for s in sentences) or any(label in text for label in labels):
            continue
        rows.append(r)
    chosen = sorted(random.Random(args.seed).sample(range(len(rows)), min(args.n, len(rows))))
    with args.out.open("w", encoding="utf-8") as f:
        for i in chosen:
            r = rows[i]
            f.write(json.dumps({"id": r["id"], "title": r["title"], "abstract": r["abstract"]}))
            f.write("\n")
    print(
        f"{len(ids)} ids, {len(titles)} titles, {len(sentences)} sentences and {len(labels)} "
        f"node labels left out; {len(rows)} eval abstracts remain; wrote {len(chosen)} to "
        f"{args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
