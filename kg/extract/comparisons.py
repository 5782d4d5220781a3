"""Comparisons of a paper's own contribution with named baselines: "X outperforms BERT and T5".

"What is MoE-X compared with?" is a question the issue names, and an abstract answers it in
one regular sentence: the contribution, a comparative ("outperforms", "surpasses", "compares
favorably with", "is faster than", "improves over", "compared with"), the baselines. The
learned relation model, trained on SciERC's 1980-2016 ACL abstracts, misses many of them and
is less sure of those it reads: on the corpus ``eval`` split (9,796 abstracts; the rule was
written on the ``judge`` split) blind judges found 26 and 27 of 42 of its comparisons right,
and 34 and 33 of the 38 this rule adds (23 of 23 where the contribution is an entity span in
the sentence); papers whose own contribution is compared with something went from 198 to 217.
:func:`comparison_statements` reads exactly that shape, and nothing looser:

* the contribution is the paper's own method or model, written one of the three ways of
  :mod:`kg.extract.contribution_mentions` (its span, its name, or "our model" when the paper
  proposes one thing), before the comparative within :data:`MAX_GAP_BEFORE` characters, with
  no other method between the two ("X improves vanilla PLMs and outperforms ...": what
  outperforms is not sure); a negation is no exception ("X does not outperform GPT-4" still
  compares the two);
* the baseline is a Method or Model span after the comparative, within
  :data:`MAX_GAP_AFTER` characters (or, in "Compared with A and B, X ...", before the first
  comma, the contribution right after it), that the paper does not propose, and looks like
  a name (a capital or a digit, and more than "SOTA": "outperforms existing methods" or "the
  SOTA methods" names no baseline);
* between the comparative and the baseline only the words of a list of baselines
  (:data:`BETWEEN_WORDS`: "the strong", "existing methods such as", names, commas, "and"):
  "outperforms methods based on BERT" does not compare with BERT;
* the baseline span is not cut from a longer phrase: the word after it is punctuation, a
  preposition or a head noun such as "baseline" (:data:`AFTER_WORDS`), not "-based",
  "cache" ("KV cache compression": the recognizer took "KV") or a version ("Med-PaLM 2");
* the learned model has not related the two spans already (it wins where it spoke).

The relation is SciERC's COMPARE (``kg:comparedWith``, symmetric), with the sentence as
evidence, extractor ``kg_comparisons`` and score :data:`RULE_SCORE`. It is written
baseline-first, so that where the contribution is the words "our model", they are the tail
and the record's ``tail_as`` names the mention they stand for, as for ``kg_evaluations``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from spacy.tokens import Doc, Span

from kg.extract.contribution_mentions import (
    CONTRIBUTION_LABELS,
    LIST_TOKEN,
    abstract_sentences,
    contributions,
)

EXTRACTOR = "kg_comparisons"
LABEL = "COMPARE"
#: The score of a relation the rule reads: the share of them judged right, blind, on
#: abstracts the rule was not written on (34 and 33 of the 38 on the corpus ``eval`` split;
#: BENCHMARKS.md), so a query ranking by score treats them like the learned model's relations
#: of that precision.
RULE_SCORE = 0.88
#: How far (characters) the comparative may follow the end of the contribution's name:
#: "X, trained on Y, consistently outperforms"; further, the subject may be another.
MAX_GAP_BEFORE = 60
#: How far the baseline may follow the comparative: a list of several baselines.
MAX_GAP_AFTER = 100

#: The comparative: a verb or phrase that says the contribution was measured against another
#: method and came out ahead (or behind: "is slower than" still compares the two).
COMPARATIVE = re.compile(
    r"\b(?:outperform\w*|surpass\w*|beat(?:s|ing)?|superior to"
    r"|compares? favou?rably (?:to|with|against)"
    r"|(?:better|stronger|faster|slower|higher|lower|more \w+|less \w+)\s+(?:\w+\s+){0,3}?than"
    r"|improv(?:es|ed|ing) (?:up)?on|improv(?:es|ed|ing|ements?) over"
    r"|(?:gains?|speed-?ups?|advantages?)\s+over"
    r"|compared (?:to|with)|in comparison (?:to|with)|relative to|as opposed to)\b",
    re.I,
)
#: A phrase that opens a sentence with the baselines: "Compared with A and B, our model ...".
FRONTED = re.compile(r"\s*(?:compared (?:to|with)|in comparison (?:to|with)|relative to)\s", re.I)
#: The words of a list of baselines between the comparative and one of its names.
BETWEEN_WORDS = frozenset(
    """and or both the a an its all other many several strong stronger existing previous prior
    recent current competitive popular leading standard vanilla original conventional
    traditional classical state-of-the-art sota well-known widely-used widely used
    representative powerful state of art baseline baselines method methods model models
    approach approaches algorithm algorithms technique techniques system systems architecture
    architectures network networks framework frameworks such as including like e.g. e.g., i.e.
    namely even significantly substantially considerably consistently clearly greatly largely
    notably markedly dramatically remarkably also further much far strongly""".split()
)
#: What may follow a baseline's span when the span is the whole name: a preposition or
#: conjunction, or the head noun of "the BERT baseline" (lower-case words only; punctuation,
#: capitals and the end of the sentence always may).
AFTER_WORDS = frozenset(
    """and or by on in at across with for while when which that baseline baselines model models
    method methods approach approaches algorithm algorithms counterpart counterparts variant
    variants technique techniques system systems framework frameworks architecture
    architectures network networks family alone""".split()
)
#: Capitals that name no baseline: "outperforms the SOTA methods" compares with all of them.
GENERIC_NAMES = frozenset({"sota", "sotas", "soa", "sots"})
_NAME = re.compile(r"[\w\-./+]*[A-Z0-9][\w\-./+]*")
_HAS_NAME_SHAPE = re.compile(r"[A-Z0-9]")
_NEXT_WORD = re.compile(r"\s*([A-Za-z][\w-]*|\S)?")


def _lists_baselines(between: str) -> bool:
    """Are the words between the comparative and a baseline those of a list of baselines?"""
    for token in LIST_TOKEN.finditer(between):
        word = token.group()
        if word in (";", ":"):
            return False
        if (
            word == ","
            or word.startswith("(")
            or word.lower() in BETWEEN_WORDS
            or _NAME.fullmatch(word)
        ):
            continue
        return False
    return True


def _names_one(text: str) -> bool:
    """Is a baseline's text a name ("BERT", "Group Lasso", "SOTA early exiting methods"), not
    words that stand for any ("SOTA methods", "existing models", "(SOTA) approaches")?"""
    if not _HAS_NAME_SHAPE.search(text):
        return False
    words = re.findall(r"[\w-]+", text.lower())
    return not all(w in BETWEEN_WORDS or w in GENERIC_NAMES for w in words)


def _whole_name(after: str) -> bool:
    """Does the baseline span end where its name ends (``after``: the sentence after it)?"""
    word = _NEXT_WORD.match(after).group(1) or ""
    # "sparse-LiDAR" of "sparse-LiDAR-based", "PCA" of "PCA + SVM", "Med-PaLM" of "Med-PaLM 2"
    if word in ("-", "+", "/") or word[:1].isdigit():
        return False
    return not (word[:1].islower() and word.lower() not in AFTER_WORDS)


def comparison_statements(
    doc: Doc,
    spans: Sequence[Span],
    proposed: Iterable[Span],
    related: Iterable[tuple] = (),
) -> list[tuple]:
    """ "BASELINE compared with CONTRIBUTION" relations of ``doc``: tuples ``(baseline start,
    end, contribution start, end, "COMPARE", score, extractor)`` in token offsets, the format
    of ``Doc._.kg_relations`` with the extractor's name added; where the contribution is
    written without its span (its name elsewhere, or "our model"), an 8th item gives the span
    of the mention the words stand for. ``related``: the learned model's relations, whose
    pairs are left alone."""
    ours = contributions(doc, spans, proposed, related)
    if not ours.names:
        return []
    out = []
    for s0, s1, sentence_start, text in abstract_sentences(doc):
        if not COMPARATIVE.search(text) and not FRONTED.match(text):
            continue
        in_sentence = [s for s in spans if s0 <= s.start and s.end <= s1]
        others = [
            s
            for s in in_sentence
            if s.label_ in CONTRIBUTION_LABELS and s.text.lower() not in ours.names
        ]
        if not others:
            continue
        anchors = [(s, None) for s in ours.spans_in(in_sentence)]
        if not anchors:
            found = ours.written_in(doc, text, sentence_start, in_sentence)
            if found is None:
                continue
            anchors = [found]
        fronted = FRONTED.match(text)
        said: set[tuple[str, str]] = set()  # one reading of a (contribution, baseline) pair
        for anchor, stands_for in anchors:
            for baseline in _compared_baselines(text, sentence_start, anchor, others, fronted):
                pair = (baseline.start, baseline.end, anchor.start, anchor.end)
                reading = (anchor.text.lower(), baseline.text.lower())
                if pair in ours.known or reading in said:
                    continue
                said.add(reading)
                if stands_for is None:
                    out.append((*pair, LABEL, RULE_SCORE, EXTRACTOR))
                else:
                    out.append(
                        (*pair, LABEL, RULE_SCORE, EXTRACTOR, (stands_for.start, stands_for.end))
                    )
    return out


def _compared_baselines(
    text: str,
    sentence_start: int,
    anchor: Span,
    others: Sequence[Span],
    fronted: re.Match | None,
) -> list[Span]:
    """The baselines of ``others`` a sentence ``text`` compares the contribution ``anchor``
    with: after a comparative that follows the contribution ("X outperforms A and B"), or
    before it, in a phrase that opens the sentence ("Compared with A and B, X ...")."""
    anchor_start = anchor.start_char - sentence_start
    anchor_end = anchor.end_char - sentence_start
    if fronted is not None and anchor_start > fronted.end():
        # "Compared with A and B, our model ...": the baselines up to the first comma, the
        # contribution right after it
        comma = text.find(",", fronted.end())
        if comma < 0 or not 0 <= anchor_start - comma <= MAX_GAP_BEFORE:
            return []
        return _listed(text, sentence_start, fronted.end(), comma, others)
    comparative = next((c for c in COMPARATIVE.finditer(text, anchor_end)), None)
    if comparative is None or comparative.start() - anchor_end > MAX_GAP_BEFORE:
        return []
    if any(anchor_end <= o.start_char - sentence_start < comparative.start() for o in others):
        return []  # another method between the two may be what outperforms
    end = comparative.end() + MAX_GAP_AFTER
    return _listed(text, sentence_start, comparative.end(), end, others)


def _listed(
    text: str, sentence_start: int, start: int, end: int, others: Sequence[Span]
) -> list[Span]:
    """The spans of ``others`` that start in ``text[start:end]`` as names of a list of
    baselines: name-shaped, only list words before them, not cut from a longer name."""
    out = []
    for baseline in others:
        b0 = baseline.start_char - sentence_start
        if not start <= b0 <= end:
            continue
        if not _names_one(baseline.text):
            continue
        if not _lists_baselines(text[start:b0]):
            continue
        if not _whole_name(text[baseline.end_char - sentence_start :]):
            continue
        out.append(baseline)
    return out
