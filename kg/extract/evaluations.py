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
  (``doc.spans["kg_proposed"]``, or the other half of its acronym definition); or such a name
  written where the recognizer did not take it as a span; or, where the paper proposes one
  method or model, "our model"/"the proposed approach" in its place (how these are read:
  :mod:`kg.extract.contribution_mentions`, shared with ``kg_comparisons``);
* the dataset is a Dataset span that the paper does not itself propose;
* the sentence is in the abstract and has a result cue (experiments, results, outperforms,
  achieves, state of the art, ...);
* the dataset (or the list it is in) follows "on", "across", "over", "against", "such as",
  "i.e." or "datasets including", and not a training verb ("trained on", "fine-tuned on": a
  dataset a method is trained on is used for it, not evaluating it) nor "based on"; it names
  no hardware or framework ("on NVIDIA TX2");
* the learned model has not related the two spans already (it wins where it spoke).

What the rule reads, with the sentence as evidence, is "DATASET evaluates CONTRIBUTION"
(SciERC's EVALUATE-FOR direction), extractor ``kg_evaluations``, score :data:`RULE_SCORE`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from spacy.tokens import Doc, Span

from kg.extract.contribution_mentions import LIST_TOKEN, abstract_sentences, contributions

EXTRACTOR = "kg_evaluations"
LABEL = "EVALUATE-FOR"
#: The score of a relation the rule reads: the share of them judged right, blind, in a fresh
#: build (74 of the 81 on 3,000 new abstracts, both judges; BENCHMARKS.md), so a query ranking
#: by score treats them like the learned model's relations of that precision.
RULE_SCORE = 0.9
DATASET_LABELS = frozenset({"Dataset"})

#: A sentence that reports an evaluation.
RESULT_CUE = re.compile(
    r"experiment|result|evaluat|benchmark|outperform|state-of-the-art|state of the art|\bsota\b"
    r"|achiev|surpass|improv|perform|accura|\bscores?\b|\btest",
    re.I,
)
#: What may stand between the preposition and the dataset: other names of a list, commas,
#: "and", articles, counts and the usual adjectives of benchmarks ("on two widely used ...").
LIST_WORDS = frozenset(
    "and or the both several multiple standard popular public publicly available widely used "
    "widely-used challenging large-scale real-world benchmark benchmarks dataset datasets "
    "commonly well-known two three four five six seven eight nine ten".split()
)
_NAME_OR_NUMBER = re.compile(r"[\w\-./]*[A-Z0-9][\w\-./]*")
#: ``examples``: the lead-ins of examples ("such as", "i.e."), whose list may name methods
_PREPOSITION = re.compile(
    r"(?:\b(?:on|across|over|against|(?P<examples>such as|i\.e\.,?|e\.g\.,?|namely))"
    r"|\b(?:datasets?|benchmarks?|corpora),?\s+including)\s*$",
    re.I,
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


def _list_start(before: str) -> int:
    """Where the list that ends ``before`` starts: read back over names, numbers, commas,
    "and" and the words of :data:`LIST_WORDS` ("on the CORD, FUNSD and " -> before "the").
    A loop over tokens, not one regex: a regex of repeated alternatives that may split a name
    ("CIFAR-100") in several ways backtracks exponentially where it fails."""
    start = len(before)
    for token in reversed(list(LIST_TOKEN.finditer(before))):
        word = token.group()
        if (
            word in (",", ";", ":")
            or word.startswith("(")
            or word.lower() in LIST_WORDS
            or _NAME_OR_NUMBER.fullmatch(word)
        ):
            start = token.start()
            continue
        break
    return start


#: "planners such as LAMA", "baselines, e.g., ...": examples of methods, not of benchmarks (a
#: recognizer that types LAMA, a planner there, as the dataset LAMA made "LAMA evaluates
#: Plan4Past" of "... used along with classical planners, such as LAMA").
_METHODS_BEFORE_EXAMPLES = re.compile(
    r"\b(?:planners|solvers|methods|models|baselines|algorithms|approaches|systems|techniques|"
    r"frameworks|architectures|networks|optimizers|learners|agents|classifiers|tools|LLMs)"
    r"[\s,]*$",
    re.I,
)


def _follows_preposition(before: str) -> bool:
    """Does the text before a dataset end in "on"/"across"/... (past a list of names), and
    not in "trained on"?"""
    head = before[: _list_start(before)]
    prep = _PREPOSITION.search(head)
    if prep is None:
        return False
    verb = head[: prep.start()].rstrip()
    if prep.group("examples") and _METHODS_BEFORE_EXAMPLES.search(verb):
        return False
    return _TRAINED.search(verb) is None and _NOT_EVALUATION.search(verb) is None


def evaluation_statements(
    doc: Doc,
    spans: Sequence[Span],
    proposed: Iterable[Span],
    related: Iterable[tuple] = (),
) -> list[tuple]:
    """ "DATASET evaluates CONTRIBUTION" relations of ``doc``: tuples ``(dataset start, end,
    contribution start, end, "EVALUATE-FOR", score, extractor)`` in token offsets, the format
    of ``Doc._.kg_relations`` with the extractor's name added. Where the sentence writes the
    name without the recognizer taking it there, or says "our model" instead (and the paper
    proposes one method or model), the contribution span is those words and an 8th item gives
    the span of the named mention they stand for (the record's ``tail_as``). ``related``: the
    learned model's relations (``Doc._.kg_relations`` tuples): the pairs they join are left
    alone, and a contribution in a conjunction ("AlphaNet and BetaNet") is not what "our
    model" means."""
    if not any(s.label_ in DATASET_LABELS for s in spans):  # most abstracts name no benchmark
        return []
    ours = contributions(doc, spans, proposed, related)
    names, first_of, known = ours.names, ours.first_of, ours.known
    if not names:
        return []
    out = []
    for s0, s1, sentence_start, text in abstract_sentences(doc):
        in_sentence = [s for s in spans if s0 <= s.start and s.end <= s1]
        if not any(s.label_ in DATASET_LABELS for s in in_sentence):
            continue
        named_here = ours.spans_in(in_sentence)
        datasets = [
            s
            for s in in_sentence
            if s.label_ in DATASET_LABELS
            and s.text.lower() not in names
            and not set(s.text.lower().split()) & NOT_BENCHMARKS
        ]
        if not datasets or not (named_here or first_of):
            continue
        if not RESULT_CUE.search(text):
            continue
        anaphor = stands_for = None
        if not named_here:
            found = ours.written_in(doc, text, sentence_start, datasets)
            if found is None:
                continue
            anaphor, stands_for = found
        for dataset in datasets:
            if not _follows_preposition(text[: dataset.start_char - sentence_start]):
                continue
            if anaphor is not None:
                pair = (dataset.start, dataset.end, anaphor.start, anaphor.end)
                out.append(
                    (*pair, LABEL, RULE_SCORE, EXTRACTOR, (stands_for.start, stands_for.end))
                )
                continue
            said: set[str] = set()  # "PERC ... on HumanEval: PERC outperforms": one reading
            for contribution in named_here:
                pair = (dataset.start, dataset.end, contribution.start, contribution.end)
                name = contribution.text.lower()
                if name in said or pair in known:
                    said.add(name)
                    continue
                said.add(name)
                known.add(pair)
                out.append((*pair, LABEL, RULE_SCORE, EXTRACTOR))
    return out
