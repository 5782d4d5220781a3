"""kg_comparisons: "CONTRIBUTION compared with BASELINE" read from a paper's own comparisons."""

from __future__ import annotations

import pytest

from kg.extract import extract
from kg.extract.comparisons import EXTRACTOR, RULE_SCORE
from kg.records import Paper

TITLE = "MPPO: Multi Pair-wise Preference Optimization"
PROPOSAL = "We propose MPPO, a preference optimization method for aligning language models. "


def _extraction(nlp, title: str, abstract: str):
    """The extraction record of one paper, as the build makes it."""
    return next(extract([Paper(title=title, abstract=abstract, id="p")], nlp))


def _compared(nlp, abstract: str, title: str = TITLE) -> dict[frozenset, str]:
    """Each compared pair of the paper (its two ends' words) -> the extractor that read it."""
    ext = _extraction(nlp, title, abstract)
    out = {}
    for r in ext.relations:
        if r.relation == "comparedWith":
            tail = r.tail_as[0] if r.tail_as else ext.mentions[r.tail].text
            out[frozenset({ext.mentions[r.head].text, tail})] = r.extractor
    return out


def test_pipeline_runs_the_rule_right_after_the_evaluations(nlp):
    names = nlp.pipe_names
    assert names.index("kg_comparisons") == names.index("kg_evaluations") + 1


def test_every_named_baseline_of_a_list_is_compared_with_the_contribution(nlp):
    found = _compared(nlp, PROPOSAL + "On MT-Bench, MPPO outperforms DPO, ORPO, and SimPO.")
    for baseline in ("DPO", "ORPO", "SimPO"):
        assert frozenset({"MPPO", baseline}) in found, found
    assert EXTRACTOR in found.values(), found  # the learned model alone reads fewer


def test_rule_relations_carry_their_score_and_sentence(nlp):
    abstract = PROPOSAL + "In experiments, MPPO consistently surpasses the strong SimPO baseline."
    ext = _extraction(nlp, TITLE, abstract)
    ruled = [r for r in ext.relations if r.extractor == EXTRACTOR]
    assert ruled, [(ext.mentions[r.head].text, r.relation) for r in ext.relations]
    for r in ruled:
        head, tail = ext.mentions[r.head], ext.mentions[r.tail]
        assert (r.relation, r.score, tail.text) == ("comparedWith", RULE_SCORE, "MPPO")
        assert head.sentence == tail.sentence and head.sentence.startswith("In experiments")


def test_our_method_stands_for_the_one_proposal_with_its_words_as_evidence(nlp):
    abstract = PROPOSAL + "Empirically, our method is much faster than the RLHF baseline."
    ext = _extraction(nlp, TITLE, abstract)
    ruled = [r for r in ext.relations if r.extractor == EXTRACTOR]
    assert len(ruled) == 1, [(ext.mentions[r.head].text, r.relation) for r in ext.relations]
    r = ruled[0]
    assert (ext.mentions[r.head].text, ext.mentions[r.tail].text) == ("RLHF", "MPPO")
    words, start, end = r.tail_as
    assert words == "our method" and abstract[start:end] == words


def test_baselines_named_before_the_contribution_in_a_compared_with_phrase(nlp):
    found = _compared(nlp, PROPOSAL + "Compared to SimPO and KTO, MPPO needs half the data.")
    assert {frozenset({"MPPO", "SimPO"}), frozenset({"MPPO", "KTO"})} <= set(found), found


@pytest.mark.parametrize(
    "sentence",
    [
        # "SOTA" names no baseline
        "MPPO outperforms the SOTA methods on AlpacaEval.",
        # a version cut off the name
        "MPPO surpasses Med-PaLM 2 on MedQA.",
        # no comparative: the baseline is used, not compared
        "MPPO builds on DPO and trains with fewer samples.",
        # what the contribution is made with, after the comparative
        "MPPO outperforms methods based on DPO.",
        # no name: "existing methods" is no baseline a query can find
        "MPPO outperforms existing methods.",
        # a fragment of a longer name ("DPO-based methods")
        "MPPO outperforms DPO-based methods.",
        # another method between the contribution and the comparative may be the subject
        "MPPO improves vanilla GPT-2 and outperforms DPO.",
        # the baseline before the comparative
        "DPO outperforms the supervised baseline, and MPPO is simpler.",
    ],
)
def test_no_comparison_where_the_sentence_does_not_say_it(nlp, sentence):
    found = _compared(nlp, PROPOSAL + sentence)
    assert EXTRACTOR not in found.values(), found


def test_without_a_proposed_contribution_nothing_is_ruled(nlp):
    found = _compared(
        nlp, "Experiments show that BERT outperforms ELMo and GPT-2.", "A study of encoders"
    )
    assert EXTRACTOR not in found.values(), found


def test_our_model_is_not_read_where_the_paper_proposes_two(nlp):
    found = _compared(
        nlp,
        "We propose AlphaNet and BetaNet. Experiments show that our model outperforms DPO.",
        "Two nets",
    )
    assert EXTRACTOR not in found.values(), found
