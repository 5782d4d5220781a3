"""Corpus statistics the termhood stage reads (issue 19): word and word-pair document frequency
and how many different neighbours each word takes, from the ML abstract corpus.

Why these: one abstract cannot tell a term from a generic phrase, the corpus can. A generic
modifier ("real-world", "novel", "end-to-end") or head ("setting", "framework", "structures")
combines with hundreds of different words; the words of a term stick together (the pair
"laplacian matrix" is far more frequent than its words' frequencies predict). The tables are
small (pairs seen in >= 3 abstracts) so they ship in the repo (``kg/data/termhood_*.tsv.gz``).

Abstracts of the ``eval`` split (scripts/corpus_splits.py) are left out, so the blind samples
drawn from it are text the statistics never saw.

    python scripts/mine_termhood_stats.py
"""

from __future__ import annotations

import gzip
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))
OUT = ROOT / "kg" / "data"
MIN_DF = 3


def main() -> int:
    from corpus_splits import rows, split

    from kg.extract.termhood import words_of

    held_out = {r["id"] for r in split("eval")}
    docs = [r for r in rows() if r["id"] not in held_out]
    word_df: Counter[str] = Counter()
    pair_df: Counter[tuple[str, str]] = Counter()
    for r in docs:
        words = words_of(f"{r.get('title', '')} . {r.get('abstract', '')}")
        word_df.update(set(words))
        pair_df.update(set(zip(words, words[1:], strict=False)))
    left: defaultdict[str, int] = defaultdict(int)  # distinct words seen before it
    right: defaultdict[str, int] = defaultdict(int)  # distinct words seen after it
    kept_pairs = {p: n for p, n in pair_df.items() if n >= MIN_DF}
    for a, b in kept_pairs:
        right[a] += 1
        left[b] += 1
    with gzip.open(OUT / "termhood_words.tsv.gz", "wt", encoding="utf-8", compresslevel=9) as f:
        f.write(f"# documents\t{len(docs)}\n# word\tdf\tleft_types\tright_types\n")
        for w, n in sorted(word_df.items()):
            if n >= MIN_DF:
                f.write(f"{w}\t{n}\t{left.get(w, 0)}\t{right.get(w, 0)}\n")
    with gzip.open(OUT / "termhood_pairs.tsv.gz", "wt", encoding="utf-8", compresslevel=9) as f:
        f.write("# first\tsecond\tdf\n")
        for (a, b), n in sorted(kept_pairs.items()):
            f.write(f"{a}\t{b}\t{n}\n")
    words = sum(1 for n in word_df.values() if n >= MIN_DF)
    print(
        f"{len(docs)} abstracts ({len(held_out)} held out): {words} words, {len(kept_pairs)} pairs"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
