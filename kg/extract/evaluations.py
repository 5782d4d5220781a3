"""Evaluation statements of a paper's own contribution: "Experiments on HotpotQA show that X ...".

The learned relation model (:mod:`kg.extract.relations`) reads SciERC's relations from the
words of one sentence, and SciERC's abstracts (ACL, 1980-2016) rarely name a benchmark: on the
corpus, of the 1,511 abstract sentences that name a dataset and the paper's proposed method
together, it related 211. Yet that sentence is the row a reader wants first ("what is X
evaluated on?", "what is evaluated on nuScenes?"), and its shape is regular: a result cue, the
dataset after "on"/"across"/"over" (often in a list: "on the CORD, FUNSD and Payment
benchmarks"), the contribution named in the same sentence. :func:`evaluation_statements` reads
exactly that, and nothing looser:

* the contribution is a Method or Model span whose text is one the paper proposes
  (``doc.spans["kg_proposed"]``, or the other half of its acronym definition);
* the dataset is a Dataset span that the paper does not itself propose;
* the sentence is in the abstract and has a result cue (experiments, results, outperforms,
  achieves, state of the art, ...);
* the dataset (or the list it is in) follows "on", "across", "over" or "against", and not a
  training verb ("trained on", "fine-tuned on", "pre-trained on": a dataset a method is
  trained on is used for it, not evaluating it);
* the learned model has not related the two spans already (it wins where it spoke).

What the rule reads, with the sentence as evidence, is "DATASET evaluates CONTRIBUTION"
(SciERC's EVALUATE-FOR direction), extractor ``kg_evaluations``, score :data:`RULE_SCORE`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from spacy.tokens import Doc, Span

from kg.extract.sections import all_sentence_bounds, doc_text

EXTRACTOR = "kg_evaluations"
LABEL = "EVALUATE-FOR"
#: The score of a relation the rule reads: the share of them judged right, blind, in a fresh
#: build (41 of the 44 on 3,000 new abstracts, both judges; BENCHMARKS.md), so a query ranking
#: by score treats them like the learned model's relations of that precision.
RULE_SCORE = 0.9
CONTRIBUTION_LABELS = frozenset({"Method", "Model"})
DATASET_LABELS = frozenset({"Dataset"})

#: A sentence that reports an evaluation.
RESULT_CUE = re.compile(
    r"experiment|result|evaluat|benchmark|outperform|state-of-the-art|state of the art|\bsota\b"
    r"|achiev|surpass|improv|perform|accura|\bscores?\b|\btest",
    re.I,
)
#: What may stand between the preposition and the dataset: other names of a list, commas,
#: "and", articles, counts and the usual adjectives of benchmarks ("on two widely used ...").
_LIST_WORDS = (
    r",|;|:|\band\b|\bor\b|\bthe\b|\bboth\b|\bseveral\b|\bmultiple\b|\bstandard\b|\bpopular\b"
    r"|\bpublic(?:ly available)?\b|\bwidely[- ]used\b|\bchallenging\b|\blarge-scale\b"
    r"|\breal-world\b|\bbenchmarks?\b|\bdatasets?\b|\bcommonly used\b|\bwell-known\b"
    r"|\b(?:two|three|four|five|six|seven|eight|nine|ten|\d+)\b|\([^()]*\)"
    r"|[A-Z0-9][\w\-./]*(?: \d[\w.]*)?"
)
_LIST_TAIL = re.compile(rf"(?:(?:{_LIST_WORDS})\s*)*$")
_PREPOSITION = re.compile(
    r"\b(?:on|across|over|against|such as|i\.e\.,?|e\.g\.,?|namely)\s*$", re.I
)
#: "based on TensorFlow", "built on", "relying on": what a method is made with, not tested on.
_NOT_EVALUATION = re.compile(r"\b(?:based|built|relying|rely|relies|depends?|focus\w*)\s*$", re.I)
#: Hardware and software the recognizer types as datasets ("125 FPS on NVIDIA TX2"): a method
#: runs on them, no benchmark evaluates it there.
NOT_BENCHMARKS = frozenset(
    "nvidia tx2 jetson iphone android gpu gpus cpu cpus tpu tpus fpga fpgas raspberry pi "
    "tensorflow pytorch jax keras caffe mxnet cuda arm x86 intel amd mobile smartphone "
    "smartphones edge".split()
)
_TRAINED = re.compile(
    r"\b(?:train\w*|pre-?train\w*|fine-?tun\w*|finetun\w*|distill\w*|learn\w*)\s*$", re.I
)


def contribution_names(doc: Doc, proposed: Iterable[Span]) -> set[str]:
    """The lower-cased names of what the paper proposes, with the other half of each one's
    acronym definition ("Mixture of Word Experts" proposed, "MoWE" then used)."""
    names = {span.text.lower() for span in proposed}
    for long_span, short_span in doc._.acronyms or []:
        pair = {long_span.text.lower(), short_span.text.lower()}
        if pair & names:
            names |= pair
    return names


def _follows_preposition(before: str) -> bool:
    """Does the text before a dataset end in "on"/"across"/... (past a list of names), and
    not in "trained on"?"""
    head = before[: _LIST_TAIL.search(before).start()]
    prep = _PREPOSITION.search(head)
    if prep is None:
        return False
    verb = head[: prep.start()].rstrip()
    return _TRAINED.search(verb) is None and _NOT_EVALUATION.search(verb) is None


def evaluation_statements(
    doc: Doc,
    spans: Sequence[Span],
    proposed: Iterable[Span],
    related: Iterable[tuple[int, int, int, int]] = (),
) -> list[tuple[int, int, int, int, str, float, str]]:
    """ "DATASET evaluates CONTRIBUTION" relations of ``doc``: tuples ``(dataset start, end,
    contribution start, end, "EVALUATE-FOR", score, extractor)`` in token offsets, the format
    of ``Doc._.kg_relations`` with the extractor's name added. ``related``: the span pairs the
    learned model related (either direction), left alone."""
    names = contribution_names(doc, proposed)
    if not names:
        return []
    known = set()
    for h0, h1, t0, t1 in related:
        known.add((h0, h1, t0, t1))
        known.add((t0, t1, h0, h1))
    abstract_start = doc._.abstract_start if doc._.has_title else 0
    full = doc_text(doc)
    out = []
    for s0, s1 in all_sentence_bounds(doc):
        if s1 <= s0 or doc[s0].idx < abstract_start:
            continue
        in_sentence = [s for s in spans if s0 <= s.start and s.end <= s1]
        contributions = [
            s for s in in_sentence if s.label_ in CONTRIBUTION_LABELS and s.text.lower() in names
        ]
        datasets = [
            s
            for s in in_sentence
            if s.label_ in DATASET_LABELS
            and s.text.lower() not in names
            and not set(s.text.lower().split()) & NOT_BENCHMARKS
        ]
        if not contributions or not datasets:
            continue
        sentence_start = doc[s0].idx
        text = full[sentence_start : doc[s1 - 1].idx + len(doc[s1 - 1])]
        if not RESULT_CUE.search(text):
            continue
        for dataset in datasets:
            if not _follows_preposition(text[: dataset.start_char - sentence_start]):
                continue
            said: set[str] = set()  # "PERC ... on HumanEval: PERC outperforms": one reading
            for contribution in contributions:
                pair = (dataset.start, dataset.end, contribution.start, contribution.end)
                name = contribution.text.lower()
                if name in said or pair in known:
                    said.add(name)
                    continue
                said.add(name)
                known.add(pair)
                out.append((*pair, LABEL, RULE_SCORE, EXTRACTOR))
    return out
