"""The shortcuts the rule components take past spaCy's objects give spaCy's own values:
token columns (kg.extract.tokens), span texts sliced from the doc text, and the cached floret
vectors (kg.extract.vectors), bit for bit."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from spacy.vectors import Vectors

from kg.extract.sections import (
    all_sentence_bounds,
    paper_text,
    sentence_bounds,
    sentence_of,
    span_text,
)
from kg.extract.tokens import token_table
from kg.extract.vectors import CachedFloretVectors

TEXTS = [
    paper_text(
        "R1-Searcher++: Incentivizing LLMs (Large Language Models) to Search",
        "We fine-tune Qwen2.5-7B and GPT-4o-mini on MixLoRA.  Results on GAIA, WebWalkerQA, "
        "and HLE show gains of 3.2%.\nModels(LLMs) fail; the MoE)-based router helps (e.g. "
        "in 2D images).",
    ),
    paper_text("", "Short."),
    paper_text("Only a title", ""),
]


@pytest.fixture(scope="module")
def docs(nlp):
    return [nlp(text) for text in TEXTS]


def test_token_table_is_the_token_attributes(docs):
    for doc in docs:
        table = token_table(doc)
        assert table.text == [t.text for t in doc]
        assert table.idx == [t.idx for t in doc]
        assert table.ws == [t.whitespace_ != "" for t in doc]
        assert table.is_punct == [t.is_punct for t in doc]
        assert table.is_space == [t.is_space for t in doc]
        assert table.sent_start == [t.is_sent_start is True for t in doc]
        assert [w.lower() for w in table.text] == [t.lower_ for t in doc]
        assert all_sentence_bounds(doc) == [(s.start, s.end) for s in doc.sents]
        assert token_table(doc) is table  # cached with the doc


def test_span_text_and_sentence_bounds_are_spacys(docs):
    for doc in docs:
        for i in range(len(doc)):
            sent = sentence_of(doc, i)
            assert sentence_bounds(doc, i) == (sent.start, sent.end)
            for j in range(i, min(len(doc), i + 6) + 1):
                assert span_text(doc[i:j]) == doc[i:j].text


def test_cached_floret_vectors_are_spacys(nlp, docs):
    cached = nlp.vocab.vectors
    if not isinstance(cached, CachedFloretVectors):
        pytest.skip("the pipeline has no floret vectors")
    plain = Vectors(strings=nlp.vocab.strings)
    plain.from_bytes(cached.to_bytes(exclude=["strings"]))
    keys = np.concatenate([doc.to_array(cached.attr) for doc in docs])
    for _ in range(2):  # computed, then from the cache
        got, want = cached.get_batch(keys), plain.get_batch(keys)
        assert got.dtype == want.dtype and got.shape == want.shape
        assert got.tobytes() == want.tobytes()
    empty = np.array([nlp.vocab.strings.add("")] * 3, dtype="uint64")
    assert cached.get_batch(empty).tobytes() == plain.get_batch(empty).tobytes()
    again = pickle.loads(pickle.dumps(cached))
    assert type(again) is CachedFloretVectors
    assert again.get_batch(keys).tobytes() == plain.get_batch(keys).tobytes()


def test_termhood_text_cache_follows_the_statistics():
    from kg.extract import termhood

    words = {"graph": (2, 1, 1), "networks": (3, 2, 2)}
    a = termhood.CorpusStats(10, words, {("graph", "networks"): 2})
    b = termhood.CorpusStats(10, {"graph": (9, 1, 1)}, {})
    args = ("graph networks", "Method", "ner", "use ", " for", None, False, "use graph networks")
    first = termhood.feature_values(*args[:5], a, *args[6:])
    again = termhood.feature_values(*args[:5], a, *args[6:])  # from the cache
    other = termhood.feature_values(*args[:5], b, *args[6:])  # other statistics: recomputed
    termhood._text_cache.clear()
    assert list(again.items()) == list(first.items())
    assert list(other.items()) == list(termhood.feature_values(*args[:5], b, *args[6:]).items())
    assert other["min_idf"] != first["min_idf"] and list(first) == list(termhood.FEATURES)
