"""Labels in plain casing where a long form spells its acronym in odd capitals
("KnOwledge-Aware proceduraL text understAnding (KOALA)"), and coined names left as written."""

from __future__ import annotations

import pytest

from kg.link.casing import plain_casing
from kg.link.resolve import resolve
from kg.records import AcronymDef, Mention, Paper, PaperExtraction

GIMMICKS = [
    ("KnOwledge-Aware proceduraL text understAnding", "KOALA",
     "Knowledge-Aware procedural text understanding"),
    ("sPecIalized KnowledgE and Rationale Augmentation Generation", "PIKE-RAG",
     "Specialized Knowledge and Rationale Augmentation Generation"),
    ("ContinUal learning method with Backward knowlEdge tRansfer", "CUBER",
     "Continual learning method with Backward knowledge transfer"),
    ("MiXture of Self-specialized Experts", "MiXSE", "Mixture of Self-specialized Experts"),
    ("Exclusive Supermask SubNEtwork Training", "ExSSNeT",
     "Exclusive Supermask Subnetwork Training"),
]  # fmt: skip


@pytest.mark.parametrize(("label", "short", "plain"), GIMMICKS)
def test_odd_capitals_that_spell_the_acronym_are_lowered(label, short, plain):
    assert plain_casing(label, {short}) == plain
    assert plain_casing(label, {"XYZ", short}) == plain  # any of the defined acronyms


NAMES = [
    ("GraphRAG for Question Answering", "GQA"),  # mostly capitals: a coined name
    ("BERTScore based Metric", "BSM"),
    ("Unified Competitive Learning SMoE", "UCL-SMoE"),
    ("DeepMind Control", "DMC"),  # splits into words: Deep|Mind
    ("YouTube Faces", "YTF"),
    ("iPhone", "iP"),  # one word
    ("iPhone app Store", "IAS"),  # i|Phone: "i" is a letter, but its capitals do not spell IAS
    ("KnOwledge-Aware proceduraL Text understAnding", "KOALA"),  # "T" is no letter of KOALA
    ("JiuZhang 2.0", "JZ"),
]


@pytest.mark.parametrize(("label", "short"), NAMES)
def test_coined_names_keep_their_casing(label, short):
    assert plain_casing(label, {short}) == label


def test_no_acronym_no_change():
    assert plain_casing("KnOwledge-Aware proceduraL text understAnding", set()) == (
        "KnOwledge-Aware proceduraL text understAnding"
    )


def _extraction(title: str, long_: str, short: str) -> PaperExtraction:
    text = f"We propose {long_} ({short})."
    start = text.index(long_)
    return PaperExtraction(
        Paper(title=title, abstract=text),
        [
            Mention(
                long_,
                "Task",
                "abstract",
                start,
                start + len(long_),
                text,
                0,
                len(text),
                "ner",
                "proposes",
            ),
            Mention(
                short,
                "Task",
                "abstract",
                text.index(f"({short}") + 1,
                text.index(f"{short})") + len(short),
                text,
                0,
                len(text),
                "ner",
            ),
        ],  # fmt: skip
        [AcronymDef(short, long_, "abstract", start, len(text) - 1, text, 0, len(text))],
    )


def test_resolution_labels_the_entity_in_plain_casing_and_keeps_the_form():
    from kg.rdf.writer import entity_triples

    long_ = "KnOwledge-Aware proceduraL text understAnding"
    exts = [_extraction("KOALA", long_, "KOALA")]
    first, again = resolve(exts), resolve(exts)
    (entity,) = first.entities.values()
    assert entity.label == "Knowledge-Aware procedural text understanding"
    assert entity.id == "knowledge-aware-procedural-text-understanding"  # the IRI is unchanged
    assert long_ in entity.forms and "KOALA" in entity.forms  # nothing lost
    assert entity.forms[long_].rule == "normalized"
    triples = [(str(p), str(o)) for _, p, o in entity_triples(first)]
    alt = {o for p, o in triples if "core#altLabel" in p}
    assert f'"{long_}"' in alt  # N-Triples terms
    assert [o for p, o in triples if "rdf-schema#label" in p] == [f'"{entity.label}"']
    assert [(e.id, e.label, sorted(e.forms)) for e in again.entities.values()] == [
        (entity.id, entity.label, sorted(entity.forms))
    ]
