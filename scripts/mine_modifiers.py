"""Mine the words that name no entity on their own: modifiers ("real-world", "computational").

    kg build ../shared/data/corpus/ml_abstracts.jsonl.gz -o /tmp/corpus-build --workers 2
    python scripts/mine_modifiers.py /tmp/corpus-build [--out kg/data/modifiers_mined.tsv]

The statistical NER often tags one word of a coordination or a predicate alone ("the
computational and memory cost", "the method is fast"): the word modifies a noun it does not
include, so as an entity it is junk ("real-world" was an entity of 193 corpus papers). There is
no part-of-speech tagger in the pipeline (and training one needs a treebank we do not have),
so the corpus tells adjectives from nouns instead: across the build's multi-word mentions a
modifier starts many ("real-world data", "real-world datasets") and almost never ends one,
while a noun is a head ("spectral clustering", "test accuracy"). Only multi-word mentions are
counted, so the list does not change once the product drops the single words it names.
The output is committed, so the product needs no corpus at run time.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "kg" / "data" / "modifiers_mined.tsv"
#: A modifier starts at least this many multi-word mentions ...
MIN_FIRST = 20
#: ... and ends at most 1 in this many of them (as itself or, for a noun, its plural).
HEAD_RATIO = 25
HEADER = (
    "# Modifiers mined from a corpus build by scripts/mine_modifiers.py: words that start\n"
    f"# >= {MIN_FIRST} multi-word mentions and end <= 1 in {HEAD_RATIO}; the NER's single-word\n"
    "# spans of them are dropped (kg.extract.entities). word\tas_first\tas_last"
)
#: Lower-case words and hyphenated compounds; no digits or symbols.
WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")
#: Nouns the corpus writes mostly as modifiers but that name a domain or a thing alone.
NOUNS = {
    "e-commerce", "credit", "minibatch", "mini-batch", "batch", "web", "healthcare", "finance",
    "sleep", "gamma", "bit", "anomaly", "matroid",
}  # fmt: skip


def count_positions(records: Path) -> tuple[Counter[str], Counter[str]]:
    """(first word, last word) counts over the multi-word mentions of ``records``."""
    from kg.store.extractions import read_extractions

    first: Counter[str] = Counter()
    head: Counter[str] = Counter()
    for extraction in read_extractions(records):
        for mention in extraction.mentions:
            words = mention.text.split()
            if len(words) > 1:
                first[words[0]] += 1
                head[words[-1]] += 1
    return first, head


def modifiers(first: Counter[str], head: Counter[str]) -> list[tuple[str, int, int]]:
    """(word, as first word, as last word) of every modifier, most frequent first."""
    out = []
    for word, n in first.items():
        heads = head[word] + (0 if word.endswith("s") else head[word + "s"])
        if n >= MIN_FIRST and WORD.fullmatch(word) and heads * HEAD_RATIO <= n:
            if word not in NOUNS:
                out.append((word, n, heads))
    return sorted(out, key=lambda row: (-row[1], row[0]))


def records_of(build: Path) -> Path:
    """The extraction records of a build directory (or the records file itself)."""
    if build.is_file():
        return build
    from kg.store.core import EXTRACTIONS, generation_dir, read_manifest

    return generation_dir(build, read_manifest(build).generation) / EXTRACTIONS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build", type=Path, help="a kg build directory (or extractions.jsonl)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    from kg.errors import KGError

    try:
        first, head = count_positions(records_of(args.build))
        rows = modifiers(first, head)
        lines = [HEADER, *(f"{word}\t{n}\t{heads}" for word, n, heads in rows)]
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    except (KGError, OSError) as err:  # a missing build or records file, an unwritable --out
        print(f"mine_modifiers: {err}", file=sys.stderr)
        raise SystemExit(1) from None
    print(f"{len(rows)} modifiers -> {args.out}")


if __name__ == "__main__":
    main()
