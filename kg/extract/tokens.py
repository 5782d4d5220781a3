"""A Doc's token attributes as plain Python lists, made once per Doc.

Why: every ``doc[i]`` and every step of ``for tok in doc`` makes a new Token object, and the
rule components walk the tokens again and again: on 1,000 corpus abstracts the pipeline made
7.6 M Token objects, and making them cost more than the rules that read them. The columns come
from one :meth:`Doc.to_array` call and slices of :func:`kg.extract.sections.doc_text`; they are
cached in ``doc.user_data`` like the text and the sentence bounds, and dropped when a component
splits tokens (:func:`forget`).
"""

from __future__ import annotations

from typing import NamedTuple

from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, SENT_START, SPACY
from spacy.tokens import Doc

from kg.extract.sections import doc_text

_KEY = "kg_token_table"
_ATTRS = [IDX, LENGTH, SPACY, IS_PUNCT, IS_SPACE, SENT_START]


class TokenTable(NamedTuple):
    """Column ``c[i]`` is token ``i``'s ``c``: the same values as the Token attributes."""

    text: list[str]
    idx: list[int]
    #: ``token.whitespace_ != ""``
    ws: list[bool]
    is_punct: list[bool]
    is_space: list[bool]
    #: ``token.is_sent_start is True`` (None, unknown, reads as False)
    sent_start: list[bool]


def token_table(doc: Doc) -> TokenTable:
    """The columns of ``doc``'s tokens (made on first use, then cached with the Doc)."""
    table = doc.user_data.get(_KEY)
    if type(table) is TokenTable and len(table.text) == len(doc):
        return table
    text = doc_text(doc)
    rows = doc.to_array(_ATTRS).tolist() if len(doc) else []
    idx = [r[0] for r in rows]
    table = TokenTable(
        text=[text[r[0] : r[0] + r[1]] for r in rows],
        idx=idx,
        ws=[r[2] != 0 for r in rows],
        is_punct=[r[3] != 0 for r in rows],
        is_space=[r[4] != 0 for r in rows],
        sent_start=[r[5] == 1 for r in rows],
    )
    doc.user_data[_KEY] = table
    return table


def forget(doc: Doc) -> None:
    """Drop the cached columns (after a retokenization moved the tokens)."""
    doc.user_data.pop(_KEY, None)
