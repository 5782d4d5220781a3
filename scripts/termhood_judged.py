"""Merge judged mention samples into ``benchmarks/data/termhood_judged.tsv`` (the training rows
of ``kg train termhood``): each sample is a JSONL of mentions (``scripts/termhood_mentions.py``,
with an ``item`` number) and two annotators' TSVs (``item  judgement  type_ok``).

    python scripts/termhood_judged.py /work/termhood/judge_sample.jsonl \\
        /work/termhood/judged_A.tsv /work/termhood/judged_B.tsv [more triples ...]
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "data" / "termhood_judged.tsv"
CONTEXT = 40


def _clean(text: str) -> str:
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def main(argv: list[str]) -> int:
    if not argv or len(argv) % 3:
        print(__doc__, file=sys.stderr)
        return 2
    rows = []
    for i in range(0, len(argv), 3):
        sample, a_file, b_file = map(Path, argv[i : i + 3])
        judged = []
        for f in (a_file, b_file):
            with f.open(encoding="utf-8", newline="") as fh:
                judged.append(
                    {r["item"]: r["judgement"] for r in csv.DictReader(fh, delimiter="\t")}
                )
        for line in sample.open(encoding="utf-8"):
            m = json.loads(line)
            item = str(m["item"])
            off = m["start"] - m["sent_start"]
            sent = m["sentence"]
            end = off + len(m["text"])
            rows.append([
                item, m["paper"], judged[0][item], judged[1][item], m["type"], m["extractor"],
                _clean(m["text"]), _clean(sent[max(0, off - CONTEXT) : off]),
                _clean(sent[end : end + CONTEXT]), m["field"],
            ])  # fmt: skip
    with OUT.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(
            f, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, quotechar=None
        )
        w.writerow(["item", "paper", "judge_a", "judge_b", "type", "extractor", "text", "before",
                    "after",
                    "field"])  # fmt: skip
        w.writerows(rows)
    print(f"{len(rows)} rows -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
