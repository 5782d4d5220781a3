"""The rule components of the shipped spaCy pipeline, on concrete sentences."""

from __future__ import annotations

import pytest

from kg.extract import extract
from kg.extract.abbreviations import best_long_form
from kg.extract.names import is_name_like
from kg.records import Paper


def run(nlp, title: str, abstract: str):
    return next(extract([Paper(title=title, abstract=abstract)], nlp))


def span_texts(ext) -> set[str]:
    """Every span kg_entities made, whether the termhood stage kept it or set it aside: the
    tests of the entity rules read these (the termhood stage has tests of its own)."""
    return {m.text for m in [*ext.mentions, *ext.rejected]}


def proposed_texts(ext) -> set[str]:
    return {m.text for m in ext.mentions if m.relation == "proposes"}


def test_pipeline_is_one_config_with_our_factories(nlp):
    for name in (
        "kg_sections",
        "sentencizer",
        "kg_gazetteer",
        "kg_abbreviations",
        "kg_names",
        "kg_proposed",
        "kg_entities",
        "kg_topic_cues",
    ):
        assert name in nlp.pipe_names
    assert nlp.config["components"]["kg_abbreviations"]["factory"] == "kg_abbreviations"


@pytest.mark.parametrize(
    "short, text, expected",
    [
        ("MoE", "For Mixture-of-Experts", "Mixture-of-Experts"),
        ("LLMs", "Large Language Models", "Large Language Models"),
        ("PostPKT", "knowledge transfer as Post-Align PKT", "Post-Align PKT"),
        ("BASE", "a new balanced assignment of experts", "balanced assignment of experts"),
        ("XYZ", "completely unrelated words", None),
    ],
)
def test_schwartz_hearst_long_form(short, text, expected):
    start = best_long_form(short, text)
    assert (text[start:] if start is not None else None) == expected


def test_acronyms_both_directions_and_lead_ins(nlp):
    ext = run(
        nlp,
        "T",
        "Recently, Mixture-of-Experts (short as MoE) architecture has achieved "
        "success. We use MoE (mixture of experts) layers. We call it LaTen (Locate-Then-Align). "
        "We use Low-Rank Adaptation techniques (LoRA) too.",
    )
    pairs = {(a.short, a.long) for a in ext.acronyms}
    assert ("MoE", "Mixture-of-Experts") in pairs
    assert ("MoE", "mixture of experts") in pairs
    assert ("LaTen", "Locate-Then-Align") in pairs
    assert ("LoRA", "Low-Rank Adaptation") in pairs


def test_acronym_offsets_point_into_the_field(nlp):
    abstract = "We study Retrieval-Augmented Generation (RAG) for QA."
    ext = run(nlp, "A title", abstract)
    (acr,) = ext.acronyms
    assert abstract[acr.start : acr.end] == "Retrieval-Augmented Generation (RAG)"


@pytest.mark.parametrize(
    "text", ["Embodied-RAG", "R1-Searcher++", "GPT-4o-mini", "MixLoRA", "T5", "Qwen2.5", "3D-FRONT"]
)
def test_name_shapes(text):
    assert is_name_like(text)


@pytest.mark.parametrize(
    "text",
    ["Locate-Then-Align", "Mixture-of-Experts", "AI", "2024", "the", "Dependent Data", "2D images"],
)
def test_not_name_shapes(text):
    assert not is_name_like(text)


def test_proposed_from_title_and_sentences(nlp):
    ext = run(
        nlp,
        "Embodied-RAG: General non-parametric Embodied Memory for Retrieval and Generation",
        "Within language research, retrieval augmented generation (RAG) has become the "
        "workhouse. To address these challenges, we introduce Embodied-RAG, a framework "
        "that enhances an embodied agent.",
    )
    proposed = proposed_texts(ext)
    assert proposed == {"Embodied-RAG"}
    title_hit = next(m for m in ext.mentions if m.relation == "proposes" and m.field == "title")
    assert (title_hit.start, title_hit.end) == (0, len("Embodied-RAG"))


def test_called_and_novel_patterns(nlp):
    ext = run(
        nlp,
        "Some long title without a colon",
        "We propose a solution called LaTen that aligns spaces. ExpertRAG is a novel "
        "framework that integrates experts.",
    )
    assert proposed_texts(ext) == {"LaTen", "ExpertRAG"}


@pytest.mark.parametrize(
    ("abstract", "proposed"),
    [
        # a naming word followed by a defined long form: the acronym is the name
        (
            "We propose a novel information diffusion prediction model named Memory-enhanced "
            "Sequential Hypergraph Attention Networks (MS-HGAT).",
            {"MS-HGAT"},
        ),
        # capitalised words after the naming word, not just the first one ("Multi")
        (
            "We address these issues by proposing a novel task called Multi-Party Empathetic "
            "Dialogue Generation in this study.",
            {"Multi-Party Empathetic Dialogue Generation"},
        ),
        ("Our model, named Refuel, achieves a new state of the art.", {"Refuel"}),
        # lower-case connectors inside the capitalised name (before: "Learning")
        (
            "We propose a new framework for lifelong learning, called Learning with Selective "
            "Forgetting, which updates a model.",
            {"Learning with Selective Forgetting"},
        ),
        # naming what exists is no proposal; "Named" in a name is no naming word
        (
            "Neural networks use an efficient implementation of reverse differentiation, "
            "called backpropagation (BP).",
            set(),
        ),
        ("We derive bounds for a so-called interval Markov decision process (iMDP).", set()),
        ("This paper presents a Thai Nested Named Entity Recognition corpus.", set()),
    ],
)
def test_naming_words_in_proposals_only(nlp, abstract, proposed):
    ext = run(nlp, "Some long title without a colon", abstract)
    assert proposed_texts(ext) == proposed


def test_the_given_name_wins_over_a_name_inside_the_description(nlp):
    # "GAN" opens the description of what is proposed; "dubbed Panini-Net" names it
    ext = run(
        nlp,
        "Some long title without a colon",
        "In this paper, we propose a novel GAN Prior based degradation-aware feature "
        "interpolation network, dubbed Panini-Net, for face restoration.",
    )
    assert proposed_texts(ext) == {"Panini-Net"}


@pytest.mark.parametrize(
    "title",
    [
        "RAG and RAU: A Survey on Retrieval-Augmented Language Model in Natural Language "
        "Processing",
        "A Survey on Mixture of Experts",
        "Neural Incompatibility: The Unbridgeable Gap of Cross-Scale Parametric Knowledge Transfer",
        "Beyond RAG: Task-Aware KV Cache Compression",
    ],
)
def test_no_proposal_from_survey_or_non_name_titles(nlp, title):
    ext = run(nlp, title, "Large language models are studied. This paper reviews prior work.")
    assert not [m for m in ext.mentions if m.relation == "proposes"]


def test_surveys_propose_nothing_even_with_verbs(nlp):
    ext = run(nlp, "A Survey on Mixture of Experts", "We present MoE-Zoo, a taxonomy of experts.")
    assert not [m for m in ext.mentions if m.relation == "proposes"]


def test_entity_types_and_relations(nlp):
    ext = run(
        nlp,
        "A title",
        "We evaluate GPT-4o and Llama-2 on HotpotQA and the FooBench "
        "benchmark for question answering, reporting exact match.",
    )
    by_text = {m.text: m for m in ext.mentions}
    assert by_text["HotpotQA"].label == "Dataset" and by_text["HotpotQA"].relation == "usesDataset"
    assert by_text["FooBench"].label == "Dataset"
    assert by_text["GPT-4o"].label == "Model"
    assert by_text["question answering"].relation == "addressesTask"
    assert by_text["exact match"].relation == "usesMetric"
    assert "four" not in by_text


def test_mention_offsets_and_sentence_evidence(nlp):
    abstract = "First sentence here. We evaluate on MMLU and GSM8K with care."
    ext = run(nlp, "Title", abstract)
    for m in ext.mentions:
        field = "Title" if m.field == "title" else abstract
        assert field[m.start : m.end] == m.text
        assert field[m.sent_start : m.sent_end] == m.sentence
    assert {"MMLU", "GSM8K"} <= {m.text for m in ext.mentions}


def test_claims_have_quantities(nlp):
    abstract = (
        "Large language models need a lot of memory at inference time. "
        "We propose SlimKV, a method that compresses the key-value cache. "
        "Experiments on four benchmarks show that SlimKV reduces memory by 41% and "
        "outperforms strong baselines."
    )
    ext = run(nlp, "SlimKV: Compressing the Cache", abstract)
    (claim,) = [c for c in ext.claims if "41%" in c.text]
    assert abstract[claim.start : claim.end] == claim.text
    q = claim.quantities[0]
    assert (q.value, q.unit, q.direction) == (41.0, "%", "decrease")
    assert abstract[q.start : q.end] == "41%"


def test_topic_cues_mark_contrasts(nlp):
    ext = run(nlp, "Title", "Unlike RAG, we store knowledge in parameters.")
    rag = [h for h in ext.topic_hits if h.notation == "RAG"]
    assert rag and all(h.contrast for h in rag)


def test_latex_formulas_are_not_entities(nlp):
    """Corpus abstracts carry LaTeX; before the filter the models tagged formulas such as
    "$\\Theta(d)$" as methods (1,814 of 84,114 entities of a 10k-abstract build)."""
    from kg.extract.entities import mostly_math

    abstract = (
        "As a warm-up, we show that the teaching complexity is $\\Theta(d)$ for the exact "
        "teaching of linear perceptrons in $\\mathbb{R}^d$, and $\\Theta(d^k)$ for kernel "
        "perceptron with a polynomial kernel of order $k$. We compare $\\beta$-VAE with "
        "$k$-means clustering."
    )
    texts = span_texts(run(nlp, "The Teaching Dimension of Kernel Perceptron", abstract))
    assert not [t for t in texts if mostly_math(t)], texts
    assert {"$\\Theta(d)$", "$\\Theta(d^k)$", "$\\mathbb{R}^d$"}.isdisjoint(texts)
    assert "$\\beta$-VAE" in texts
    assert "polynomial kernel of order" in texts  # the NER's "... of order $", trimmed
    assert any("perceptron" in t.lower() for t in texts)


@pytest.mark.parametrize(
    ("text", "math"),
    [
        ("$\\Theta(d^2)$", True),
        ("$\\mathcal{C}$", True),
        ("arbitrary Gaussian weight prior ${\\bf", True),  # a span cut through a formula
        ("$\\beta$-VAE", False),
        ("$\\mathcal{H}$-divergence", False),
        ("$F$-score", False),
        ("LoRA", False),
    ],
)
def test_mostly_math(text, math):
    from kg.extract.entities import mostly_math

    assert mostly_math(text) is math


def test_discourse_adverbs_on_average_and_sota_are_not_entities(nlp):
    """Frequent junk in the corpus graph: "Meanwhile" (80 mentions in 10k abstracts),
    "average" as a Metric (130), "state-of-the-art" as a Method (from "(SOTA)")."""
    abstract = (
        "Meanwhile, our method improves accuracy by 3% on average over state-of-the-art (SOTA) "
        "baselines. Remarkably, LoRA matches full fine-tuning on GLUE. Nowadays, RAG is widely "
        "used. Clustering, a classic task, remains hard. Code is at "
        "https://github.com/halquabeh/ACML-2023-FPOGD-Code.git and www.example.org/x."
    )
    texts = {m.text for m in run(nlp, "A title", abstract).mentions}
    assert texts.isdisjoint({"Meanwhile", "Remarkably", "Nowadays", "average", "SOTA"})
    assert "state-of-the-art" not in texts
    assert not [t for t in texts if "github" in t or "www." in t], texts
    assert {"accuracy", "LoRA", "GLUE", "RAG", "Clustering"} <= texts  # a noun before a comma


@pytest.mark.parametrize(
    ("text", "span", "expected"),
    [
        ("bounds on the generalization of the model", (2, 6), "generalization"),
        ("we bound regret and variance", (2, 4), "regret"),
        ("results on the MIMIC data", (1, 4), "MIMIC"),
        ("trained on The Pile today", (2, 4), "The Pile"),
        ("a kernel of order $k$ here", (1, 5), "kernel of order"),
        ("of the", (0, 2), None),
        ("the trade-off between speed", (1, 5), "trade-off"),
        ("we use in-context learning here", (2, 6), "in-context learning"),
        ("the state-of-the art", (0, 6), "state-of-the"),  # attached words stay
    ],
)
def test_trim_drops_function_words_at_the_edges(nlp, text, span, expected):
    from spacy.tokens import Span

    from kg.extract.entities import trim

    doc = nlp.make_doc(text)
    trimmed = trim(Span(doc, *span, label="Method"))
    assert (trimmed.text if trimmed is not None else None) == expected


def test_title_case_is_no_dataset_name_but_a_corpus_name_is(nlp):
    # a title capitalises every word: "Dependent Data" was typed Dataset (an uppercase letter
    # after a space counted as a name shape); "X Corpus (XC)" was no dataset context
    # ("corpus".rstrip("s") is "corpu")
    ext = run(
        nlp,
        "Sample Average Approximation for Stochastic Optimization with Dependent Data",
        "We release the Indian Legal Documents Corpus (ILDC) of court decisions.",
    )
    by_text = {m.text: m for m in [*ext.mentions, *ext.rejected]}  # kept or set aside
    assert by_text["Dependent Data"].label != "Dataset"
    assert by_text["ILDC"].label == "Dataset"
    assert by_text["Indian Legal Documents Corpus"].label == "Dataset"


def test_acronym_types_follow_the_papers_definition_and_exact_case(nlp):
    # the table's "mAP" (a Metric) used to type every "MAP" by folding case; the table's EM
    # (exact match, a Metric) typed a paper's own "expectation maximization (EM)"
    types = {
        (m.text, m.label)
        for m in run(
            nlp,
            "Mixture models",
            "We fit Gaussian mixtures with expectation maximization (EM) and compute the "
            "maximum a posteriori (MAP) estimate. EM converges and MAP inference is fast.",
        ).mentions
    }
    assert ("EM", "Method") in types and ("EM", "Metric") not in types
    assert ("MAP", "Metric") not in types
    detection = run(nlp, "Object detection", "Our detector improves mAP on COCO by 2 points.")
    assert ("mAP", "Metric") in {(m.text, m.label) for m in detection.mentions}
    # a definition that agrees with the table keeps the table's type
    t5 = run(nlp, "Sentence-T5", "We embed sentences with text-to-text transformers (T5).")
    assert ("T5", "Model") in {(m.text, m.label) for m in t5.mentions}


def test_a_verb_before_its_object_is_not_an_entity(nlp):
    # the NER tagged "highlighting" as a Task in "..., highlighting its advantages" (130 corpus
    # papers had a "highlighting" entity)
    texts = {
        m.text
        for m in run(
            nlp,
            "Fast attention",
            "Our model achieves state-of-the-art scores at a much higher speed, highlighting "
            "its advantages. We generate positive samples, highlighting the video frames most "
            "related to the query.",
        ).mentions
    }
    assert "highlighting" not in texts


def test_term_matches_after_a_glued_parenthesis_keep_their_place(nlp):
    # splitting "(anti-)experts" moved the tokens but not the gazetteer's spans, so every term
    # after it was one token early: "operating" became a Model instead of "GPT-3"
    mentions = {
        (m.text, m.label)
        for m in run(
            nlp,
            "Controlled decoding",
            "Our method is effective with (anti-)experts of smaller size, including when "
            "operating on GPT-3. Experiments with BART confirm it.",
        ).mentions
    }
    texts = {text for text, _ in mentions}
    assert ("GPT-3", "Model") in mentions and ("BART", "Model") in mentions
    assert "operating" not in texts and "Experiments" not in texts


def test_a_lone_modifier_is_not_an_entity(nlp):
    # the NER tags one word of a coordination or a predicate alone; "real-world" was an
    # entity of 193 corpus papers, "computational" a Metric of 111 (kg/data/modifiers_mined.tsv)
    texts = {
        m.text.lower()
        for m in run(
            nlp,
            "Fast and Accurate Neural Machine Translation",
            "We propose a fast and accurate approach that reduces the computational and memory "
            "cost of deployment in the real-world. Our decoder is smooth and convex.",
        ).mentions
    }
    assert not texts & {"fast", "computational", "real-world", "smooth", "convex"}


@pytest.mark.parametrize(
    ("abstract", "proposed"),
    [
        # what the proposing clause uses is not what it proposes
        (
            "We design a structured reasoning template and employ Group Relative Policy "
            "Optimization (GRPO) to post-train the model.",
            set(),
        ),
        (
            "We propose a unified learning algorithm based on the expectation maximization "
            "(EM) algorithm.",
            set(),
        ),
        # a compound "-based" is part of the description
        (
            "We propose a general learning-based framework, Reference-guided Image Synthesis "
            "Assessment (RISA), to evaluate images.",
            {"RISA"},
        ),
    ],
)
def test_a_defined_name_the_proposal_uses_is_not_proposed(nlp, abstract, proposed):
    ext = run(nlp, "A title without a name", abstract)
    assert proposed_texts(ext) == proposed


@pytest.mark.parametrize(
    ("title", "abstract", "proposed"),
    [
        # an established term defined inside the proposal is what it builds on: "RL" was
        # proposed by 14 papers of an eval-split build, "Gaussian processes" by 11
        (
            "A title without a name",
            "In this article, we propose a new reinforcement learning (RL) method based on an "
            "actor-critic architecture.",
            set(),
        ),
        ("Deep Gaussian Processes", "In this paper we introduce deep Gaussian process (GP) models.",
         set()),
        (
            "A title without a name",
            "We propose a novel and effective active learning (AL) method called Distribution "
            "Discrepancy and Feature Heterogeneity (DDFH), which considers both.",
            {"DDFH"},
        ),
        # a name run that only opens the defined name: the defined name is proposed
        (
            "A title without a name",
            "We propose LoRA with Reduced Interference (LoRI), a simple yet effective approach.",
            {"LoRI"},
        ),
        # a long form the corpus does not know is a new name, whatever follows it
        (
            "A title without a name",
            "We introduce a new balanced assignment of experts (BASE) layer for training.",
            {"BASE"},
        ),
    ],
)  # fmt: skip
def test_an_established_term_defined_in_a_proposal_is_not_proposed(nlp, title, abstract, proposed):
    assert proposed_texts(run(nlp, title, abstract)) == proposed


@pytest.mark.parametrize(
    ("title", "about"),
    [
        ("Markov Chain Monte Carlo", True),
        ("Markov Chain Monte Carlo Methods", True),
        ("MCMC: Sampling Made Simple", True),
        ("Parallel Markov Chain Monte Carlo", False),  # a variant: proposes the variant
        ("Markov Chain Monte Carlo for Phylogenetics", False),
    ],
)
def test_a_title_that_is_the_name_keeps_an_established_term(nlp, title, about):
    from kg.extract.components.kg_proposed import _title_is_about

    span = nlp.make_doc(title)[:]
    assert _title_is_about(span, "Markov chain Monte Carlo", "MCMC") is about


def test_the_established_threshold_is_the_components_setting(nlp):
    # a pipeline whose kg_proposed counts no long form as established proposes RL again
    from kg.extract.components.kg_proposed import ProposedFinder

    finder = ProposedFinder(nlp, "kg_proposed", "kg.data:termhood_defined.tsv.gz", 10**9)
    from kg.extract.sections import paper_text

    doc = nlp.make_doc(
        paper_text("A title", "We propose a new reinforcement learning (RL) method.")
    )
    for _, component in nlp.pipeline[: nlp.pipe_names.index("kg_proposed")]:
        doc = component(doc)
    texts = {s.text for s in finder(doc).spans["kg_proposed"]}
    assert texts == {"RL"}
    assert not {s.text for s in nlp.get_pipe("kg_proposed")(doc).spans["kg_proposed"]}


def test_a_metric_acronym_before_a_method_noun_is_a_method(nlp):
    # the term table's EM is exact match; "EM algorithm", "EM-based updates" are not
    ext = run(
        nlp,
        "A title",
        "We train with the EM algorithm and EM-based updates. Our reader reaches 85.2 EM.",
    )
    labels = [m.label for m in ext.mentions if m.text == "EM"]
    assert labels == ["Method", "Method", "Metric"]


@pytest.mark.parametrize(
    ("text", "symbol"),
    [
        ("G", True),
        ("L_K", True),
        ("probabilities P_ij", True),
        ("N+1", True),
        ("Merz95", True),
        # norms, the F-score, R^2 and model names stay
        ("L_1", False),
        ("F_1", False),
        ("R^2", False),
        ("Llama2", False),
        ("k-NN", False),
    ],
)
def test_symbols_and_citation_keys_are_no_entities(text, symbol):
    from kg.extract.entities import symbol_or_citation

    assert symbol_or_citation(text) is symbol


def test_a_name_based_adjective_is_the_name(nlp):
    # "LLM-based" and "BERT-based" were entities of 130 and 103 corpus papers, and "We build
    # LLM-based agents" proposed "LLM-based"
    ext = run(
        nlp,
        "Agents",
        "We build LLM-based agents and BERT-based rankers with Transformer-based encoders. "
        "Retrieval-augmented generation helps.",
    )
    texts = {m.text for m in ext.mentions}
    assert {"LLM", "BERT", "Transformer", "Retrieval-augmented generation"} <= texts
    assert not any(t.endswith("-based") for t in texts)
    assert not [m for m in ext.mentions if m.relation == "proposes"]


def test_a_count_before_a_term_is_trimmed(nlp):
    # "six datasets", "3,002 geometry problems": counts made separate entities per number
    texts = span_texts(
        run(
            nlp,
            "A title",
            "We evaluate on six datasets and 3,002 geometry problems, with six million "
            "question-answer pairs.",
        )
    )
    assert {"geometry problems", "question-answer pairs"} <= texts  # "datasets": no term
    assert not any(t[0].isdigit() or t.startswith("six") for t in texts)
