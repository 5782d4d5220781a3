"""The corpus's words: what the word table of the termhood stage counted (34,791 abstracts).

Ingest reads it to mend words a PDF line break cut ("lan- guage" -> "language",
"semi- supervised" -> "semi-supervised"): whether "lan" is a word and "language" is one is a
question about the vocabulary of ML abstracts, which this table answers and no English
dictionary shipped here does. It sits in the shared bottom so that ingest and extraction read
the same table without ingest importing the extraction stage.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from importlib import resources

#: The word table (package data; ``scripts/mine_termhood_stats.py`` writes it).
WORDS_FILE = "termhood_words.tsv.gz"


@lru_cache(maxsize=1)
def corpus_words() -> frozenset[str]:
    """Every word of the table, lower-cased (hyphenated compounds as one word: "multi-agent")."""
    words = set()
    with gzip.open(resources.files("kg.data").joinpath(WORDS_FILE).open("rb"), "rt") as f:
        for line in f:
            if not line.startswith("#"):
                words.add(line.split("\t", 1)[0].lower())
    return frozenset(words)
