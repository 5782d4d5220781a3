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
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a file of a package or a Path: importlib.resources' protocol
    from importlib.abc import Traversable

#: The word table (package data; ``scripts/mine_termhood_stats.py`` writes it).
WORDS_FILE = "termhood_words.tsv.gz"
#: The defined-long-forms table (package data; ``scripts/mine_defined_terms.py`` writes it).
DEFINED_FILE = "termhood_defined.tsv.gz"
#: A long form that this many corpus abstracts define is an established term: not what a
#: paper proposes (``kg_proposed``), and what a paper "proposing" its acronym means (linking).
#: On 4,000 judge-split abstracts, of the proposals defined in 2 abstracts (that one and one
#: more) half were new names (QRNN, StepGAN, N-GCN); from 3 on none were (UCB, CUSUM, NMF).
ESTABLISHED_DEFINITIONS = 3


def read_word_stats(words_file: Traversable) -> tuple[int, dict[str, tuple[int, int, int]]]:
    """(abstracts counted, word -> (df, distinct left, distinct right)) of a word table (the
    termhood stage reads the one its config names; everyone else the shipped one)."""
    documents, words = 1, {}
    with gzip.open(words_file.open("rb"), "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("# documents"):
                documents = int(line.split("\t")[1])
                continue
            if line.startswith("#"):
                continue
            w, df, left, right = line.rstrip("\n").split("\t")
            words[w] = (int(df), int(left), int(right))
    return documents, words


@lru_cache(maxsize=1)
def shipped_word_stats() -> dict[str, tuple[int, int, int]]:
    """The shipped table's words and their counts, read once per process."""
    return read_word_stats(resources.files("kg.data").joinpath(WORDS_FILE))[1]


@lru_cache(maxsize=1)
def corpus_words() -> frozenset[str]:
    """Every word of the shipped table, lower-cased (hyphenated compounds as one word:
    "multi-agent")."""
    return frozenset(word.lower() for word in shipped_word_stats())


def read_defined_counts(defined_file: Traversable) -> dict[str, int]:
    """long-form key (``surface_key``) -> abstracts that define it with an acronym: the
    termhood stage's third table, which ``kg_proposed`` reads too (an established term is
    not what a paper proposes)."""
    counts: dict[str, int] = {}
    with gzip.open(defined_file.open("rb"), "rt", encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                key, df = line.rstrip("\n").split("\t")
                counts[key] = int(df)
    return counts


@lru_cache(maxsize=1)
def shipped_defined_counts() -> dict[str, int]:
    """The shipped defined-long-forms table, read once per process (the linker asks it whether
    a long form is an established term)."""
    return read_defined_counts(resources.files("kg.data").joinpath(DEFINED_FILE))
