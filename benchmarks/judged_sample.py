"""Score a hand-labelled sample TSV (``sample_entities.py``, ``sample_relations.py``): the share
judged ``ok`` overall and per group, from the ``judgement`` column (``#`` lines are provenance)."""

from __future__ import annotations

import csv
import sys
from collections import Counter


def score_labelled(path: str, bad: str, group: str, what: str, width: int = 10) -> None:
    """Print ``what judged: N; ok K (share)`` and one line per value of ``group``; exits with
    one line when the file is not a labelled sample or has unlabelled rows."""
    with open(path, encoding="utf-8") as f:
        lines = [line for line in f if not line.startswith("#")]
    reader = csv.DictReader(lines, delimiter="\t")
    if not {"judgement", group} <= set(reader.fieldnames or ()):
        sys.exit(f"{path}: not a labelled sample (needs the columns judgement and {group})")
    rows = list(reader)
    if not rows:
        sys.exit(f"{path}: no rows")
    total = Counter(r["judgement"] for r in rows)
    unlabelled = len(rows) - total["ok"] - total[bad]
    if unlabelled:
        sys.exit(f"{path}: {unlabelled} rows are neither 'ok' nor '{bad}'")
    by_group: dict[str, Counter] = {}
    for r in rows:
        by_group.setdefault(r[group], Counter())[r["judgement"]] += 1
    print(f"{what} judged: {len(rows)}; ok {total['ok']} ({total['ok'] / len(rows):.2f})")
    for key, c in sorted(by_group.items()):
        print(f"  {key:{width}s} ok {c['ok']:3d} / {c['ok'] + c[bad]:3d}")
