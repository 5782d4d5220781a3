"""Topic cues (patterns, names, proposals, contrasts) and topic scoring on concrete texts."""

from __future__ import annotations

import pytest

from kg.extract import extract
from kg.extract.components.kg_topic_cues import TOKEN_PATTERNS, cue_form
from kg.lexicon.scheme import ancestors, load_scheme
from kg.link.topics import SUBJECT_THRESHOLD, score_paper
from kg.records import Paper, TopicHit


def hits_of(nlp, title: str, abstract: str) -> list[TopicHit]:
    (ext,) = extract([Paper(title=title, abstract=abstract)], nlp)
    return ext.topic_hits


def scores(nlp, title: str, abstract: str) -> dict[str, float]:
    return {a.topic: a.score for a in score_paper("p", hits_of(nlp, title, abstract))}


def subjects(nlp, title: str, abstract: str) -> set[str]:
    return {t for t, s in scores(nlp, title, abstract).items() if s >= SUBJECT_THRESHOLD}


def hit(notation: str, field: str = "abstract", sentence: int = 1, **kw) -> TopicHit:
    return TopicHit(notation, field, sentence, kw.pop("contrast", False), "x", **kw)


# --- scoring arithmetic (no pipeline) ---------------------------------------------------------


def test_property_words_count_half_a_sentence():
    """ "Interpretable" or "explainability" alone is usually a side property of what a paper
    builds: three sentences of it are not enough, one with "explanations" among them is."""

    def cue(sentence: int, text: str) -> TopicHit:
        return TopicHit("Interpretability", "abstract", sentence, False, text, form=text)

    words = ("interpretable", "interpretability", "explainable")
    only = [cue(k, w) for k, w in zip((1, 3, 5), words, strict=True)]
    assert not any(a.is_subject for a in score_paper("p", only))
    mixed = [cue(1, "explanations"), cue(3, "interpretable"), cue(5, "feature attribution")]
    assert score_paper("p", mixed)[0].is_subject
    title = [TopicHit("Interpretability", "title", 0, False, "Interpretability")]
    assert score_paper("p", title)[0].is_subject  # the noun in the title names the subject


def test_a_knowledge_base_as_a_source_of_facts_is_not_the_kg_topic():
    def cue(sentence: int, text: str) -> TopicHit:
        return TopicHit("KnowledgeGraphs", "abstract", sentence, False, text, form=text)

    source = [cue(2, "knowledge base"), cue(3, "knowledge base"), cue(6, "Wikidata")]
    assert not any(a.is_subject for a in score_paper("p", source))
    kg = [cue(2, "knowledge graph"), cue(3, "knowledge base"), cue(6, "knowledge graph")]
    assert score_paper("p", kg)[0].is_subject


def test_one_or_two_plain_abstract_sentences_are_not_enough_three_are():
    assert not any(a.is_subject for a in score_paper("p", [hit("RAG", sentence=2)]))
    two = [hit("RAG", sentence=2), hit("RAG", sentence=4)]
    assert not any(a.is_subject for a in score_paper("p", two))
    three = [*two, hit("RAG", sentence=5)]
    assert [a.topic for a in score_paper("p", three) if a.is_subject] == ["RAG"]


def test_repeats_in_one_sentence_count_once():
    same = [hit("MoE", sentence=3) for _ in range(5)]
    assert not any(a.is_subject for a in score_paper("p", same))


def test_title_and_proposed_name_are_each_enough():
    assert score_paper("p", [hit("PEFT", field="title", sentence=0)])[0].is_subject
    assert score_paper("p", [hit("PEFT", in_name=True)])[0].is_subject


def test_the_opening_sentence_tips_two_sentences_over():
    two = [hit("RAG", sentence=2), hit("RAG", sentence=4)]
    assert score_paper("p", [*two, hit("RAG", sentence=0)])[0].is_subject


def test_two_sentences_with_two_different_wordings_are_enough():
    same = [hit("Hallucination", sentence=s, form="truthful") for s in (2, 4)]
    assert not any(a.is_subject for a in score_paper("p", same))
    two = [hit("Hallucination", sentence=2, form="truthful"), hit("Hallucination", sentence=4)]
    two[1] = TopicHit("Hallucination", "abstract", 4, False, "factuality", form="factuali")
    assert score_paper("p", two)[0].is_subject
    # a cue inside a longer cue of the same sentence is not a wording of its own
    nested = [
        TopicHit("Hallucination", "abstract", 2, False, "factually", form="factual"),
        TopicHit("Hallucination", "abstract", 2, False, "x", form="factual incorre"),
        TopicHit("Hallucination", "abstract", 5, False, "x", form="factual incorre"),
    ]
    assert not any(a.is_subject for a in score_paper("p", nested))


def test_cue_form_ignores_case_plural_and_endings():
    assert cue_form("Hallucinations") == cue_form("hallucination")
    assert cue_form("distilling") == cue_form("distillation")
    assert cue_form("Mixture-of-Experts") == cue_form("mixture of experts")
    assert cue_form("truthfulness") != cue_form("factuality")


def test_contrast_in_the_title_outweighs_the_abstract():
    abstract = [hit("RAG", sentence=i) for i in range(6)]
    beyond = hit("RAG", field="title", sentence=0, contrast=True)
    assert not any(a.is_subject for a in score_paper("p", [beyond, *abstract]))
    assert any(a.is_subject for a in score_paper("p", abstract))


def test_narrower_cues_count_for_broader_topics():
    scheme = load_scheme()
    assert ancestors("ModelEditing", scheme) == ["KnowledgeEditing"]
    # search agents retrieve: the guidelines give them RAG and Agents
    assert set(ancestors("AgenticSearch", scheme)) == {"Agents", "RAG"}
    topics = {a.topic for a in score_paper("p", [hit("AgenticSearch", field="title", sentence=0)])}
    assert {"AgenticSearch", "Agents", "RAG"} <= topics


def test_display_names_are_not_cues_but_their_labels_are():
    reasoning = load_scheme()["Reasoning"]
    assert "reasoning" not in reasoning.folded_cues
    assert "complex reasoning" in reasoning.folded_cues


def test_token_patterns_name_known_topics():
    scheme = load_scheme()
    assert set(TOKEN_PATTERNS) <= set(scheme)


# --- the component on real text ---------------------------------------------------------------


@pytest.mark.parametrize(
    "phrase",
    [
        "Mixture of Monosemantic Experts",
        "mixture of LoRA experts",
        "Mixture-of-Latent-Experts",
        "Mixture of Low-Rank Adaptation Experts",
        "Mixture-of-Rank-1-Experts",
    ],
)
def test_mixture_of_some_experts_is_moe(nlp, phrase):
    found = hits_of(nlp, f"{phrase} for transformers", "We study it.")
    assert any(h.notation == "MoE" and h.field == "title" for h in found)


def test_cues_inside_names(nlp):
    found = hits_of(nlp, "MixLoRA and LoRAMoE compared", "We compare ExpertRAG with AdapterSwap.")
    by_text = {(h.text, h.notation) for h in found}
    assert {("MixLoRA", "PEFT"), ("LoRAMoE", "PEFT"), ("LoRAMoE", "MoE")} <= by_text
    assert {("ExpertRAG", "RAG"), ("AdapterSwap", "PEFT")} <= by_text


def test_words_that_merely_contain_an_acronym_are_not_cues(nlp):
    found = hits_of(nlp, "DRAGON and MoErging on LoRAs", "We use RAGs sparingly.")
    notations = {(h.text, h.notation) for h in found}
    assert not any(n == "RAG" for t, n in notations if t == "DRAGON")
    assert ("MoErging", "MoE") not in notations  # MoErging is a model-merging name
    assert ("LoRAs", "PEFT") in notations  # plural of a name


def test_proposed_name_and_its_sentence_are_marked(nlp):
    found = hits_of(
        nlp,
        "FooNet: cheaper inference",
        "Language models are large. We propose FooNet, a retrieval-augmented model with "
        "adapters. It is fast.",
    )
    rag = [h for h in found if h.notation == "RAG"]
    assert rag and all(h.proposal and h.own for h in rag)
    assert not any(h.proposal for h in found if h.sentence != 1)


def test_long_form_of_a_proposed_acronym_is_part_of_the_name(nlp):
    found = hits_of(
        nlp,
        "Better routing",
        "We propose Mixture of LoRA Experts (MoLE), a new layer. MoLE is fast.",
    )
    assert any(h.notation == "MoE" and h.in_name for h in found)
    assert "MoE" in subjects(nlp, "Better routing", "We propose Mixture of LoRA Experts (MoLE).")


def test_injecting_knowledge_pattern(nlp):
    found = hits_of(nlp, "Injecting Domain-Specific Knowledge into Language Models", "A survey.")
    assert any(h.notation == "KnowledgeInjection" and h.field == "title" for h in found)


def test_passing_contrast_in_the_abstract_is_not_a_subject(nlp):
    s = subjects(nlp, "Parametric memories", "Unlike RAG, we store knowledge in parameters.")
    assert "RAG" not in s


def test_beyond_rag_title(nlp):
    s = subjects(
        nlp,
        "Beyond RAG: Task-Aware KV Cache Compression",
        "Retrieval-augmented generation (RAG) is costly. RAG retrieves passages. We compress "
        "the KV cache instead of RAG. Our method beats RAG baselines.",
    )
    assert "RAG" not in s


def test_bare_reasoning_in_the_abstract_is_not_enough_but_the_title_is(nlp):
    abstract = "Attention heads matter for reasoning. We review reasoning and memory heads."
    assert "Reasoning" not in subjects(nlp, "Attention heads: a survey", abstract)
    lm = "We study large language models."
    assert "Reasoning" in subjects(nlp, "Application-Aware Reasoning with retrieval", lm)


def test_reasoning_in_the_title_of_a_paper_without_a_language_model_is_not_the_topic(nlp):
    """The display name is field-bound like the topic's other ordinary words: a video network's
    "Spatio-Temporal Reasoning" or a tree learner's "Reasoning-Based Learning" is not reasoning
    by a language model; nor is automated theorem proving with graph networks."""
    abstract = "We propose a graph network for video question answering. It beats baselines."
    assert "Reasoning" not in subjects(nlp, "Spatio-Temporal Reasoning for Video QA", abstract)
    prover = "We study automated theorem proving with graph networks. Theorem proving is hard."
    assert "Reasoning" not in subjects(nlp, "Graph Representations for Theorem Proving", prover)
    llm = "We study automated theorem proving with large language models. It is hard."
    assert "Reasoning" in subjects(nlp, "Language Models for Theorem Proving", llm)


def test_words_of_other_senses_are_not_cues(nlp):
    """Relation extraction is information extraction (a KG only when one is built); "KD-trees"
    are k-d trees; an image generator without text is not multimodal."""
    found = hits_of(
        nlp,
        "Region-Aware Relation Extraction",
        "We extract relations between entities. Relation extraction benefits from layout. "
        "We store points in KD-trees. Our model improves image generation and image synthesis.",
    )
    assert not {h.notation for h in found} & {"KnowledgeGraphs", "KnowledgeDistillation"}
    assert not any(h.notation == "Multimodal" for h in found)
    kd = hits_of(nlp, "Compact students", "We apply KD-based training. KD helps.")
    assert any(h.notation == "KnowledgeDistillation" for h in kd)


def test_faithful_explanations_are_not_hallucination(nlp):
    found = hits_of(
        nlp,
        "Evaluating explanations of language models",
        "We test whether explanations of LLMs are faithful. Faithfulness of rationales varies. "
        "LLM summaries are often unfaithful to the source.",
    )
    hall = [h for h in found if h.notation == "Hallucination"]
    assert [h.sentence for h in hall] == [2]


def test_continual_in_a_title_is_continual_learning_but_not_for_model_editing(nlp):
    abstract = "We extract relations from new data as it arrives. Results are strong."
    assert "ContinualLearning" in subjects(nlp, "Continual Relation Extraction", abstract)
    assert "ContinualLearning" not in subjects(nlp, "A study of relations", "Continual gains.")
    editing = "We edit facts in language models one after another."
    assert "ContinualLearning" not in subjects(nlp, "Lifelong Model Editing at Scale", editing)


def test_llm_powered_agents_and_vla_models_are_cues(nlp):
    found = hits_of(
        nlp,
        "Agent teams",
        "We build LLM-powered agents. GPT-4 agents collaborate. We train a VLA model.",
    )
    agents = [h.sentence for h in found if h.notation == "Agents"]
    assert agents == [0, 1]
    assert any(h.notation == "Multimodal" and h.text == "VLA" for h in found)


def test_retrieval_augmented_retrieval_is_not_rag(nlp):
    found = hits_of(nlp, "Retrieval Augmented Retrieval", "A retrieval-augmented retriever.")
    assert not any(h.notation == "RAG" for h in found)
    rag = hits_of(nlp, "Better RAG retrieval", "We improve RAG retrieval for language models.")
    assert any(h.notation == "RAG" for h in rag)


def test_shap_is_an_interpretability_cue(nlp):
    found = hits_of(nlp, "On Shapley values", "We compute SHAP values of tree models.")
    assert any(h.notation == "Interpretability" and h.text == "SHAP" for h in found)


def test_acronym_and_long_form_are_one_wording(nlp):
    found = hits_of(
        nlp,
        "Scaling language models",
        "We train a Mixture-of-Experts (MoE) model. The MoE model is large.",
    )
    moe = {h.form for h in found if h.notation == "MoE" and h.text in ("Mixture-of-Experts", "MoE")}
    assert moe == {cue_form("MoE")}


def test_these_heads_refer_back_to_attention_heads(nlp):
    abstract = (
        "Language models recall dates. We find attention heads that store time. "
        "Disabling these heads hurts recall. We edit the values of these heads."
    )
    found = hits_of(nlp, "Where models recall time", abstract)
    back = [h for h in found if h.notation == "Interpretability" and h.text == "these heads"]
    assert {h.sentence for h in back} == {2, 3}
    assert "Interpretability" in subjects(nlp, "Where models recall time", abstract)
    # without the multi-word cue before them, "these heads" are nothing
    plain = "Models have many parts. Disabling these heads hurts. We prune these heads."
    assert not any(h.notation == "Interpretability" for h in hits_of(nlp, "Pruning", plain))


def test_incremental_and_lifelong_learning_need_forgetting(nlp):
    """Continual learning is learning a sequence *without forgetting*: "incremental learning" of
    a boosted tree or a tracker, a bandit's "lifelong learning" over a "sequence of tasks" are
    not it; the same words in a paper about forgetting are."""
    online = (
        "We study incremental learning of decision trees from a data stream. "
        "Our incremental learning method updates the tree in constant time. "
        "Lifelong learning agents transfer knowledge over a sequence of tasks."
    )
    assert "ContinualLearning" not in subjects(nlp, "Boosting trees online", online)
    assert "ContinualLearning" not in subjects(nlp, "Incremental Learning for Tracking", online)
    forgetting = online + " Without care, the model suffers catastrophic forgetting."
    assert "ContinualLearning" in subjects(nlp, "Boosting trees online", forgetting)
    ner = "New entity types arrive over time. Models forget old entity types. We fix this."
    assert "ContinualLearning" in subjects(nlp, "Federated Incremental NER", ner)


def test_untruthful_output_is_a_cue_and_faithful_and_interpretable_is_not(nlp):
    found = hits_of(
        nlp,
        "Probing quirky language models",
        "Language models give untruthful answers. The reasoning is faithful and interpretable.",
    )
    hall = [h for h in found if h.notation == "Hallucination"]
    assert [(h.sentence, h.text) for h in hall] == [(0, "untruthful")]


def test_teacher_and_student_with_any_model_noun_are_distillation_cues(nlp):
    found = hits_of(
        nlp,
        "Knowledge inheritance",
        "Teacher PLMs supervise training. The student network is small. A teacher policy acts.",
    )
    kd = [h.sentence for h in found if h.notation == "KnowledgeDistillation"]
    assert kd == [0, 1, 2]


def test_image_to_text_models_are_multimodal(nlp):
    found = hits_of(nlp, "Reading charts", "Small image-to-text models read visual documents.")
    assert {h.text for h in found if h.notation == "Multimodal"} == {
        "image-to-text",
        "visual documents",
    }


def test_external_knowledge_in_a_title_is_one_sentence_not_a_title_cue(nlp):
    abstract = "We score essays with discourse features. A linear classifier gives the score."
    title = "Automated Essay Scoring Using Discourse External Knowledge"
    assert "RAG" not in subjects(nlp, title, abstract)
    rag = "We add external knowledge retrieved at inference. Retrieved documents guide the LLM."
    assert "RAG" in subjects(nlp, title, rag)


def test_retrieving_passages_is_rag_only_in_a_paper_about_generation(nlp):
    gen = "An LLM answers questions. It can retrieve relevant passages from a corpus."
    found = hits_of(nlp, "Answering with evidence", gen)
    assert [h.sentence for h in found if h.notation == "RAG"] == [1]
    verify = "A BERT classifier checks claims. We retrieve evidence from a knowledge graph."
    assert not any(h.notation == "RAG" for h in hits_of(nlp, "Fact verification", verify))


def test_a_cue_naming_the_kind_of_proposal_is_as_strong_as_a_name(nlp):
    """ "We propose a knowledge distillation framework": what the paper contributes is an
    instance of the topic, even when the abstract says so once; a method that merely uses it,
    or a cue elsewhere in the sentence, is not."""
    for sentence in (
        "We propose a 2-step knowledge distillation (KD, Hinton et al., 2015) framework.",
        "We present a new method for knowledge distillation.",
    ):
        found = hits_of(nlp, "Cross-lingual transfer", "Labels are scarce. " + sentence)
        assert any(h.in_name for h in found if h.notation == "KnowledgeDistillation"), sentence
        assert "KnowledgeDistillation" in subjects(nlp, "Cross-lingual transfer", sentence)
    for sentence in (
        "We propose a method that uses knowledge distillation.",
        "We propose a tagger, and knowledge distillation framework results are shown.",
    ):
        found = hits_of(nlp, "Cross-lingual transfer", sentence)
        assert not any(h.in_name for h in found if h.notation == "KnowledgeDistillation")


def test_learning_without_forgetting_is_the_aim_of_continual_learning_not_a_contrast(nlp):
    found = hits_of(
        nlp,
        "Adapters for a stream of tasks",
        "Models must learn new tasks without catastrophic forgetting. Masks prevent forgetting. "
        "Our adapters learn without forgetting.",
    )
    cl = [h for h in found if h.notation == "ContinualLearning"]
    assert {h.sentence for h in cl if not h.contrast} == {0, 1, 2}
    # a forgetting factor is not continual learning
    bandit = hits_of(nlp, "Bandits with forgetting", "We study bandits with forgetting.")
    assert not any(h.notation == "ContinualLearning" for h in bandit)


def test_rationales_in_a_title_count_as_one_sentence(nlp):
    title = "Event Coreference with Generated Rationales and Knowledge Distillation"
    abstract = "We cluster events. LLM rationales supervise a student model. Results are strong."
    assert "Reasoning" not in subjects(nlp, title, abstract)


def test_rationales_that_explain_predictions_are_not_chains_of_thought(nlp):
    found = hits_of(
        nlp,
        "Editing rationales",
        "We improve the readability of extracted rationales. Rationales are key for explaining "
        "predictions. LLMs write rationales before answering math questions.",
    )
    cot = [h.sentence for h in found if h.notation == "ChainOfThought" and h.field == "abstract"]
    assert cot == [2]


def test_video_llms_are_multimodal(nlp):
    found = hits_of(nlp, "Video events", "We compare with Video-LLMs and video-language models.")
    assert [h.text for h in found if h.notation == "Multimodal"] == [
        "Video-LLMs",
        "video-language",
    ]


def test_ambiguous_cues_do_not_name_the_kind_of_proposal(nlp):
    """ "A parameter-efficient framework" may just be small, "a novel probing method" may probe
    behaviour with a benchmark: neither says the proposal is PEFT or an analysis of internals."""
    found = hits_of(
        nlp,
        "Speech translation",
        "Speech models are large. We propose a parameter-efficient framework for translation. "
        "We propose a novel probing method for LLMs.",
    )
    assert not any(h.in_name for h in found if h.notation in ("PEFT", "Interpretability"))


def test_continual_pretraining_as_a_training_step_is_not_continual_learning(nlp):
    abstract = "We pre-train a code model on sketches. It generates library code."
    assert "ContinualLearning" not in subjects(
        nlp, "CERT: Continual Pre-training on Sketches", abstract
    )
    long = "We extend the context of LLMs with a single-stage continual pretraining method."
    assert "ContinualLearning" not in subjects(nlp, "Longer contexts", long)
    forgetting = long + " Continual pretraining must not forget old knowledge. We avoid forgetting."
    assert "ContinualLearning" in subjects(nlp, "Longer contexts", forgetting)
