"""Floret static vectors with a per-process cache of each word's vector.

Why: a floret table has no row per word. Every lookup hashes the word's character n-grams
(``<word>``, its 4- and 5-grams: two MurmurHash3 calls each) and averages their rows, and spaCy
does this for every token of every batch: 4 % of the whole pipeline's CPU time on corpus
abstracts (0.6 s of 14.8 s per 1,000). The words of a corpus repeat, so the cache computes each
word's vector once, with spaCy's own code (:meth:`spacy.vectors.Vectors.get_batch`: the same
n-grams, rows and mean, hence the same float32 numbers, bit for bit), and then only copies it.
"""

from __future__ import annotations

import numpy as np
from spacy.language import Language
from spacy.vectors import Mode, Vectors

#: Words kept before the cache starts again (100 floats each: 40 MB at most).
MAX_WORDS = 100_000


class CachedFloretVectors(Vectors):
    """A floret :class:`~spacy.vectors.Vectors` whose :meth:`get_batch` reuses the vector of
    every key it computed before (the tok2vec's StaticVectors layer calls nothing else)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._row: dict[int | str, int] = {}  # key -> its row in self._cached
        self._cached: np.ndarray | None = None
        self._empty: set[int | str] = set()  # keys of the empty word

    def __reduce__(self):
        # spaCy pickles Vectors through copyreg, registered for that class only
        return (_unpickle, (self.to_bytes(),))

    def get_batch(self, keys):
        if self.mode != Mode.floret:
            return super().get_batch(keys)
        keys = keys.tolist() if isinstance(keys, np.ndarray) else list(keys)
        row = self._row
        missing = list(dict.fromkeys(k for k in keys if k not in row))
        if missing and len(row) + len(missing) > MAX_WORDS:
            row.clear()
            self._empty.clear()
            self._cached = None
            missing = list(dict.fromkeys(keys))
        if missing:
            for key in missing:
                if (key if isinstance(key, str) else self.strings.as_string(key)) == "":
                    self._empty.add(key)
        if self._empty and self._empty.issuperset(keys):
            return super().get_batch(keys)  # only empty words: spaCy's float64 zeros
        if missing:
            vectors = super().get_batch(missing)
            first = len(row)
            self._grow(first + len(missing), vectors.shape[1])
            self._cached[first : first + len(missing)] = vectors
            for n, key in enumerate(missing, start=first):
                row[key] = n
        return self._cached[[row[k] for k in keys]]

    def _grow(self, size: int, width: int) -> None:
        cached = self._cached
        if cached is not None and cached.shape[0] >= size:
            return
        grown = np.empty((max(size, 2 * (0 if cached is None else cached.shape[0]), 4096), width),
                         dtype=np.float32)  # fmt: skip
        if cached is not None:
            grown[: cached.shape[0]] = cached
        self._cached = grown


def _unpickle(data: bytes) -> CachedFloretVectors:
    return CachedFloretVectors().from_bytes(data)


def cache_floret_vectors(nlp: Language) -> None:
    """Give ``nlp`` the cached table in place of its floret vectors (nothing else changes:
    the same data, settings and strings; serialized as before)."""
    vectors = nlp.vocab.vectors
    if type(vectors) is not Vectors or vectors.mode != Mode.floret:
        return
    cached = CachedFloretVectors(strings=nlp.vocab.strings)
    cached.from_bytes(vectors.to_bytes(exclude=["strings"]))
    nlp.vocab.vectors = cached
