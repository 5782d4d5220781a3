"""The rules by which ``kg_entities`` (:mod:`kg.extract.components.kg_entities`) merges every
entity source into one typed span group, ``doc.spans["kg_entities"]``.

Sources, by priority: proposed names > acronym definitions > gazetteer > name shapes, and then
the trained NER where none of those found anything. Among the rule sources overlaps resolve
longest-first (ties by priority), so "mixture of LoRA experts" wins over "LoRA" and
"Embodied-RAG" over "RAG". Types come from the strongest evidence: the curated term
table, the long form of an acronym, the NER label, then the words around the mention ("X
benchmark", "the X dataset").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from rapidfuzz import fuzz
from spacy.tokens import Span, Token

from kg.extract import names, proposed
from kg.extract.sections import sentence_bounds, span_text
from kg.extract.tokens import token_table
from kg.lexicon import normalize
from kg.lexicon.terms import Term

if TYPE_CHECKING:
    from importlib.abc import Traversable

SPANS_KEY = "kg_entities"
#: A paper's definition of a table name matches the table's expansion at this rapidfuzz ratio.
EXPANSION_RATIO = 80.0

if not Span.has_extension("kg_extractor"):
    Span.set_extension("kg_extractor", default=None)

#: SciERC labels -> graph types. Generic ("this method") is dropped; Material is decided by context.
NER_LABELS = {
    "Method": "Method",
    "Task": "Task",
    "Metric": "Metric",
    "OtherScientificTerm": "Concept",
    "Material": "Material",
}
PRIORITY = {"kg_proposed": 5, "kg_abbreviations": 4, "kg_gazetteer": 3, "ner": 2, "kg_names": 1}

TASK_HEADS = {
    "answering",
    "generation",
    "editing",
    "retrieval",
    "detection",
    "classification",
    "translation",
    "summarization",
    "reasoning",
    "recognition",
    "understanding",
    "learning",
    "extraction",
    "completion",
    "prediction",
    "parsing",
    "tagging",
    "labeling",
    "alignment",
    "transfer",
    "search",
    "navigation",
    "planning",
    "verification",
    "segmentation",
}
METRIC_HEADS = {"score", "accuracy", "rate", "error", "precision", "recall", "f1", "perplexity"}


class TermLabels:
    """The term table's type of a form. An acronym ("MAP", "EM") must match a form exactly:
    folding it to the table's "mAP" (mean average precision) typed every MAP (maximum a
    posteriori) a Metric. Other forms fold case ("Imagenet", "MultiWoZ")."""

    def __init__(self, terms: Iterable[Term]) -> None:
        self.exact: dict[str, Term] = {}
        self.folded: dict[str, Term] = {}
        for term in terms:
            for form in term.forms:
                self.exact.setdefault(form, term)
                self.folded.setdefault(form.lower(), term)

    def get(self, text: str, defined_as: str | None = None) -> str | None:
        """The table's type of ``text``; None if it is not in the table, or if this paper
        defines it (``defined_as``) as something else than the table's expansions of it
        ("expectation maximization (EM)": the table's EM is exact match, a Metric)."""
        term = self.exact.get(text)
        if term is None and not normalize.is_acronym(text):
            term = self.folded.get(text.lower())
        if term is None:
            return None
        if defined_as is not None and not _expands(term, defined_as):
            return None
        return term.label


def _expands(term: Term, long_form: str) -> bool:
    """Whether ``long_form`` is (close to) one of the term's expansions, or the term lists
    none: "text-to-text transformers" is T5's "text-to-text transfer transformer"."""
    expansions = [normalize.surface_key(f) for f in term.forms if " " in f.strip()]
    key = normalize.surface_key(long_form)
    return not expansions or any(fuzz.ratio(key, e) >= EXPANSION_RATIO for e in expansions)


def singular(word: str) -> str:
    """Lower-cased and singular, as surface keys fold it: "Datasets" -> "dataset", also
    "corpora" -> "corpus". (``rstrip("s")`` made "corpus" "corpu", so "X corpus" never counted
    as a dataset context.)"""
    word = word.lower()
    return "corpus" if word == "corpora" else normalize.singular(word)


def label_from_head(long_form: str) -> str:
    last = long_form.replace("-", " ").split()[-1]
    head = last.lower().rstrip("s")
    if singular(last) in proposed.DATASET_WORDS or head in {"bench", "data"}:
        return "Dataset"
    if head in METRIC_HEADS:
        return "Metric"
    if head in TASK_HEADS or head + "s" in TASK_HEADS:
        return "Task"
    return "Method"


#: Endings that name benchmarks and datasets ("HotpotQA", "AnaloBench", "AlpacaEval", "Arena-Hard").
DATASET_SUFFIXES = ("QA", "Bench", "bench", "Eval", "-Hard", "Set", "Corpus", "Pile")
#: Words that make a sentence an evaluation sentence ("we evaluate on ...", "benchmarks such as").
EVALUATION_WORDS = {
    "benchmark",
    "benchmarks",
    "dataset",
    "datasets",
    "evaluate",
    "evaluated",
    "evaluation",
    "evaluations",
    "experiments",
    "tested",
    "corpora",
}
COORDINATION = {",", "and", "or", "(", ")", ";", "as", "well", "including", "like", "such"}


#: Function words the NER leaves at a span's edges: "generalization of the", "regret and",
#: "on the MIMIC" (1,370 of 82,493 entities of a 10k-abstract corpus build ended in one).
EDGE_WORDS = {
    "the", "a", "an", "this", "these", "its", "their", "of", "and", "or", "to", "in", "for",
    "with", "on", "by", "as", "at", "from", "via", "over", "than", "into", "that", "which",
    "is", "are", "was", "were", "between",
}  # fmt: skip


def _strippable(token: Token, edge: str) -> bool:
    if token.is_space:
        return True
    if token.is_punct:
        return token.text != "(" if edge == "start" else token.text not in {")", "+", "++"}
    # a function word standing alone ("in-context learning" keeps its "in"); at the end in any
    # case ("regret and"), at the start only in lower case: "The Pile" is a name
    if edge == "end":
        before = token.nbor(-1) if token.i > 0 else None
        return token.lower_ in EDGE_WORDS and (before is None or bool(before.whitespace_))
    return token.text in EDGE_WORDS and bool(token.whitespace_)


def trim(span: Span) -> Span | None:
    """Drop whitespace, stray punctuation, function words and an unpaired "$" (a formula's edge:
    "polynomial kernel of order $k$" gave "polynomial kernel of order $") at the edges of a
    (model-predicted) span."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and _strippable(doc[start], "start"):
        start += 1
    while start < end and _strippable(doc[end - 1], "end"):
        end -= 1
    if start < end and span_text(doc[start:end]).count("$") % 2:  # an unpaired "$" at an edge
        if doc[end - 1].text == "$":
            end -= 1
        elif doc[start].text == "$":
            start += 1
    # a count before a lower-case phrase is no part of the term: "six datasets", "3,002
    # geometry problems" (not "20 Newsgroups", a name)
    while (
        end - start >= 2
        and _is_count(doc[start])
        and doc[start].whitespace_
        and (doc[start + 1].is_lower or doc[start + 1].lower_ in _MAGNITUDES)
    ):
        start += 1
    # "LLM-based", "BERT-based" (130 and 103 corpus papers as entities): the name is the entity
    if (
        end - start >= 3
        and doc[end - 1].lower_ in proposed.NAME_SUFFIXES
        and doc[end - 2].text == "-"
        and not doc[end - 2].whitespace_
        and any(c.isupper() for c in doc[start : end - 2].text)
    ):
        end -= 2
    if start == end:
        return None
    return span if (start, end) == (span.start, span.end) else Span(doc, start, end, span.label)


#: Count words after a number ("six million question-answer pairs"), trimmed with it.
_MAGNITUDES = {"hundred", "thousand", "million", "billion"}
#: Cardinals that count things; not "zero" ("zero shot learning") nor ordinals ("second
#: language learners").
_CARDINALS = set(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen"
    " sixteen seventeen eighteen nineteen twenty thirty forty fifty hundred thousand million"
    " billion".split()
)


def _is_count(token: Token) -> bool:
    text = token.text.replace(",", "")
    return text.isdigit() or token.lower_ in _CARDINALS


#: Sentence adverbs the NER tags as methods ("Meanwhile, ...": 80 mentions in 10,000 corpus
#: abstracts; "Remarkably,", "Nowadays,"), dropped when a comma follows them.
DISCOURSE_WORDS = {
    "meanwhile",
    "nowadays",
    "oftentimes",
    "moreover",
    "furthermore",
    "however",
    "besides",
    "instead",
    "overall",
    "thus",
    "hence",
    "therefore",
}
#: Phrases that are never entities, whatever tagged them: "state-of-the-art (SOTA)" is an acronym
#: definition, so it became a Method (28 mentions in 10,000 corpus abstracts).
NOT_ENTITIES = {"state of the art", "sota"}
#: Words that start the object of a verb: a single "-ing" word before them is the verb
#: ("highlighting the need", "boosting their accuracy", "shedding light on"), not a task or a
#: method (in 15,000 corpus abstracts the NER tagged "highlighting" 59 times before "the", "its"
#: or "a").
OBJECT_STARTS = {
    "the", "a", "an", "its", "their", "our", "his", "her", "this", "these", "those", "them",
    "it", "how", "what", "whether", "light",
}  # fmt: skip


def not_an_entity(span: Span) -> bool:
    """Discourse adverbs, "on average" (the NER's Metric "average": 130 mentions in 10,000
    corpus abstracts), URLs (code links, tagged as methods) and :data:`NOT_ENTITIES`."""
    doc = span.doc
    text = span_text(span).lower().replace("-", " ")
    if text in NOT_ENTITIES or "://" in text or text.startswith(("www.", "github.com/")):
        return True
    if len(span) != 1:
        return False
    before = doc[span.start - 1].lower_ if span.start > 0 else ""
    after = doc[span.end].text if span.end < len(doc) else ""
    if text == "average" and before == "on":
        return True
    if after != ",":
        return False
    return text in DISCOURSE_WORDS or (
        text.endswith("ly") and len(text) > 5 and span[0].is_sent_start is True
    )


def read_modifiers(path: Traversable) -> frozenset[str]:
    """Words that name no entity alone ("real-world", "computational"), mined from the corpus
    by ``scripts/mine_modifiers.py`` into ``kg/data/modifiers_mined.tsv`` (none when the file
    is absent). ``kg_entities`` reads the file its config names."""
    if not path.is_file():
        return frozenset()
    return frozenset(
        line.split("\t")[0]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )


def lone_modifier(span: Span, modifiers: frozenset[str]) -> bool:
    """One word that modifies a noun it does not include: the NER's "computational" in "the
    computational and memory cost", "fast" in "the method is fast" (:func:`read_modifiers`)."""
    text = span_text(span)  # "real-world" is three tokens, one word
    return not any(c.isspace() for c in text) and text.lower() in modifiers


def verb_before_object(span: Span) -> bool:
    """A single lower-case "-ing" word followed by the start of its object is a verb
    ("highlighting the need", "boosting their accuracy"). Applied to NER spans only: a curated
    term ("fine-tuning a model") is the paper's method however it is phrased."""
    if len(span) != 1 or span.end >= len(span.doc):
        return False
    word = span[0]
    return (
        word.is_lower
        and word.text.endswith("ing")
        and len(word.text) > 5
        and span.doc[span.end].text in OBJECT_STARTS
    )


_INLINE_MATH = re.compile(r"\$\$.*?\$\$|\$[^$]*\$")
_WORD = re.compile(r"[A-Za-z]{2,}")


def mostly_math(text: str) -> bool:
    """LaTeX from arXiv abstracts ("$\\Theta(d^2)$", "$\\mathcal{C}$", a span cut through
    "${\\bf"): the models tag such formulas as methods and concepts (hundreds per 10,000
    corpus abstracts), but a formula is not an entity. A name with math in it stays when
    words stand beside the math ("$\\beta$-VAE", "$\\mathcal{H}$-divergence")."""
    if "$" not in text and "\\" not in text:
        return False
    rest = _INLINE_MATH.sub(" ", text)
    if "$" in rest or "\\" in rest:  # cut through a formula, or LaTeX outside $...$
        return True
    return _WORD.search(rest) is None


#: A variable with a subscript, alone or after a word ("L_K", "probabilities P_ij"); not a
#: norm or the F-score ("L_1", "l_p", "F_1"), which name concepts
_SUBSCRIPTED = re.compile(
    r"(?:^|\s)(?![LlF]_\{?(?:\d|p|q)\}?$)[A-Za-z]{1,2}_\{?[A-Za-z0-9]{1,4}\}?$"
)
#: "N+1", "K^2", "N=10" (not R^2, the coefficient of determination)
_ARITHMETIC = re.compile(r"^(?!R\^2$)(?:[A-Za-z]\s*[+*/^=]\s*\d+|\d+\s*[+*/^=]\s*[A-Za-z])$")
#: A citation key of an old abstract: "Merz95", "Breiman92", "Smith2004"
_CITATION_KEY = re.compile(r"^[A-Z][a-z]{2,}(?:(?:19|20)\d{2}|[7-9]\d)[a-z]?$")


def symbol_or_citation(text: str) -> bool:
    """A lone letter, a subscripted variable, a little formula without "$" or a citation key:
    the recognizer tags them as methods, and no reader looks them up (two blind judges called
    "G", "L_K", "N+1" and "Merz95" junk in the 8th node sample)."""
    return (
        (len(text) == 1 and text.isalpha())
        or _SUBSCRIPTED.search(text) is not None
        or _ARITHMETIC.match(text) is not None
        or _CITATION_KEY.match(text) is not None
    )


def titled_dataset_name(text: str) -> bool:
    """ "Waymo Open Dataset", "Common Crawl Corpus", "German Sign Language dataset": capitalised
    words before a dataset word. Title Case alone is no name (titles capitalise every word:
    "Dependent Data", "Noisy Labels"), so at least two such words and the dataset word."""
    words = text.split()
    return (
        len(words) >= 3
        and singular(words[-1]) in proposed.DATASET_WORDS
        and all(w[:1].isupper() for w in words[:-1])
    )


def dataset_name_shape(text: str) -> bool:
    return len(text) > 3 and text.endswith(DATASET_SUFFIXES) and names.is_name_like(text)


def retype_coordinated_datasets(chosen: list[Span]) -> None:
    """In an evaluation sentence, names listed next to a dataset are datasets too.

    "on GAIA, WebWalkerQA, and HLE" - once one item of the list is a known dataset, the
    other name-shaped items (typed Method only by default) are retyped.
    """
    # nothing to retype without a Dataset and a Method: most papers (the labels are cheap to
    # read, the sentences' words are not)
    if not any(s.label_ == "Dataset" for s in chosen) or not any(
        s.label_ == "Method" for s in chosen
    ):
        return
    by_sent: dict[tuple[int, int], list[Span]] = {}
    for span in chosen:
        by_sent.setdefault(sentence_bounds(span.doc, span.start), []).append(span)
    for (a, b), spans in by_sent.items():
        sent = spans[0].doc[a:b]
        texts = token_table(sent.doc).text  # Token.lower_ is the text lower-cased
        if not any(texts[i].lower() in EVALUATION_WORDS for i in range(a, b)):
            continue
        spans.sort(key=lambda s: s.start)
        changed = True
        while changed:
            changed = False
            for a, b in zip(spans, spans[1:], strict=False):
                gap = sent.doc[a.end : b.start]
                if len(gap) > 4 or any(t.lower_ not in COORDINATION for t in gap):
                    continue
                for x, y in ((a, b), (b, a)):
                    if (
                        x.label_ == "Dataset"
                        and y.label_ == "Method"
                        and y._.kg_extractor == "kg_names"
                    ):
                        y.label_ = "Dataset"
                        changed = True


def dataset_context(span: Span) -> bool:
    """ "X benchmark", "X dataset", "the X dataset", "datasets such as X"."""
    if dataset_name_shape(span.text):
        return True
    doc = span.doc
    after = {singular(t.text) for t in doc[span.end : min(len(doc), span.end + 2)]}
    before = {singular(t.text) for t in doc[max(0, span.start - 3) : span.start]}
    return bool(after & (proposed.DATASET_WORDS | {"bench"})) or bool(
        before & {"benchmark", "dataset", "corpus", "on"}
        and span.text[:1].isupper()
        and after & {",", "and", "."}
        and any(c.isupper() for c in span.text[1:])
    )
