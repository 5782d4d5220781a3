"""Name-shaped tokens: the way new methods, models and benchmarks are written in 2024-2025 papers.

"Embodied-RAG", "R1-Searcher++", "GPT-4o-mini", "MixLoRA", "Qwen2.5-7B": runs of tokens written
without spaces whose letters are mixed-case or mixed with digits. A trained NER model trained on
2018 SciERC misses most of these, so this component finds them by shape (spaCy token attributes),
and ``kg_entities`` decides their type from context.
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.tokens import Doc, Span, Token

from kg.extract.sections import doc_text
from kg.extract.tokens import token_table

SPANS_KEY = "kg_names"

#: Joiners that may appear inside a name run ("Self-RAG", "Qwen2.5", "RAG+", "R1-Searcher++").
_JOINERS = {"-", ".", "+", "++", "_", "/"}
#: All-caps words that are not names of things.
_NOT_NAMES = {
    "I",
    "II",
    "III",
    "IV",
    "AI",
    "US",
    "UK",
    "EU",
    "OK",
    "TV",
    "PhD",
    "vs",
    "e.g",
    "i.e",
    "et",
    "al",
    "A",
    "AN",
    "THE",
    "OF",
    "IN",
    "ON",
    "AND",
    "FOR",
    "TO",
    "WITH",
}


@lru_cache(maxsize=1 << 16)  # a pure function of the text, asked ~190 times a paper
def is_name_like(text: str) -> bool:
    """Mixed case beyond the first letter, or letters mixed with digits, or an all-caps acronym."""
    letters = [c for c in text if c.isalpha()]
    if not letters or text in _NOT_NAMES or text.rstrip("s") in _NOT_NAMES:
        return False
    if any(c.isdigit() for c in text) and text[0].isupper():
        return True  # "T5", "GPT-4", "R1-Searcher", "Qwen2.5"
    if len(letters) < 2:
        return False
    # an uppercase letter inside a word part; Title-Case hyphenated words ("Locate-Then-Align",
    # "Mixture-of-Experts") are not names by shape alone
    # (words split at spaces too: "Dependent Data" is Title Case, not a name)
    for part in re.split(r"[\s+_-]+", text):
        if any(c.isupper() for c in part[1:]) and not _DIMENSION.fullmatch(part):
            return True
    return False


#: "2D", "3D": a number of dimensions, not a name ("2D images" was a Dataset of 27 corpus papers).
_DIMENSION = re.compile(r"\d+D")


def run_end(tokens: list[Token], i: int) -> int:
    """Index of the last token of the run that starts at ``tokens[i]``: tokens written without
    whitespace ("R1-Searcher++", "Panini-Net" in "Panini-Net, for"), without trailing joiners
    other than "+" and without a possessive."""
    j = i
    while (
        j + 1 < len(tokens)
        and tokens[j].whitespace_ == ""
        and not tokens[j + 1].is_space
        and not tokens[j + 1].is_sent_start
        and (
            tokens[j + 1].text in _JOINERS
            or tokens[j].text in _JOINERS
            or not tokens[j + 1].is_punct
        )
    ):
        j += 1
    # drop trailing joiners except "+" ("RAG+", "R1-Searcher++") and possessives
    while j > i and (tokens[j].text in {"-", ".", "/", "_", "'s", "’s"}):
        j -= 1
    return j


#: What :func:`run_end` drops from the end of a run.
_TRAILING = {"-", ".", "/", "_", "'s", "’s"}


def name_runs(span: Doc | Span) -> list[Span]:
    """Maximal runs of tokens joined without whitespace that look like names.

    The same rules as :func:`run_end` over Tokens, read from the Doc's
    :func:`~kg.extract.tokens.token_table` (the Token objects cost more than the rules)."""
    doc = span if isinstance(span, Doc) else span.doc
    start, stop = (0, len(doc)) if isinstance(span, Doc) else (span.start, span.end)
    table = token_table(doc)
    texts, idx, ws = table.text, table.idx, table.ws
    punct, space, sent_start = table.is_punct, table.is_space, table.sent_start
    text = doc_text(doc)
    runs: list[Span] = []
    i = start
    while i < stop:
        if punct[i] or space[i]:
            i += 1
            continue
        j = i
        while (
            j + 1 < stop
            and not ws[j]
            and not space[j + 1]
            and not sent_start[j + 1]
            and (texts[j + 1] in _JOINERS or texts[j] in _JOINERS or not punct[j + 1])
        ):
            j += 1
        while j > i and texts[j] in _TRAILING:
            j -= 1
        end = j + 1
        start_char, end_char = idx[i], idx[j] + len(texts[j])
        run_text = text[start_char:end_char]
        if run_text.endswith(".") and len(run_text) > 1 and j > i and texts[j] == ".":
            # doc.char_span(start_char, end_char - 1): token-aligned only when the period is a
            # token of its own
            end, run_text = j, run_text[:-1]
        if is_name_like(run_text):
            runs.append(doc[i:end])
        i = j + 1
    return runs
