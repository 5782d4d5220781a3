"""Long forms the ML corpus defines with an acronym, and in how many abstracts (issue 19).

Why: a phrase some author bothered to abbreviate ("Monte Carlo tree search (MCTS)", "experience
replay (ER)") is a term a reader would look up; a generic phrase ("computational requirements",
"security threat") is never defined so. One abstract cannot see that; the corpus can. On the
judged rows 49 of 53 recognizer mentions whose phrase is defined somewhere are terms, and on
the blind mention samples 34 of 35 (``kg_termhood`` reads it as the feature ``defined_papers``).

The matching is the recognizer's own Schwartz-Hearst (``kg.extract.abbreviations``) on plain
text: the words before a parenthesised short form, within the clause. Abstracts of the ``eval``
split are left out, like ``mine_termhood_stats.py``, so the blind samples are text this table
never saw. Only long forms defined in at least ``MIN_DF`` abstracts ship.

    python scripts/mine_defined_terms.py     # -> kg/data/termhood_defined.tsv.gz
"""

from __future__ import annotations

import gzip
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))
OUT = ROOT / "kg" / "data" / "termhood_defined.tsv.gz"
MIN_DF = 1
#: "(SF)" with a short form of 2-12 characters: a letter first, a capital somewhere
_PAREN = re.compile(r"\(([A-Za-z][A-Za-z0-9\-]{1,11})\)")
#: a long form never reaches back across a clause or another parenthesis
_CLAUSE = re.compile(r"[.;:!?()\[\]]\s*")


def definitions(text: str) -> set[str]:
    """Keys (``surface_key``) of the long forms ``text`` defines."""
    from kg.extract.abbreviations import _max_long_words, _plausible, is_short_form
    from kg.extract.abbreviations import match_long_form as match
    from kg.lexicon.normalize import surface_key

    out = set()
    for m in _PAREN.finditer(text):
        short = m.group(1)
        if not is_short_form(short):
            continue
        left = _CLAUSE.split(text[max(0, m.start() - 300) : m.start()])[-1].rstrip()
        words = left.split()[-_max_long_words(short) :]
        candidate = " ".join(words)
        found = match(short, candidate)
        if found is None:
            continue
        long = candidate[found[0] : found[1]].strip(" \"'`,")
        if len(long) <= len(short) or " " not in long and "-" not in long:
            continue  # one word is a spelling of the short form, not its expansion
        if _plausible(short, long):
            out.add(surface_key(long))
    return out


def main() -> int:
    from corpus_splits import rows, split

    held_out = {r["id"] for r in split("eval")}
    docs = [r for r in rows() if r["id"] not in held_out]
    df: Counter[str] = Counter()
    for r in docs:
        df.update(definitions(f"{r.get('title') or ''}. {r.get('abstract') or ''}"))
    kept = sorted((k, n) for k, n in df.items() if n >= MIN_DF)
    with gzip.open(OUT, "wt", encoding="utf-8") as f:
        f.write(f"# documents\t{len(docs)}\n# long form key\tabstracts defining it\n")
        for key, n in kept:
            f.write(f"{key}\t{n}\n")
    print(f"{len(docs)} abstracts, {len(kept)} defined long forms -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
