"""``kg_topic_cues``: topic cue phrases (the SKOS scheme's labels) in the title and abstract.

The scoring itself is the linker's job (``kg.link.topics``); this component only records where
each cue occurs, with the sentence it is in and whether it is a passing contrast ("unlike RAG",
"without retrieval"), so the text is tokenized once for everything.

Cues come from three places:

* the scheme's labels (``ontology/topics.ttl``): mixed-case names and acronyms matched as
  written, everything else ignoring case;
* :data:`TOKEN_PATTERNS`, the few cues a fixed phrase cannot express ("mixture of <one to three
  words> experts"), declared here and nowhere else;
* cues inside a name: a name that starts or ends with a single-word cue ("MixLoRA", "LoRAMoE",
  "ExpertRAG", "AdapterSwap") supports that cue's topic;
* references back: after a multi-word cue ending in a specific noun ("attention heads"), a
  later "these heads" supports the same topic (:data:`ANAPHORIC_HEADS`).

Cues that are ordinary words of other fields are dropped where they mean something else
(:data:`FIELD_BOUND`, :data:`SENSE_TRAPS`, :data:`NEAR_TRAPS`, :data:`BOUND_YIELDS_TO`): a
"truthful" auction, a "faithful" causal graph, "multi-modal distributions", an "image editing
method", "Reasoning" in the title of a knowledge-graph completion paper. The 2010-2025 corpus
abstracts (``benchmarks/data/topics_corpus_dev.jsonl``) are full of them; the LLM-era sample is not.

Each hit carries its normalized wording (``form``, :func:`cue_form`), with an acronym and its
long form defined in the paper ("Mixture-of-Experts (MoE)") counted as one wording.

Each hit also records whether it is part of what the paper proposes: inside a proposed name or
its long form (``kg_proposed``, ``kg_abbreviations``) or in the words that say what kind of thing
is proposed ("we propose a 2-step knowledge distillation (KD) framework", "we present a new
method for continual learning": ``in_name``, :func:`_names_the_kind`), or in the sentence that
introduces it (``proposal``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from kg.errors import KGError
from kg.extract import abbreviations, proposed
from kg.extract.sections import is_title, sentences
from kg.lexicon.scheme import load_scheme
from kg.records import TopicHit

if not Doc.has_extension("topic_hits"):
    Doc.set_extension("topic_hits", default=None)

#: Words that make a following cue a contrast rather than the paper's subject.
OWN_WORDS = {"we", "our", "us"}
CONTRAST = {"unlike", "without", "instead", "rather", "beyond", "except", "not", "no", "versus"}
#: Cues naming the problem a topic exists to solve: "learn new tasks without catastrophic
#: forgetting" states the aim of continual learning, it is not a contrast. Topic -> words a cue
#: must contain.
AIM_WORDS: dict[str, tuple[str, ...]] = {"ContinualLearning": ("forgetting", "forget")}

_HYPHEN = {"ORTH": {"IN": ["-", "–"]}, "OP": "?"}
_EXPERTS = {"LOWER": "experts"}
#: a word or a hyphenated alphanumeric name part ("LoRA", "Rank-1")
_WORD = {"TEXT": {"REGEX": r"^[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*$"}}
#: Token patterns per topic notation, for cues a phrase list cannot express.
TOKEN_PATTERNS: dict[str, list[list[dict]]] = {
    "MoE": [
        # "mixture of LoRA experts", "Mixture of Monosemantic Experts", "mixture-of-domain-experts",
        # "Mixture of Low-Rank Adaptation Experts", "Mixture-of-Rank-1-Experts"
        [
            {"LOWER": {"IN": ["mixture", "mixtures"]}},
            _HYPHEN,
            {"LOWER": "of"},
            _HYPHEN,
            {**_WORD, "LOWER": {"NOT_IN": ["experts", "expert", "the", "a", "an"]}},
            _HYPHEN,
            {**_WORD, "OP": "?", "LOWER": {"NOT_IN": ["experts", "expert"]}},
            _HYPHEN,
            {**_WORD, "OP": "?", "LOWER": {"NOT_IN": ["experts", "expert"]}},
            _HYPHEN,
            _EXPERTS,
        ],
    ],
    "Interpretability": [
        # "explain the NLI decisions", "explanations for the decisions made by", "interpret the
        # decisions of neural network classifiers", "explain predictions of tree ensembles"
        [
            {
                "LOWER": {
                    "IN": [
                        "explain",
                        "explains",
                        "explaining",
                        "explanation",
                        "explanations",
                        "interpret",
                        "interprets",
                        "interpreting",
                    ]
                }
            },
            {"IS_PUNCT": False, "OP": "{0,4}"},
            {
                "LOWER": {
                    "IN": [
                        "decision",
                        "decisions",
                        "prediction",
                        "predictions",
                        "behavior",
                        "behaviors",
                        "behaviour",
                        "behaviours",
                        "outputs",
                        "workings",
                    ]
                }
            },
        ],
    ],
    "Agents": [
        # "LLM-powered agents", "LLM-driven agent", "language model based agents", "GPT-4 agents"
        [
            {"LOWER": {"IN": ["llm", "llms", "lm", "lms", "gpt-4", "gpt", "chatgpt", "language"]}},
            {"LOWER": {"IN": ["model", "models"]}, "OP": "?"},
            _HYPHEN,
            {"LOWER": {"IN": ["powered", "based", "driven", "empowered"]}, "OP": "?"},
            {"LOWER": {"IN": ["agent", "agents"]}},
        ],
    ],
    "KnowledgeDistillation": [
        # the two roles of distillation with any model noun: "teacher PLMs", "student network",
        # "teacher policy" ("teacher model" and "student model" are the scheme's own cues)
        [
            {"LOWER": {"IN": ["teacher", "teachers", "student", "students"]}},
            {
                "LOWER": {
                    "IN": [
                        "network",
                        "networks",
                        "net",
                        "nets",
                        "llm",
                        "llms",
                        "plm",
                        "plms",
                        "lm",
                        "lms",
                        "encoder",
                        "encoders",
                        "classifier",
                        "classifiers",
                        "detector",
                        "detectors",
                        "policy",
                        "policies",
                        "transformer",
                        "transformers",
                    ]
                }
            },
        ],
    ],
    "RAG": [
        # "retrieve information from a knowledge base", "retrieves relevant passages", "retrieving
        # supporting documents": counted only in a paper about generation (:data:`BOUND_PATTERNS`)
        [
            {"LOWER": {"IN": ["retrieve", "retrieves", "retrieved", "retrieving", "retrieval"]}},
            {"IS_PUNCT": False, "OP": "{0,3}", "LOWER": {"NOT_IN": ["demonstrations", "examples"]}},
            {
                "LOWER": {
                    "IN": [
                        "documents",
                        "document",
                        "passages",
                        "passage",
                        "evidence",
                        "knowledge",
                        "context",
                        "contexts",
                        "information",
                        "facts",
                        "snippets",
                        "chunks",
                    ]
                }
            },
        ],
    ],
    "ContinualLearning": [
        # "prevent forgetting", "to avoid forgetting", "reduce the forgetting of old tasks"
        # ("catastrophic forgetting" is a scheme cue; bare "forgetting" is also a forgetting
        # factor of a bandit or a regression)
        [
            {
                "LOWER": {
                    "IN": [
                        "prevent",
                        "prevents",
                        "preventing",
                        "avoid",
                        "avoids",
                        "avoiding",
                        "reduce",
                        "reduces",
                        "reducing",
                        "overcome",
                        "overcomes",
                        "overcoming",
                        "mitigate",
                        "mitigates",
                        "mitigating",
                        "alleviate",
                        "alleviates",
                        "alleviating",
                        "minimize",
                        "minimizes",
                        "minimizing",
                        "without",
                    ]
                }
            },
            {"LOWER": {"IN": ["the", "this", "such"]}, "OP": "?"},
            {"LOWER": {"IN": ["forgetting", "forget"]}},
        ],
    ],
    "KnowledgeInjection": [
        # "injecting domain-specific knowledge into", "inject new factual knowledge"
        [
            {"LOWER": {"IN": ["inject", "injects", "injecting", "injected", "infuse", "infusing"]}},
            {"IS_ALPHA": True, "OP": "{0,2}", "LOWER": {"NOT_IN": ["knowledge"]}},
            _HYPHEN,
            {"IS_ALPHA": True, "OP": "?", "LOWER": {"NOT_IN": ["knowledge"]}},
            {"LOWER": "knowledge"},
        ],
    ],
}

#: Words of a language-model paper: the field that Reasoning, Agents and Hallucination are
#: about (the scheme's definitions say "by language models", "language models acting as agents",
#: "models generating content").
_LM_WORDS = (
    "language model", "language models", "llm", "llms", "lm", "lms", "plm", "plms", "gpt",
    "chatgpt", "bert", "t5", "transformer", "transformers", "vision-language", "vlm", "vlms",
    "mllm", "mllms", "lvlm", "lvlms", "lrm", "lrms", "reasoning model", "reasoning models",
)  # fmt: skip
#: Words of continual learning's problem: what is learned earlier must not be lost.
_FORGETTING_WORDS = (
    "forgetting", "forget", "forgets", "forgotten", "catastrophic", "continual learning",
    "previously learned", "previous tasks", "old tasks", "earlier tasks",
    "old classes", "new classes", "old knowledge", "replay", "rehearsal", "plasticity",
    "stability-plasticity", "backward transfer", "class-incremental", "task-incremental",
)  # fmt: skip
#: Words of generation by a language model: what retrieval is for in RAG (the scheme's
#: definition: "condition their generation on it"). Not every language model: a BERT
#: classifier of claims against retrieved evidence is fact verification; nor the verb "generate"
#: (a model "generates assistant entities").
_GENERATION_WORDS = (
    "generation", "generator", "generators", "generative", "llm", "llms",
    "large language model", "large language models", "gpt", "chatgpt",
)  # fmt: skip
#: Cues that are ordinary words of other fields count for their topic only in a paper that also
#: names the topic's field: a "truthful" auction, a "faithful" causal graph, a "hallucinated"
#: brain scan, a "mechanistic" model or "circuits" of biological neurons, a "probe" of a sensor,
#: "reasoning over" the triples of a knowledge graph, "AI planning" of robots, a "multi-agent"
#: reinforcement learner. Topic -> (cue texts, lower-case; field words and phrases).
FIELD_BOUND: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "Hallucination": (
        frozenset({
            "truthful", "truthfulness", "faithful", "faithfulness", "unfaithful", "factuality",
            "factually", "fabricated", "fabrication", "fabrications", "hallucination",
            "hallucinations", "hallucinate", "hallucinated", "hallucinating", "untruthful",
            "untruthfulness", "unfaithfulness", "ungrounded",
        }),
        _LM_WORDS + (
            "text generation", "language generation", "generated text", "generated texts",
            "summarization", "summarisation",
            "summaries", "summary", "summarizer", "caption", "captions", "captioning",
            "translation", "chatbot", "chatbots", "dialogue", "dialog", "answers", "responses",
            "question answering", "nlg",
        ),
    ),
    "Reasoning": (
        frozenset({"reasoning over", "to reason", "ai planning", "knowledge reasoning"}),
        _LM_WORDS + ("natural language", "chain-of-thought", "cot"),
    ),
    # automated theorem proving with graph networks or search is not reasoning by a language model
    "MathReasoning": (
        frozenset({"theorem proving"}),
        _LM_WORDS + ("natural language", "chain-of-thought", "cot"),
    ),
    "Interpretability": (
        frozenset({"mechanistic", "probe", "probes", "probing", "circuit", "circuits", "neurons"}),
        _LM_WORDS,
    ),
    "Agents": (
        frozenset({"multi-agent", "autonomous agent", "autonomous agents", "embodied agent",
                   "embodied agents"}),
        _LM_WORDS,
    ),
    # "incremental learning" of a boosted tree or a tracker's subspace is online learning, the
    # "lifelong learning agent" of a bandit paper transfers over a "sequence of tasks": continual
    # learning is learning them *without forgetting* (the scheme's definition), so these count
    # only in a paper that speaks of forgetting, old and new classes, replay or plasticity.
    "ContinualLearning": (
        frozenset({
            "incremental learning", "lifelong learning", "sequence of tasks", "continuous training",
            "knowledge retention", "continual pre-training", "continual pretraining",
            "continued pre-training", "continued pretraining",
        }),
        _FORGETTING_WORDS,
    ),
}  # fmt: skip
#: Token patterns (:data:`TOKEN_PATTERNS`) that count only in a paper naming their topic's field:
#: "retrieve relevant passages" is RAG in a paper about generating text, and information
#: retrieval or recommendation elsewhere. Topic -> field words and phrases.
BOUND_PATTERNS: dict[str, tuple[str, ...]] = {"RAG": _GENERATION_WORDS}
#: A field-bound topic's display name in a title counts only in a paper that names the topic's
#: field (:data:`FIELD_BOUND`): "Reasoning" in the title of a knowledge-graph paper is reasoning
#: over the graph (the KnowledgeGraphs topic), in "Reasoning-Based Learning of Interpretable ML
#: Models" or a video network's "Spatio-Temporal Reasoning" it is not reasoning by a language model.
#: A field-bound cue also gives way to a topic that names its narrower sense: "probing" in a paper
#: on knowledge probing ("probe PLMs for factual knowledge" with cloze prompts) is that topic, not
#: an analysis of the model's internals.
BOUND_YIELDS_TO: dict[str, set[str]] = {"Interpretability": {"KnowledgeProbing"}}
#: Words next to a cue that give it another sense: "multi-modal distributions" are not
#: multimodal models, an "image editing method" is not model editing. Topic -> (words right
#: before the cue, words right after it).
SENSE_TRAPS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "Multimodal": (
        frozenset(),
        frozenset({
            "distribution", "distributions", "posterior", "posteriors", "density", "densities",
            "landscape", "landscapes", "objective", "objectives", "optimization", "function",
            "functions",
        }),
    ),
    # "Knowledge Graph Reasoning", "relation reasoning": reasoning over a graph (KnowledgeGraphs)
    "Reasoning": (
        frozenset({"graph", "graphs", "kg", "kgs", "tkg", "tkgs", "relation", "relational"}),
        frozenset(),
    ),
    # "Continual Pre-training on Sketches", "continual training" of a translation model: the
    # title word "continual" before pre-training or training is a training step (a domain or a
    # longer context), continual learning only with its field's words (the phrase is bound)
    "ContinualLearning": (frozenset(), frozenset({"pre", "pre-training", "pretraining"})),
    # "KD-trees" are k-d trees (space partitioning), not knowledge distillation
    "KnowledgeDistillation": (frozenset(), frozenset({"tree", "trees"})),
    "ModelEditing": (
        frozenset({
            "image", "images", "video", "videos", "photo", "photos", "object", "scene", "3d",
            "style", "face", "audio", "music", "document", "code", "graph",
        }),
        frozenset(),
    ),
}  # fmt: skip

#: Words that are cues in a title only, like a topic's display name: "Continual Relation
#: Extraction", "Lifelong Language Pretraining", "Incremental Named Entity Recognition" learn
#: their task over a sequence of data; in an abstract "continual", "lifelong" and "incremental"
#: qualify anything ("continual improvement"). Being continual learning's, "lifelong" and
#: "incremental" count only with its field's words (:data:`FIELD_BOUND`): "Incremental Learning
#: for Visual Tracking" updates a subspace online and forgets nothing, "Lifelong Planning A*" is
#: a search algorithm; "continual" in a title names the topic in any field
#: (:data:`FREE_TITLE_CUES`).
TITLE_CUES: dict[str, tuple[str, ...]] = {
    "ContinualLearning": ("continual", "lifelong", "incremental")
}
#: Title cues of a field-bound topic that need none of its field's words.
FREE_TITLE_CUES = frozenset({"continual"})

#: Cues that take another topic's sense when certain words are near (within NEAR_WINDOW tokens
#: either side): the faithfulness of an explanation or a rationale is whether it reflects the
#: model's reasoning (interpretability), not whether generated content is supported by its
#: source. Topic -> (cue texts, lower-case; nearby words).
NEAR_TRAPS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "Hallucination": (
        frozenset({"faithful", "faithfulness", "unfaithful", "faithfully", "unfaithfulness"}),
        frozenset({
            "explanation", "explanations", "explainer", "explainers", "rationale", "rationales",
            "saliency", "interpretation", "interpretations", "interpretability",
            "explainability", "interpretable", "explainable",
        }),
    ),
    # rationales that explain a prediction (extracted tokens, "rationales ... for explaining")
    # are explanations (interpretability), not chains of thought
    "ChainOfThought": (
        frozenset({"rationales"}),
        frozenset({
            "explanation", "explanations", "explain", "explaining", "explainability",
            "interpretability", "extracted", "extract", "extracts", "extraction", "extractive",
            "highlight", "highlights", "saliency",
        }),
    ),
    # lifelong or continual *model editing* is model editing (guidelines), not continual learning
    "ContinualLearning": (
        frozenset({"continual", "lifelong"}),
        frozenset({"edit", "edits", "editing", "editor", "editors"}),
    ),
}  # fmt: skip
NEAR_WINDOW = 4
#: Cues whose next word gives them another sense (unlike :data:`SENSE_TRAPS`, for some of the
#: topic's cues only): RAG is generation conditioned on retrieved text, a "retrieval-augmented
#: retriever" or "retrieval-augmented classification" is not ("RAG retrieval" still is RAG).
NEXT_TRAPS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "RAG": (
        frozenset({"retrieval augmented", "retrieval-augmented"}),
        frozenset({
            "retrieval", "retriever", "retrievers", "classification", "classifier", "classifiers",
        }),
    ),
}  # fmt: skip

#: Shortest single-word cue looked for inside a longer name ("LoRA" in "MixLoRA").
MIN_NAME_CUE = 3

#: Head nouns of multi-word cues that a later sentence may refer back to on their own: after
#: "attention heads", "these heads" still speaks of the same thing (and so of the same topic).
#: Only specific nouns: "the models" or "the documents" refer to anything.
ANAPHORIC_HEADS = {"heads", "neurons", "circuits", "experts", "adapters", "edits"}
#: Determiners that make a bare head noun refer back ("these heads", "such neurons").
ANAPHORIC_DETS = {"these", "those", "such", "the", "this"}


def cue_form(text: str) -> str:
    """A cue's form for counting different wordings: case, punctuation, plural "s" and word
    endings beyond 7 letters are ignored ("Hallucinations" = "hallucination", "distilling" =
    "distillation")."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return " ".join((w[:-1] if len(w) > 3 and w.endswith("s") else w)[:7] for w in words)


def _boundary(word: str, i: int) -> bool:
    """Whether ``word`` may be split at ``i`` into two name parts ("Adapter|Swap", "Mix|LoRA")."""
    a, b = word[i - 1], word[i]
    return a in "-_" or b in "-_" or (a.islower() and b.isupper()) or a.isdigit() != b.isdigit()


class TopicCues:
    """Matchers built from the topic scheme by ``initialize()`` (``from_disk()`` for a saved
    pipeline). The scheme is the ontology's (:func:`kg.lexicon.scheme.load_scheme`), not a
    table of this component: the linker scores topics on the same scheme, so cues and scores
    cannot disagree."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.nlp = nlp
        self.exact: PhraseMatcher | None = None

    def initialize(self, get_examples: Callable[[], Iterable] | None = None, *, nlp=None) -> None:
        """Build the matchers from the scheme's cues and :data:`TOKEN_PATTERNS`."""
        nlp = nlp or self.nlp
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.patterns = Matcher(nlp.vocab)
        #: a topic's display name ("Reasoning") is a cue in the title only: there it names the
        #: paper's subject, in the abstract a bare "reasoning" is too common to mean anything
        self.title_names = PhraseMatcher(nlp.vocab, attr="LOWER")
        #: single-word cues looked for at the start or end of longer words
        self.name_exact: list[tuple[str, str]] = []
        self.name_folded: list[tuple[str, str]] = []
        #: words that are whole cues themselves ("MoErging") are not split
        self.whole: set[str] = set()
        for topic in load_scheme().values():
            if topic.exact_cues:
                self.exact.add(topic.notation, [nlp.make_doc(c) for c in topic.exact_cues])
            if topic.folded_cues:
                self.folded.add(topic.notation, [nlp.make_doc(c) for c in topic.folded_cues])
            names = [topic.label.lower(), *TITLE_CUES.get(topic.notation, ())]
            self.title_names.add(topic.notation, [nlp.make_doc(n) for n in names])
            self.whole |= set(topic.exact_cues) | set(topic.folded_cues)
            for cue in topic.exact_cues:
                if len(cue) >= MIN_NAME_CUE and cue.isalnum():
                    self.name_exact.append((cue, topic.notation))
            for cue in topic.folded_cues:
                if len(cue) >= MIN_NAME_CUE + 2 and cue.isalpha():
                    self.name_folded.append((cue, topic.notation))
        for notation, patterns in TOKEN_PATTERNS.items():
            self.patterns.add(notation, patterns)
        self.fields = PhraseMatcher(nlp.vocab, attr="LOWER")
        for notation, (_cues, words) in FIELD_BOUND.items():
            self.fields.add(notation, [nlp.make_doc(w) for w in words])
        for notation, words in BOUND_PATTERNS.items():
            self.fields.add(notation, [nlp.make_doc(w) for w in words])

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Nothing to save: the cues are the ontology's."""

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> TopicCues:
        self.initialize()
        return self

    def _name_hits(self, doc: Doc) -> list[tuple[str, int, int]]:
        """Cues at the start or end of a longer word: ("PEFT", i, i + 1) for "MixLoRA"."""
        out = []
        for tok in doc:
            word = tok.text
            if len(word) <= MIN_NAME_CUE or not any(c.isupper() for c in word[1:]):
                continue
            low = word.lower()
            if word in self.whole or low in self.whole:
                continue
            found = set()
            for cue, notation in self.name_exact:
                n = len(cue)
                if len(word) - n < 2:
                    continue
                if word.startswith(cue) and (not cue.isupper() or _boundary(word, n)):
                    found.add(notation)
                elif word.endswith(cue) and (not cue.isupper() or _boundary(word, len(word) - n)):
                    found.add(notation)
            for cue, notation in self.name_folded:
                n = len(cue)
                if len(word) - n < 2:
                    continue
                if low.startswith(cue) and _boundary(word, n):
                    found.add(notation)
                elif low.endswith(cue) and _boundary(word, len(word) - n):
                    found.add(notation)
            out.extend((notation, tok.i, tok.i + 1) for notation in sorted(found))
        return out

    def __call__(self, doc: Doc) -> Doc:
        if self.exact is None:
            raise KGError(f"'{self.name}' has no cues: initialize the pipeline or load it")
        sents = sentences(doc)
        sent_index: dict[int, tuple[str, int]] = {}
        own_sentence: dict[int, bool] = {}
        sent_of: dict[int, int] = {}
        abstract_i = 0
        for k, s in enumerate(sents):
            field = "title" if is_title(s) else "abstract"
            idx = 0 if field == "title" else abstract_i
            if field == "abstract":
                abstract_i += 1
            own = any(t.lower_ in OWN_WORDS for t in s) or "this paper" in s.text.lower()
            for t in range(s.start, s.end):
                sent_index[t] = (field, idx)
                own_sentence[t] = own
                sent_of[t] = k
        name_tokens, proposal_sents = _proposed(doc, sents, sent_of)
        short_of = _acronym_forms(doc)
        vocab = doc.vocab.strings
        matches = [(vocab[m], s, e) for m, s, e in self.exact(doc) + self.folded(doc)]
        fielded = {vocab[m] for m, _s, _e in self.fields(doc)}
        matches += [
            (vocab[m], s, e)
            for m, s, e in self.patterns(doc)
            if vocab[m] not in BOUND_PATTERNS or vocab[m] in fielded
        ]
        matches += self._name_hits(doc)
        matches += _anaphoric_hits(doc, matches, sent_of)
        cued = {m[0] for m in matches}
        matches += [
            (vocab[m], s, e)
            for m, s, e in self.title_names(doc)
            if sent_index.get(s, ("abstract", 0))[0] == "title"
            and (
                vocab[m] in fielded
                or vocab[m] not in FIELD_BOUND
                or doc[s:e].text.lower() in FREE_TITLE_CUES
            )
        ]
        matches = [m for m in matches if not _out_of_field(doc, m, fielded, cued)]
        hits = []
        for notation, start, end in sorted(set(matches), key=lambda m: (m[1], m[2], m[0])):
            field, idx = sent_index.get(start, ("abstract", 0))
            window = {t.lower_ for t in doc[max(0, start - 3) : start]}
            text = doc[start:end].text
            form = cue_form(text)
            contrast = bool(window & CONTRAST) and not _states_the_aim(notation, text)
            hits.append(
                TopicHit(
                    notation,
                    field,
                    idx,
                    contrast,
                    text,
                    own_sentence.get(start, False),
                    in_name=any(i in name_tokens for i in range(start, end))
                    or (
                        field == "abstract"
                        and text.lower() not in NOT_A_KIND
                        and _names_the_kind(doc, start, end)
                    ),
                    proposal=field == "abstract" and sent_of.get(start) in proposal_sents,
                    form=short_of.get(form, form),
                )
            )
        doc._.topic_hits = hits
        return doc


def _out_of_field(doc: Doc, match: tuple[str, int, int], fielded: set[str], cued: set[str]) -> bool:
    """Whether a cue is used in another field's sense (:data:`FIELD_BOUND`,
    :data:`BOUND_YIELDS_TO`, :data:`NEAR_TRAPS`, :data:`SENSE_TRAPS`, :data:`NEXT_TRAPS`);
    ``fielded``: the topics whose field the paper names, ``cued``: the topics with a cue in the
    paper."""
    notation, start, end = match
    bound = FIELD_BOUND.get(notation)
    if bound and doc[start:end].text.lower() in bound[0]:
        if notation not in fielded or cued & BOUND_YIELDS_TO.get(notation, set()):
            return True
    near = NEAR_TRAPS.get(notation)
    if near and doc[start:end].text.lower() in near[0]:
        window = doc[max(0, start - NEAR_WINDOW) : end + NEAR_WINDOW]
        if any(t.lower_ in near[1] for t in window):
            return True
    before, after = SENSE_TRAPS.get(notation, (frozenset(), frozenset()))
    cues, next_words = NEXT_TRAPS.get(notation, (frozenset(), frozenset()))
    if doc[start:end].text.lower() in cues:
        after = after | next_words
    if end < len(doc) - 1 and doc[end].text in ("-", "–"):
        end += 1  # "KD-trees": the word after the hyphen
    return (start > 0 and doc[start - 1].lower_ in before) or (
        end < len(doc) and doc[end].lower_ in after
    )


#: Verbs that introduce what a paper contributes ("we propose a ... framework").
PROPOSE_VERBS = frozenset({
    "propose", "proposes", "proposed", "present", "presents", "introduce", "introduces",
    "develop", "develops", "design", "designs",
})  # fmt: skip
#: Head nouns of what a paper contributes.
KIND_NOUNS = frozenset({
    "framework", "frameworks", "method", "methods", "approach", "approaches", "model", "models",
    "algorithm", "algorithms", "technique", "techniques", "system", "systems", "pipeline",
    "architecture", "strategy", "paradigm", "scheme", "mechanism", "module", "benchmark",
    "dataset", "protocol", "procedure",
})  # fmt: skip
#: Cues that do not name a kind of proposal: adjectives of size or property ("a
#: parameter-efficient framework" may just be small) and the words of other fields
#: (:data:`FIELD_BOUND`: "a novel probing method" may probe behaviour with a benchmark).
NOT_A_KIND = frozenset({"parameter-efficient", "parameter efficient"}) | frozenset(
    cue for cues, _words in FIELD_BOUND.values() for cue in cues
)
#: Words that end the noun phrase a propose verb introduces ("a method *that* uses KD").
_NP_BREAKS = frozenset({
    "that", "which", "who", "to", "by", "with", "using", "based", "on", "in", "and", "or", "where",
    "when", "while", "as", "via", "through", "from", "into", "is", "are", "can", "we", "it",
})  # fmt: skip


def _names_the_kind(doc: Doc, start: int, end: int) -> bool:
    """Whether the cue says what kind of thing the paper proposes: "we propose a 2-step
    knowledge distillation (KD) framework", "we present a new method for knowledge
    distillation". The proposal is then an instance of the topic, as a proposed name is."""

    def np_before(i: int, limit: int) -> int | None:
        """The propose verb a short noun phrase ending before ``i`` follows, if any; ``limit``
        words at most, hyphens not counted ("a Global-local Spatial-enhanced MoE module")."""
        words = 0
        for k in range(i - 1, -1, -1):
            low = doc[k].lower_
            if low in PROPOSE_VERBS:
                return k
            if low in ("-", "–"):
                continue
            words += 1
            if words > limit or low in _NP_BREAKS or doc[k].is_punct:
                return None
        return None

    # form A: VERB a (novel) CUE (ACRONYM) KIND_NOUN
    k = end
    if k < len(doc) and doc[k].text == "(":
        while k < len(doc) and doc[k].text != ")" and k - end < 12:
            k += 1
        k += 1
    for j in range(k, min(len(doc), k + 3)):
        if doc[j].lower_ in KIND_NOUNS:
            if np_before(start, 5) is not None:
                return True
            break
        if doc[j].is_punct or doc[j].lower_ in _NP_BREAKS:
            break
    # form B: VERB a (new) KIND_NOUN for/of (the) CUE
    j = start - 1
    while j >= 0 and start - j <= 3 and not doc[j].is_punct:
        if doc[j].lower_ in ("for", "of"):
            if j > 0 and doc[j - 1].lower_ in KIND_NOUNS and np_before(j - 1, 4) is not None:
                return True
            return False
        j -= 1
    return False


def _states_the_aim(notation: str, text: str) -> bool:
    """Whether a cue names the problem its topic solves (:data:`AIM_WORDS`), so that a negation
    before it ("without forgetting") is the paper's aim, not a contrast."""
    low = text.lower()
    return any(w in low.split() for w in AIM_WORDS.get(notation, ()))


def _acronym_forms(doc: Doc) -> dict[str, str]:
    """Long form -> acronym, both as :func:`cue_form`, from the paper's acronym definitions
    ("Mixture-of-Experts (MoE)")."""
    acr = list(doc.spans.get(abbreviations.SPANS_KEY, []))
    return {
        cue_form(long_span.text): cue_form(short_span.text)
        for long_span, short_span in zip(acr[::2], acr[1::2], strict=False)
    }


def _anaphoric_hits(
    doc: Doc, matches: list[tuple[str, int, int]], sent_of: dict[int, int]
) -> list[tuple[str, int, int]]:
    """A bare head noun with a determiner ("these heads"), in a later sentence than a multi-word
    cue ending in that noun ("attention heads"), supports the cue's topic."""
    first: dict[str, tuple[int, str]] = {}  # head noun -> (sentence of its first cue, topic)
    for notation, start, end in sorted(matches, key=lambda m: m[1]):
        head = doc[end - 1].lower_
        if end - start > 1 and head in ANAPHORIC_HEADS and head not in first:
            first[head] = (sent_of.get(start, -1), notation)
    out = []
    for tok in doc:
        if tok.lower_ in first and tok.i > 0 and doc[tok.i - 1].lower_ in ANAPHORIC_DETS:
            sent, notation = first[tok.lower_]
            if sent_of.get(tok.i, -1) > sent:
                out.append((notation, tok.i - 1, tok.i + 1))
    return out


def _proposed(doc: Doc, sents: list[Span], sent_of: dict[int, int]) -> tuple[set[int], set[int]]:
    """Tokens of proposed names (with their long forms), and the sentences introducing them."""
    names = list(doc.spans.get(proposed.SPANS_KEY, []))
    texts = {s.text for s in names}
    acr = list(doc.spans.get(abbreviations.SPANS_KEY, []))
    for long_span, short_span in zip(acr[::2], acr[1::2], strict=False):
        if short_span.text in texts or long_span.text in texts:
            names += [long_span, short_span]
    tokens = {i for s in names for i in range(s.start, s.end)}
    # the first abstract sentence where each proposed name occurs (a title name is usually
    # introduced again in the abstract: "We propose FooNet, a ...")
    proposal: set[int] = set()
    for name in {s.text for s in doc.spans.get(proposed.SPANS_KEY, [])}:
        pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
        k = next(
            (k for k, x in enumerate(sents) if not is_title(x) and pattern.search(x.text)), None
        )
        if k is not None:
            proposal.add(k)
    return tokens, proposal


@Language.factory("kg_topic_cues")
def make_topic_cues(nlp: Language, name: str) -> TopicCues:
    return TopicCues(nlp, name)
