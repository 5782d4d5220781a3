"""Which corpus abstracts each experiment of issue 19 may use, so no figure is measured on text
that shaped it.

* lines 0-2,999: the earlier sessions' blind samples were drawn from them; nothing new uses them;
* ``silver``: the 12,000 abstracts ``scripts/silver_ner.py`` labels (seeded sample of the rest);
* ``judge``: abstracts whose mentions are hand-judged to train the termhood classifier;
* ``eval``: abstracts kept for the final blind samples: in neither of the above.

``judge`` and ``eval`` are the two halves (by a hash of the id) of what silver leaves.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "data" / "corpus" / "ml_abstracts.jsonl.gz"
SKIP = 3000


def rows(path: Path = CORPUS) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def silver_ids(all_rows: list[dict], limit: int = 12000, seed: int = 0) -> set[str]:
    """The ids scripts/silver_ner.py samples (same order, same filters)."""
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    from silver_ner import _key, dev_keys

    rest = all_rows[SKIP:]
    shuffled = list(rest)
    random.Random(seed).shuffle(shuffled)
    blocked = dev_keys()
    out: set[str] = set()
    for row in shuffled:
        abstract = (row.get("abstract") or "").strip()
        if len(abstract) < 200 or len(abstract) > 5000 or _key(abstract) in blocked:
            continue
        out.add(row["id"])
        if len(out) >= limit:
            break
    return out


def split(name: str) -> list[dict]:
    """The rows of one split, in corpus order."""
    all_rows = rows()
    silver = silver_ids(all_rows)
    if name == "silver":
        return [r for r in all_rows if r["id"] in silver]
    half = {"judge": 0, "eval": 1}[name]
    return [
        r
        for r in all_rows[SKIP:]
        if r["id"] not in silver
        and int(hashlib.sha1(r["id"].encode()).hexdigest(), 16) % 2 == half
    ]
