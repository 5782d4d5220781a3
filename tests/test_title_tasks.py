"""kg_title_tasks: "CONTRIBUTION used for TASK" read from a title "NAME: ... for TASK"."""

from __future__ import annotations

import pytest

from kg.extract import extract
from kg.extract.title_tasks import EXTRACTOR, RULE_SCORE
from kg.records import Paper

ABSTRACT = "We propose Act3D, a manipulation policy transformer that represents the workspace."


def _ruled(nlp, title: str, abstract: str = ABSTRACT) -> set[tuple[str, str]]:
    """The (head, tail) words of the relations the rule reads in ``title``."""
    ext = next(extract([Paper(title=title, abstract=abstract, id="p")], nlp))
    found = set()
    for r in ext.relations:
        if r.extractor == EXTRACTOR:
            head, tail = ext.mentions[r.head], ext.mentions[r.tail]
            assert (r.relation, r.score) == ("usedFor", RULE_SCORE)
            assert head.field == tail.field == "title" and tail.label == "Task"
            found.add((head.text, tail.text))
    return found


def test_pipeline_runs_the_rule_after_the_comparisons(nlp):
    names = nlp.pipe_names
    assert names.index("kg_title_tasks") == names.index("kg_comparisons") + 1


def test_the_contribution_naming_the_title_is_used_for_its_task(nlp):
    found = _ruled(nlp, "Act3D: 3D Feature Field Transformers for Multi-Task Robotic Manipulation")
    assert found == {("Act3D", "Multi-Task Robotic Manipulation")}


@pytest.mark.parametrize(
    ("title", "abstract"),
    [
        # the name does not open the title
        (
            "Learning 3D Feature Field Transformers with Act3D for Robotic Manipulation",
            ABSTRACT,
        ),
        # no colon after the name: the title is a sentence, not "NAME: what it is"
        ("Act3D Learns Robotic Manipulation", ABSTRACT),
        # the task does not follow "for"
        ("Act3D: Robotic Manipulation with 3D Feature Fields", ABSTRACT),
    ],
)
def test_no_relation_where_the_title_does_not_say_it(nlp, title, abstract):
    assert not _ruled(nlp, title, abstract)
