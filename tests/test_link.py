"""Entity resolution and topic scoring on small, real pipeline output."""

from __future__ import annotations

from kg.build import link
from kg.extract import extract
from kg.lexicon.normalize import surface_key
from kg.link.resolve import _fits_acronym, _inflection_variant
from kg.link.topics import SUBJECT_THRESHOLD, score_paper
from kg.records import Paper


def linked(nlp, papers: list[tuple[str, str]], termhood: bool = True):
    """Extract and link ``papers``; ``termhood=False`` links every span kg_entities made (the
    tests of the linker's rules on everyday words such as "nodes" and "base", which the
    termhood stage would set aside before they reach it)."""
    disable = [] if termhood else ["kg_termhood"]
    with nlp.select_pipes(disable=disable):
        exts = list(extract([Paper(title=t, abstract=a) for t, a in papers], nlp))
    return link(exts)


def mentions_paper(title: str, *texts: str, label: str = "Method"):
    """A paper's extraction record holding just ``texts`` as mentions (the linker's rules
    tested on forms alone, without the pipeline)."""
    from kg.records import Mention, PaperExtraction

    return PaperExtraction(
        Paper(title=title, abstract="x"),
        [Mention(t, label, "abstract", 0, len(t), t, 0, len(t), "test") for t in texts],
    )


def entity_of(lg, form: str) -> set[str]:
    """Ids of the entities that have ``form`` among their surface forms."""
    return {e.id for e in lg.resolution.entities.values() if form in e.forms}


def test_surface_keys_fold_only_what_never_distinguishes():
    assert (
        surface_key("Mixture-of-Experts")
        == surface_key("mixture of experts")
        == surface_key("Mixture of Expert")
    )
    assert surface_key("MoEs") == surface_key("MoE")
    assert surface_key("GPT-4") != surface_key("GPT-4o")
    assert surface_key("RAG") != surface_key("RAG+")
    assert surface_key("R1-Searcher") != surface_key("R1-Searcher++")
    assert surface_key("LoRA") != surface_key("MixLoRA")
    # a capital S is a letter of the acronym, a small s its plural
    assert surface_key("DARTS") != surface_key("DART") == surface_key("DARTs")
    assert surface_key("IRLS") != surface_key("IRL")
    assert surface_key("LLMs") == surface_key("LLM")
    # LaTeX braces never distinguish: CLIP's "Contrastive Language{–}Image Pre-training"
    assert surface_key("Contrastive Language{–}Image Pre-training") == surface_key(
        "Contrastive Language-Image Pre-training"
    )


def test_an_acronym_ending_in_a_capital_s_is_not_a_plural(nlp):
    lg = linked(
        nlp,
        [
            (
                "DART: Open-Domain Structured Data Record to Text Generation",
                "We present DART, an open domain structured DAta Record to Text generation "
                "dataset with over 82k instances (DARTs). Models trained on DART improve.",
            ),
            (
                "Proxy data for NAS",
                "Executing DARTS with the proposed selection requires only 40 minutes on "
                "CIFAR-10. DARTS searches a cell.",
            ),
        ],
    )
    dart, darts = entity_of(lg, "DART"), entity_of(lg, "DARTS")
    assert dart and darts and not dart & darts
    labels = {lg.resolution.entities[e].label for e in dart | darts}
    assert not any("82k" in label for label in labels)


def test_alias_groups_merge_across_papers(nlp):
    lg = linked(
        nlp,
        [
            ("Paper one", "Mixture-of-Experts (MoE) models scale well. We study MoE routing."),
            ("Paper two", "A mixture of experts layer with sparse experts and MoEs."),
            (
                "Paper three",
                "We compare Mix-of-Expert designs with LLMs and large language models.",
            ),
        ],
    )
    forms = ["Mixture-of-Experts", "MoE", "mixture of experts", "MoEs", "Mix-of-Expert"]
    ids = set().union(*(entity_of(lg, f) for f in forms))
    assert len(ids) == 1
    (moe,) = ids
    assert lg.resolution.entities[moe].label == "mixture of experts"
    assert len(lg.resolution.entities[moe].papers) == 3
    assert entity_of(lg, "LLMs") == entity_of(lg, "large language models")


def test_look_alikes_stay_apart(nlp):
    lg = linked(
        nlp,
        [
            ("A", "We use LoRA, MixLoRA and LoRAMoE with MoE, MoLE and SMoE layers."),
            ("B", "GPT-4, GPT-4o and GPT-4o-mini are compared with Mistral and Mixtral."),
            ("C", "RAG, Self-RAG and RAG+ differ; R1-Searcher and R1-Searcher++ too."),
        ],
    )
    groups = [
        ["LoRA", "MixLoRA", "LoRAMoE"],
        ["MoE", "MoLE", "SMoE"],
        ["GPT-4", "GPT-4o", "GPT-4o-mini"],
        ["Mistral", "Mixtral"],
        ["RAG", "Self-RAG", "RAG+"],
        ["R1-Searcher", "R1-Searcher++"],
    ]
    for group in groups:
        ids = [entity_of(lg, f) for f in group]
        assert all(len(i) == 1 for i in ids), (group, ids)
        assert len(set().union(*ids)) == len(group), group


def test_acronyms_are_scoped_to_their_paper(nlp):
    lg = linked(
        nlp,
        [
            (
                "Chain-of-Experts: X",
                "We propose Chain-of-Experts (CoE), where experts talk. CoE works.",
            ),
            (
                "Composition of Experts: Y",
                "We build a Composition of Experts (CoE) system. CoE routes.",
            ),
        ],
    )
    coe = entity_of(lg, "CoE")
    labels = {lg.resolution.entities[i].label for i in coe}
    assert labels == {"Chain-of-Experts", "Composition of Experts"}


def test_majority_acronym_links_undefined_uses(nlp):
    lg = linked(
        nlp,
        [
            ("P1", "Knowledge distillation (KD) compresses models."),
            ("P2", "We apply knowledge distillation (KD) to students."),
            ("P3", "Our KD variant is faster."),
        ],
    )
    assert entity_of(lg, "KD") == entity_of(lg, "knowledge distillation")
    entity = lg.resolution.entities[next(iter(entity_of(lg, "KD")))]
    assert entity.forms["KD"].rule in {"acronym", "alias-table"}


def test_passing_mentions_do_not_make_a_topic(nlp):
    (ext,) = extract(
        [
            Paper(
                title="Parametric memories for language models",
                abstract="Unlike RAG, we store knowledge in parameters. We train it.",
            )
        ],
        nlp,
    )
    assert all(not a.is_subject for a in score_paper("p", ext.topic_hits) if a.topic == "RAG")


def test_title_topics_are_subjects(nlp):
    (ext,) = extract(
        [
            Paper(
                title="Efficient RAG with Mixture of Experts", abstract="We make retrieval cheaper."
            )
        ],
        nlp,
    )
    scores = {a.topic: a.score for a in score_paper("p", ext.topic_hits)}
    assert scores["RAG"] >= SUBJECT_THRESHOLD and scores["MoE"] >= SUBJECT_THRESHOLD


def test_inflection_variants_are_only_last_word_inflections():
    assert _inflection_variant("chain of note", "chain of noting")
    assert _inflection_variant("graph model", "graph modeling")
    assert not _inflection_variant("chain of note", "chain of node")  # another word
    assert not _inflection_variant("chain of note", "cascade of noting")  # another first word
    assert not _inflection_variant("chain of note 2", "chain of noting 2")  # versions
    assert not _inflection_variant("lora", "loras")  # single words: prefixes/suffixes are names
    assert not _inflection_variant("self chain of note", "chain of noting")  # composed name
    assert _fits_acronym("con", "chain of note") and _fits_acronym("ralm", "retrieval augmented lm")
    assert not _fits_acronym("coe", "chain of noting")


def test_title_name_and_defined_long_form_of_one_paper_merge(nlp):
    lg = linked(
        nlp,
        [
            (
                "Chain-of-Note: Robust Retrieval-Augmented Language Models",
                "Retrieved documents are often noisy. We introduce Chain-of-Noting (CoN), a novel"
                " approach that writes reading notes for retrieved documents. CoN improves"
                " robustness of question answering.",
            )
        ],
    )
    ids = entity_of(lg, "Chain-of-Note") | entity_of(lg, "Chain-of-Noting") | entity_of(lg, "CoN")
    assert len(ids) == 1
    (con,) = ids
    entity = lg.resolution.entities[con]
    variant = next(f for f in ("Chain-of-Note", "Chain-of-Noting") if f != entity.label)
    reason = entity.forms[variant]
    assert reason.rule == "acronym-variant" and 0.8 < reason.score < 1.0
    assert "CoN" in reason.detail


def test_acronym_variants_stay_split_outside_the_rule(nlp):
    lg = linked(
        nlp,
        [
            # another last word (node is not an inflection of noting)
            (
                "Chain-of-Node: Reading Graphs Step by Step",
                "We introduce Chain-of-Noting (CoN), a novel approach that writes reading notes"
                " for graph nodes. CoN improves graph question answering.",
            ),
            # a version number
            (
                "Chain-of-Note-2: Better Notes",
                "We introduce Chain-of-Noting (CoN), a novel approach that writes reading notes."
                " CoN improves robustness.",
            ),
            # the variant is in another paper, which defines nothing: no paper-scoped evidence
            (
                "Chain-of-Note: Robust Retrieval-Augmented Language Models",
                "Retrieved documents are often noisy, and reading notes help. We evaluate on"
                " open-domain question answering.",
            ),
            # generic terms that the paper does not propose: a program is not the field
            (
                "Relaxations for scheduling",
                "We cast the scheduling problem as a linear program (LP). Decades of linear"
                " programming research make the LP easy to solve.",
            ),
        ],
    )
    noting = entity_of(lg, "Chain-of-Noting")
    assert len(noting) == 1
    for form in ("Chain-of-Node", "Chain-of-Note-2", "Chain-of-Note"):
        assert entity_of(lg, form) and not entity_of(lg, form) & noting, form
    assert entity_of(lg, "linear program") != entity_of(lg, "linear programming")
    rules = {r.rule for e in lg.resolution.entities.values() for r in e.forms.values()}
    assert "acronym-variant" not in rules


def test_both_sides_of_a_fuzzy_merge_say_why():
    """`kg explain` prints each form's reason: the form that did not become the label must not
    come out with an empty one, whichever side of the spelling variant it was."""
    from kg.link.resolve import resolve
    from kg.records import Mention, PaperExtraction

    def mention(text: str) -> Mention:
        return Mention(text, "Method", "abstract", 0, len(text), text, 0, len(text), "test")

    exts = [
        PaperExtraction(Paper(title="One", abstract="x"), [mention("graph sparsifcation network")]),
        *(
            PaperExtraction(Paper(title=t, abstract="x"), [mention("graph sparsification network")])
            for t in ("Two", "Three")
        ),
    ]
    (entity,) = resolve(exts).entities.values()
    assert entity.label == "graph sparsification network"
    reason = entity.forms["graph sparsifcation network"]
    assert reason.rule == "fuzzy"
    assert reason.detail == "spelling variant of 'graph sparsification network'"


def test_fuzzy_merges_need_every_differing_word_to_be_a_variant():
    """Whole keys can be 92 % alike and still name two things ("deep"/"dense", "off"/"on");
    misspellings and a shortened word ("nets"/"networks") still merge."""
    from kg.link.resolve import resolve

    exts = [
        mentions_paper("One", "deep convolutional network", "off-policy actor-critic algorithm"),
        mentions_paper("Two", "dense convolutional network", "on-policy actor-critic algorithm"),
        mentions_paper("Three", "graph sparsifcation network", "generative adversarial nets"),
        mentions_paper("Four", "graph sparsification network", "generative adversarial networks"),
        mentions_paper("Five", "face verification", "GPU-based", "multilingual BART"),
        mentions_paper("Six", "fact verification", "GP-based", "multilingual BERT"),
    ]
    groups = sorted(sorted(e.forms) for e in resolve(exts).entities.values())
    assert ["deep convolutional network"] in groups
    assert ["dense convolutional network"] in groups
    assert ["off-policy actor-critic algorithm"] in groups
    assert ["graph sparsifcation network", "graph sparsification network"] in groups
    assert ["generative adversarial nets", "generative adversarial networks"] in groups
    # short words are names or acronyms: one letter apart is another thing
    for form in ("face verification", "GPU-based", "multilingual BART"):
        assert [form] in groups


def test_close_frequent_words_are_different_words():
    """Two words the corpus uses often are two words however alike (online/offline,
    concave/convex, with/without); a rare word beside a frequent one is its misspelling, and
    British spelling is the same word."""
    from kg.link.resolve import resolve

    exts = [
        mentions_paper(
            "One", "online optimization", "concave minimization", "many-shot with reference"
        ),
        mentions_paper(
            "Two", "offline optimization", "convex minimization", "many-shot without reference"
        ),
        mentions_paper("Three", "catastrophic forgeting", "Bayesian optimisation"),
        mentions_paper("Four", "catastrophic forgetting", "Bayesian optimization"),
    ]
    groups = sorted(sorted(e.forms) for e in resolve(exts).entities.values())
    for form in ("online optimization", "concave minimization", "many-shot with reference"):
        assert [form] in groups
    assert ["catastrophic forgeting", "catastrophic forgetting"] in groups
    assert ["Bayesian optimisation", "Bayesian optimization"] in groups


def test_an_acronym_that_spells_a_word_does_not_swallow_the_word(nlp):
    # "NODE" is defined in one paper; "nodes" in the others are graph nodes. They share a key,
    # and the global acronym merge used to relabel every graph node "Neural Ordinary ...".
    lg = linked(
        nlp,
        [
            (
                "Continuous-depth models",
                "We introduce Neural Ordinary Differential Equations (NODE), a family of "
                "continuous-depth models. NODE models are memory efficient.",
            ),
            (
                "Graph attention",
                "Graph neural networks aggregate messages between nodes. We classify nodes "
                "with attention over neighbouring nodes.",
            ),
            (
                "Message passing",
                "Message passing updates the nodes of a graph. Our method labels nodes in "
                "citation graphs.",
            ),
        ],
        termhood=False,
    )
    (node_ode,) = entity_of(lg, "NODE")
    assert lg.resolution.entities[node_ode].label == "Neural Ordinary Differential Equations"
    assert len(lg.resolution.entities[node_ode].papers) == 1  # the word stays out of it
    (nodes,) = entity_of(lg, "nodes")
    assert nodes != node_ode


def test_a_misspelt_variant_does_not_become_the_label(nlp):
    # "PAC-Bayes" looks like an acronym to is_acronym; the fuzzy-merged misspelling
    # "PACm-Bayes" does not, and used to win the label as the cluster's only "long form".
    lg = linked(
        nlp,
        [
            (
                "Tighter bounds",
                "We derive PAC-Bayes bounds for deep networks. Our PAC-Bayes analysis is "
                "tight. The PACm-Bayes bound is a variant.",
            )
        ],
        termhood=False,
    )
    (pac,) = entity_of(lg, "PAC-Bayes")
    assert entity_of(lg, "PACm-Bayes") == {pac}
    assert lg.resolution.entities[pac].label == "PAC-Bayes"


def test_a_curated_name_keeps_its_meaning_against_one_papers_definition(nlp):
    # BART is the language model in the term table; one paper's "Bayesian additive
    # regression trees (BART)" stays scoped to that paper instead of renaming every BART
    lg = linked(
        nlp,
        [
            (
                "Tree ensembles",
                "We study Bayesian additive regression trees (BART) for causal inference. "
                "BART priors regularize the trees.",
            ),
            ("Summarization", "We fine-tune BART on news articles and compare it with T5."),
            ("Dialogue", "BART is a strong baseline for dialogue generation."),
        ],
    )
    ids = {e.id: e for e in lg.resolution.entities.values()}
    (bayes,) = entity_of(lg, "Bayesian additive regression trees")
    bart = entity_of(lg, "BART") - {bayes}
    assert len(bart) == 1
    (bart,) = bart
    assert ids[bart].label == "BART" and len(ids[bart].papers) == 2


def test_a_word_does_not_join_another_papers_acronym(nlp):
    # "BASE" (balanced assignment of experts) is defined in one paper and written as an acronym
    # in another, so it merges globally; "base" in a third paper is the word, which shares the
    # key and used to be relabelled "balanced assignment of experts" with it
    lg = linked(
        nlp,
        [
            (
                "Sparse experts",
                "We introduce balanced assignment of experts (BASE), a routing method for "
                "sparse layers. BASE layers route each token to one expert.",
            ),
            (
                "Routing",
                "We compare token routing with BASE and with Switch layers. BASE routing is "
                "balanced.",
            ),
            (
                "Instruction tuning",
                "First, our score can be used to distinguish between base and instruct "
                "models. Base models hallucinate more.",
            ),
        ],
        termhood=False,
    )
    (base_layers,) = entity_of(lg, "BASE")
    assert lg.resolution.entities[base_layers].label == "balanced assignment of experts"
    assert len(lg.resolution.entities[base_layers].papers) == 2
    assert base_layers not in entity_of(lg, "base")  # the word (if found) is not BASE


def test_exact_case_aliases_keep_their_own_meaning(nlp):
    # "mAP" (mean average precision) and "MAP" (maximum a posteriori) share a key; "API" is an
    # application programming interface except where a paper defines it otherwise; EM defined
    # as expectation maximization is a Method, not the table's EM (exact match, a Metric)
    lg = linked(
        nlp,
        [
            (
                "Bayesian estimation",
                "We compute the maximum a posteriori (MAP) estimate of the parameters. MAP "
                "inference is fast.",
            ),
            ("Sparse coding", "We use MAP inference for sparse coding. MAP estimation is robust."),
            ("Object detection", "Our detector improves mAP on COCO by 2 points over R-CNN."),
            (
                "Policy iteration",
                "We analyse approximate policy iteration (API) with function approximation. "
                "API converges.",
            ),
            (
                "Tool use",
                "Large language models call external APIs to answer questions. The API "
                "returns JSON.",
            ),
            (
                "Mixture models",
                "We fit Gaussian mixtures with expectation maximization (EM). EM converges to "
                "a local optimum.",
            ),
        ],
    )
    entities = lg.resolution.entities
    (map_,) = entity_of(lg, "MAP")
    assert entities[map_].label == "maximum a posteriori" and len(entities[map_].papers) == 2
    (mean_ap,) = entity_of(lg, "mAP")
    assert entities[mean_ap].label == "mean average precision"
    assert entities[mean_ap].type == "Metric" and entities[map_].type == "Method"
    (interface,) = entity_of(lg, "APIs")
    assert entities[interface].label == "application programming interface"
    assert entities[interface].forms["APIs"].rule == "alias-table"
    policy = entity_of(lg, "approximate policy iteration")
    assert policy != {interface} and entity_of(lg, "API") == policy | {interface}
    (em,) = entity_of(lg, "expectation maximization")
    assert entity_of(lg, "EM") == {em} and entities[em].type == "Method"
    assert entities[em].forms["EM"].rule == "acronym"


def test_an_undefined_em_algorithm_is_not_the_metric(nlp):
    # the table's EM is exact match (a Metric); "the EM algorithm" in a paper that does not
    # define it had joined the metric: 62 eval-split papers of the EM algorithm "used" it
    lg = linked(
        nlp,
        [
            (
                "Mixture models",
                "We fit Gaussian mixtures with expectation maximization (EM). EM converges.",
            ),
            (
                "Topic models",
                "We train the topic model with the EM algorithm and EM-based updates.",
            ),
            ("Reading comprehension", "Our reader reaches 85.2 EM and 90.1 F1 on SQuAD."),
        ],
    )
    entities = lg.resolution.entities
    (em,) = entity_of(lg, "expectation maximization")
    assert len(entities[em].papers) == 2  # the defining paper and the EM-algorithm one
    (metric,) = {e for e in entity_of(lg, "EM") if e != em}
    assert entities[metric].label == "exact match" and len(entities[metric].papers) == 1


def test_a_proposed_name_does_not_take_another_papers_definition(nlp):
    # "MOKA: ..." proposes MOKA without defining it; another paper's "Mixture of Kronecker
    # Product Adaptation (MoKA)" is another thing (the MOKA paper "proposed" that adapter)
    lg = linked(
        nlp,
        [
            (
                "Adapters",
                "We introduce Mixture of Kronecker Product Adaptation (MoKA) for fine-tuning. "
                "MoKA is cheap.",
            ),
            ("MOKA: Moral Event Extraction", "We propose MOKA, a framework for moral events."),
            ("Fine-tuning", "We fine-tune the model with MoKA adapters and LoRA."),
        ],
    )
    entities = lg.resolution.entities
    (adapter,) = entity_of(lg, "Mixture of Kronecker Product Adaptation")
    (own,) = entity_of(lg, "MOKA")
    assert own != adapter and len(entities[own].papers) == 1
    assert len(entities[adapter].papers) == 2  # the defining paper and the one using MoKA


def test_a_proposed_established_acronym_keeps_its_meaning(nlp):
    # "neural tangent kernel" is defined in 10 corpus abstracts: a paper "proposing" NTK
    # without defining it means that kernel
    lg = linked(
        nlp,
        [
            ("Kernels", "We study the neural tangent kernel (NTK) of wide networks. NTK helps."),
            ("NTK: Forgetting in Wide Networks", "We propose NTK, an analysis of forgetting."),
        ],
    )
    (kernel,) = entity_of(lg, "neural tangent kernel")
    assert entity_of(lg, "NTK") == {kernel}


def test_spacing_variants_are_one_entity(nlp):
    # keys fold hyphens to spaces, so "CIFAR10" and "CIFAR-10" (81 and 278 corpus papers),
    # "MSCOCO" and "MS COCO", "pretrained" and "pre-trained" were separate entities
    lg = linked(
        nlp,
        [
            ("Robust classifiers", "We evaluate robust classifiers on CIFAR10 and MSCOCO."),
            ("Certified defenses", "Certified defenses are tested on CIFAR-10 and MS COCO."),
            (
                "Probing",
                "We probe pretrained language models for facts. Pre-trained language models "
                "store knowledge.",
            ),
        ],
    )
    entities = lg.resolution.entities
    (cifar,) = entity_of(lg, "CIFAR-10")
    assert entity_of(lg, "CIFAR10") == {cifar} and len(entities[cifar].papers) == 2
    assert entities[cifar].forms["CIFAR10"].rule == "normalized"
    assert entity_of(lg, "MSCOCO") == entity_of(lg, "MS COCO")
    assert entity_of(lg, "pretrained language models") == entity_of(
        lg, "Pre-trained language models"
    )


def test_a_named_search_algorithm_is_a_method_not_a_task():
    """Issue 19: extraction types a defined long form by its head word, and "search" is a task
    head; "Monte Carlo Tree Search" is an algorithm a paper uses (so no kg:addressesTask link),
    while "neural architecture search" stays the task it is."""
    from kg.link.resolve import resolve

    exts = [
        mentions_paper(
            "One", "Monte Carlo Tree Search", "beam search", "neural architecture search",
            label="Task",
        )
    ]  # fmt: skip
    types = {e.label: e.type for e in resolve(exts).entities.values()}
    assert types == {
        "Monte Carlo Tree Search": "Method",
        "beam search": "Method",
        "neural architecture search": "Task",
    }
