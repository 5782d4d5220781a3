"""Score a hand-labelled sample TSV (``sample_entities.py``, ``sample_relations.py``): the share
judged ``ok`` overall and per group, from the ``judgement`` column (``#`` lines are provenance);
a second annotator's ``judgement_2`` column, when there is one, is counted for the record."""

from __future__ import annotations

import csv
import sys
from collections import Counter


def score_labelled(
    path: str, bad: str, group: str, what: str, width: int = 10, first: int | None = None
) -> dict:
    """Print ``what judged: N; ok K (share)`` and one line per value of ``group``; exits with
    one line when the file is not a labelled sample or has unlabelled rows.

    -> the figures to record: ``judged``, ``ok``, ``share``, ``ok_2`` (second annotator, if
    any), ``per_group``, and with ``first`` also ``ok_first``/``ok_2_first`` over the first
    ``first`` rows (a target stated per 60 of a sample of 80)."""
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
    columns = ["judgement"] + (["judgement_2"] if "judgement_2" in reader.fieldnames else [])
    figures: dict = {"judged": len(rows), "share": round(total["ok"] / len(rows), 3)}
    for col, key in zip(columns, ("ok", "ok_2"), strict=False):
        figures[key] = sum(r[col] == "ok" for r in rows)
        if first:
            figures[f"{key}_first"] = sum(r[col] == "ok" for r in rows[:first])
    if first:
        figures["first"] = min(first, len(rows))
    figures["per_group"] = {
        k: {"ok": c["ok"], "judged": c["ok"] + c[bad]} for k, c in by_group.items()
    }
    if "judgement_2" in columns and group in reader.fieldnames:
        # the second annotator's count per group: a sheet that compares two readings of the
        # same rows is read by both judges' figures
        figures["per_group_2"] = {
            k: sum(r["judgement_2"] == "ok" for r in rows if r[group] == k) for k in by_group
        }
    return figures
