"""The task a paper's contribution is for, as its title says: "AdaptSim: Task-Driven Simulation
Adaptation for Sim-to-Real Transfer".

The issue asks that the proposed contribution link to the task it addresses: "the row a user
reads first". Abstracts seldom say it in one sentence with both names. On the corpus ``eval``
split, of the 1,909 papers that propose a named method or model and name a task, 172 had a
"contribution used for task" relation. Titles say it in a fixed shape: the contribution's name,
a colon, what it is, "for", the task. The learned relation model reads titles as any sentence
and relates few of them (on the corpus ``judge`` split this rule was written on, 14 of 173 such
pairs). On the ``eval`` split the rule writes 250 relations, and papers whose contribution is
used for a task go from 172 to 398. :func:`title_task_statements` reads exactly that shape:

* the title opens with an entity span of the contribution (a Method or Model the paper proposes,
  :mod:`kg.extract.contribution_mentions`), followed by a colon or a dash: "NAME: ...";
* a Task span after it follows "for" (and "the"/"a"/"an"), or is a later name of the list that
  starts there: "for Reliable Contact Simulation and Human-Robot Interaction";
* the learned model has not related the two already.

The relation is SciERC's USED-FOR ("CONTRIBUTION is used for TASK", ``kg:usedFor``), with the
title as evidence, extractor ``kg_title_tasks`` and score :data:`RULE_SCORE`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from spacy.tokens import Doc, Span

from kg.extract.contribution_mentions import contributions
from kg.extract.sections import doc_text

EXTRACTOR = "kg_title_tasks"
LABEL = "USED-FOR"
#: The score of a relation the rule reads: the share of them judged right, blind, on
#: abstracts the rule was not written on (58 and 56 of 60 drawn from the 250 it writes on the
#: corpus ``eval`` split; the learned model's usedFor-a-task relations in the same sheet: 24
#: and 24 of 30; BENCHMARKS.md), so a query ranking by score treats them like the learned
#: model's relations of that precision.
RULE_SCORE = 0.95
TASK_LABELS = frozenset({"Task"})

#: What follows the contribution's name at the start of a title: "NAME: ...", "NAME - ...".
_NAME_END = re.compile(r"\s*(?::|\s[-\u2013\u2014]\s)")
#: "for", then an article, right before the task.
_FOR = re.compile(r"\bfor\s+(?:(?:the|a|an)\s+)?$", re.I)
#: Between two tasks of one list: "and", a comma, "and the".
_LIST_JOINER = re.compile(r"^\s*(?:,\s*(?:and\s+)?|and\s+|&\s+)(?:(?:the|a|an)\s+)?$", re.I)


def title_task_statements(
    doc: Doc,
    spans: Sequence[Span],
    proposed: Iterable[Span],
    related: Iterable[tuple] = (),
) -> list[tuple]:
    """ "CONTRIBUTION used for TASK" relations of ``doc``'s title: tuples ``(contribution
    start, end, task start, end, "USED-FOR", score, extractor)`` in token offsets, the format of
    ``Doc._.kg_relations`` with the extractor's name added. ``related``: the learned model's
    relations, whose pairs are left alone."""
    if not doc._.has_title:
        return []
    title_end = doc._.abstract_start
    in_title = [s for s in spans if s.end_char <= title_end]
    if not any(s.label_ in TASK_LABELS for s in in_title):
        return []
    ours = contributions(doc, spans, proposed, related)
    opening = [s for s in ours.spans_in(in_title) if s.start == 0]
    if not opening:
        return []
    name = opening[0]
    text = doc_text(doc)[:title_end]
    if not _NAME_END.match(text, name.end_char):
        return []
    out = []
    previous_end = None  # the end of the last task read, for a list after "for"
    for task in sorted((s for s in in_title if s.label_ in TASK_LABELS), key=lambda s: s.start):
        if task.start < name.end:
            continue
        before = text[: task.start_char]
        listed = previous_end is not None and _LIST_JOINER.match(
            text[previous_end : task.start_char]
        )
        if not (_FOR.search(before) or listed):
            previous_end = None
            continue
        previous_end = task.end_char
        pair = (name.start, name.end, task.start, task.end)
        if pair in ours.known:
            continue
        out.append((*pair, LABEL, RULE_SCORE, EXTRACTOR))
    return out
