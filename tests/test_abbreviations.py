"""kg_abbreviations: the rules added after scoring on benchmarks/data/acronyms_dev.jsonl."""

from __future__ import annotations

import pytest

from kg.extract import extract
from kg.extract.abbreviations import expand_digits
from kg.records import Paper


def pairs(nlp, title: str, abstract: str) -> set[tuple[str, str]]:
    ext = next(extract([Paper(title=title, abstract=abstract)], nlp))
    return {(a.short, a.long) for a in ext.acronyms}


def test_closing_parenthesis_glued_to_a_suffix(nlp):
    found = pairs(
        nlp,
        "A title",
        "We study the popular Mixture-of-Expert (MoE)-based LLMs and how they route tokens.",
    )
    assert ("MoE", "Mixture-of-Expert") in found


def test_long_form_does_not_reach_back_across_a_parenthesis(nlp):
    found = pairs(
        nlp,
        "A title",
        "We propose a metric to predict the prompt transferability (regarding (i)), and a "
        "novel PoT approach (namely PANDA) that leverages distillation.",
    )
    assert not any(short == "PANDA" for short, _ in found)


def test_a_description_with_a_count_defines_nothing(nlp):
    # D-A-R-T-s match "Dataset with over 82k instanceS" letter by letter; the graph then
    # labelled the DART dataset, and DARTS with it, "dataset with over 82k instances"
    found = pairs(
        nlp,
        "DART: Open-Domain Structured Data Record to Text Generation",
        "We present DART, an open domain structured DAta Record to Text generation dataset "
        "with over 82k instances (DARTs).",
    )
    assert not any(short == "DARTs" for short, _ in found)


def test_quotes_around_the_long_form_are_dropped(nlp):
    found = pairs(
        nlp,
        "A title",
        "We use a technique we dub 'functional Token Resonance Imaging' (fTRI) on the model.",
    )
    assert found == {("fTRI", "functional Token Resonance Imaging")}


@pytest.mark.parametrize(
    "short, expected", [("C3PO", "CCCPO"), ("AS2", "ASS"), ("MoE", "MoE"), ("A3C", "AAAC")]
)
def test_digits_repeat_the_letter_before_them(short, expected):
    assert expand_digits(short) == expected


def test_digit_short_form_and_quoted_long_form(nlp):
    found = pairs(
        nlp,
        "A title",
        'This leads to "Critical-Layer, Core-Expert, Collaborative Pathway Optimization '
        '(C3PO)". We apply C3PO to two MoE LLMs.',
    )
    assert ("C3PO", "Critical-Layer, Core-Expert, Collaborative Pathway Optimization") in found


def test_capitals_spell_a_short_form_whose_first_letter_is_inside_a_word(nlp):
    found = pairs(
        nlp,
        "A title",
        "To address this, we introduce sPecIalized KnowledgE and Rationale Augmentation "
        "Generation (PIKE-RAG), focusing on specialized knowledge.",
    )
    assert ("PIKE-RAG", "sPecIalized KnowledgE and Rationale Augmentation Generation") in found


@pytest.mark.parametrize(
    "title, short, long",
    [
        ("DUnE: Dataset for Unified Editing", "DUnE", "Dataset for Unified Editing"),
        (
            "KnowPO: Knowledge-aware Preference Optimization for Controllable Knowledge "
            "Selection in Retrieval-Augmented Language Models",
            "KnowPO",
            "Knowledge-aware Preference Optimization",
        ),
        (
            "E3SN: Efficient End-to-End Siamese Network for Video Object Segmentation",
            "E3SN",
            "Efficient End-to-End Siamese Network",
        ),
    ],
)
def test_title_defines_its_short_form(nlp, title, short, long):
    assert (short, long) in pairs(nlp, title, "We evaluate it on two tasks.")


@pytest.mark.parametrize(
    "title",
    [
        "ExpertRAG: Efficient RAG with Mixture of Experts -- Optimizing Context Retrieval",
        "c-TPE: Tree-structured Parzen Estimator with Inequality Constraints",
        "ScalableMap: Scalable Map Learning for Online Long-Range Vectorized HD Map Construction",
        "BANANA: when Behavior ANAlysis meets social Network Alignment",
        "GRAPHMOE: Amplifying Cognitive Depth of Mixture-of-Experts Network",
    ],
)
def test_title_without_a_definition(nlp, title):
    assert pairs(nlp, title, "We evaluate it on two tasks.") == set()


def test_long_form_starts_after_a_dash(nlp):
    found = pairs(
        nlp,
        "A title",
        "We propose a class of convex polytopes\u2013Generalized Submodular Base Polytopes "
        "(GSBPs)\u2013that includes several well-known polytopes.",
    )
    assert ("GSBPs", "Generalized Submodular Base Polytopes") in found


def test_same_acronym_scoped_per_paper(nlp):
    chain = pairs(nlp, "T", "We propose Chain-of-Experts (CoE), a new MoE architecture.")
    comp = pairs(nlp, "T", "This paper introduces the Composition of Experts (CoE), a system.")
    assert chain == {("CoE", "Chain-of-Experts")}
    assert comp == {("CoE", "Composition of Experts")}


@pytest.mark.parametrize(
    ("text", "short", "long"),
    [
        # Schwartz-Hearst alone stops at the shortest match, with letters inside words:
        # "identically distributed", "Policy Optimization", "shortest path"
        (
            "We assume independent and identically distributed (IID) samples.",
            "IID",
            "independent and identically distributed",
        ),
        (
            "The agent is trained with Proximal Policy Optimization (PPO).",
            "PPO",
            "Proximal Policy Optimization",
        ),
        ("We solve the stochastic shortest path (SSP) problem.", "SSP", "stochastic shortest path"),
        # hyphenated words may give one initial or one per part; no extension needed here
        (
            "Our model uses self-supervised learning (SSL) on images.",
            "SSL",
            "self-supervised learning",
        ),
    ],
)
def test_long_form_extends_until_its_initials_spell_the_short_form(nlp, text, short, long):
    assert (short, long) in pairs(nlp, "A title", text)


@pytest.mark.parametrize(
    "text",
    [
        # the letters match, but the "long form" is a variant or a description of the short
        # form, or a URL: no definition (all four were definitions before)
        "We extend the Transformer (Hi-Transformer) to long documents.",
        "We further pre-train BERT (SEC-BERT) on financial filings.",
        "The library is released as SUBMODLIB (https://github.com/decile-team/submodlib).",
        "The dynamics follow Hamiltonian mechanics using an energy function (Hamiltonian) here.",
        # a clause is no long form unless its capitals spell the short form
        "We build DanceFormer, which includes two cascading kinematics-enhanced "
        "transformer-guided networks (called DanTrans).",
    ],
)
def test_a_long_form_containing_the_short_form_or_a_url_is_no_definition(nlp, text):
    assert pairs(nlp, "A title", text) == set()


def test_called_inside_the_parenthesis_leads_in_the_short_form(nlp):
    found = pairs(
        nlp,
        "A title",
        "We present a novel boundary-guided separated attention network (call BSA-Net) for "
        "camouflaged objects, and Interact, Embed, and EnlargE (IEEE) for images.",
    )
    assert ("BSA-Net", "boundary-guided separated attention network") in found
    assert ("IEEE", "Interact, Embed, and EnlargE") in found


def test_a_list_after_a_lead_in_is_no_short_form(nlp):
    # "(i.e., BERT, RoBERTa and ELECTRA)" lists examples: BERT was "defined" as "benchmark on
    # three" by a letter match that skipped most of the long form
    found = pairs(
        nlp,
        "A title",
        "Empirical results on the GLUE benchmark on three backbone models (i.e., BERT, "
        "RoBERTa and ELECTRA) verify the efficacy of our method. Retrieval-augmented "
        "generation (i.e., RAG) helps.",
    )
    assert not any(short == "BERT" for short, _ in found)
    assert ("RAG", "Retrieval-augmented generation") in found


def test_a_short_form_glued_to_the_word_before_its_parenthesis(nlp):
    # "Approach(SAMLA)": the tokenizer keeps "Approach(SAMLA" as one token, so the definition
    # was lost and "Approach(SAMLA" became an entity (179 times in the corpus)
    ext = next(
        extract(
            [
                Paper(
                    title="A title",
                    abstract="We propose a Semantic-Aware Multi-Level Approach(SAMLA) for "
                    "retrieval with Large Language Models(LLMs).",
                )
            ],
            nlp,
        )
    )
    found = {(a.short, a.long) for a in ext.acronyms}
    assert ("SAMLA", "Semantic-Aware Multi-Level Approach") in found
    assert ("LLMs", "Large Language Models") in found
    assert not any("(" in m.text for m in ext.mentions)


@pytest.mark.parametrize(
    ("text", "short", "long"),
    [
        # a 2 between letters reads "to" (none of these was found before)
        ("We train sequence-to-sequence (Seq2Seq) models.", "Seq2Seq", "sequence-to-sequence"),
        ("We study learning to defer (L2D) in classification.", "L2D", "learning to defer"),
        # only where no other reading spells it: A2C repeats its A
        ("We use Advantage Actor Critic (A2C) agents.", "A2C", "Advantage Actor Critic"),
    ],
)
def test_a_digit_between_letters_may_be_a_word(nlp, text, short, long):
    assert (short, long) in pairs(nlp, "A title", text)


def test_a_long_form_starts_after_a_naming_word(nlp):
    found = pairs(
        nlp,
        "A title",
        "We propose a learning framework called Learning to MultiTask (L2MT). We apply "
        "named entity recognition (NER) too.",
    )
    # before: "learning framework called Learning to MultiTask"
    assert ("L2MT", "Learning to MultiTask") in found
    assert ("NER", "named entity recognition") in found  # "named" names nothing there


def test_a_parenthesis_listing_names_defines_nothing(nlp):
    # "(ATIS, GEO)" lists two benchmarks: ATIS was "approaches on four semantic parsing"
    found = pairs(
        nlp,
        "A title",
        "We compare neural approaches on four semantic parsing (ATIS, GEO) benchmarks. We "
        "use stochastic gradient descent (SGD, Robbins 1951).",
    )
    assert not any(short == "ATIS" for short, _ in found)
    assert ("SGD", "stochastic gradient descent") in found
