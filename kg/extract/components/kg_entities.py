"""``kg_entities``: every entity source merged into one typed span group,
``doc.spans["kg_entities"]`` (the priorities, trimming and typing rules:
:mod:`kg.extract.entities`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.errors import KGError
from kg.extract import abbreviations, names, proposed
from kg.extract.components import kg_gazetteer
from kg.extract.entities import (
    NER_LABELS,
    PRIORITY,
    SPANS_KEY,
    TermLabels,
    dataset_context,
    label_from_head,
    lone_modifier,
    mostly_math,
    not_an_entity,
    read_modifiers,
    retype_coordinated_datasets,
    singular,
    symbol_or_citation,
    titled_dataset_name,
    trim,
    verb_before_object,
)
from kg.extract.sections import span_text
from kg.extract.tables import read_cfg, resolve, write_cfg
from kg.extract.transformer_ner import NER_COMPONENT_KEY
from kg.lexicon.terms import read_terms

MODIFIERS = "kg.data:modifiers_mined.tsv"


#: Nouns after a metric's name that make it a method of the same spelling ("EM algorithm",
#: "EM iterations"): no metric is followed by them
METHOD_HEADS = frozenset(
    "algorithm algorithms algo procedure procedures iteration iterations iterates step steps "
    "updates update framework training learning estimation initialization process".split()
)
#: "EM-based", "EM-like": the same after a hyphen, for an acronym
METHOD_SUFFIXES = frozenset({"based", "like", "style", "type"})


def _before_method_head(span: Span) -> bool:
    doc, end = span.doc, span.end
    if end < len(doc) and doc[end].lower_ in METHOD_HEADS:
        return True
    # an acronym only: "accuracy-based metrics" still measure accuracy
    return (
        span.text.isupper()
        and end + 1 < len(doc)
        and doc[end].text == "-"
        and doc[end + 1].lower_ in METHOD_SUFFIXES
    )


class EntityMerger:
    """Reads the term table (types of known names) and the mined modifiers (words that are no
    entity alone), both named by the config and read by ``initialize()``/``from_disk()``."""

    def __init__(
        self, nlp: Language, name: str, terms: str, mined_datasets: str, modifiers: str
    ) -> None:
        self.name = name
        self.refs = {"terms": terms, "mined_datasets": mined_datasets, "modifiers": modifiers}
        self.term_labels: TermLabels | None = None
        self.modifiers: frozenset[str] = frozenset()

    def initialize(self, get_examples: Callable[[], Iterable] | None = None, *, nlp=None) -> None:
        """Read the tables the config names."""
        terms = read_terms(resolve(self.refs["terms"]), resolve(self.refs["mined_datasets"]))
        self.term_labels = TermLabels(terms)
        self.modifiers = read_modifiers(resolve(self.refs["modifiers"]))

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        write_cfg(path, self.refs)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> EntityMerger:
        self.refs = read_cfg(path, self.refs)
        self.initialize()
        return self

    def _label(
        self, span: Span, source: str, hint: str | None, long_of: dict[str, str]
    ) -> str | None:
        text = span_text(span).rstrip(".")
        meaning = long_of.get(text)  # a short form defined in this paper
        known = self.term_labels.get(text, meaning)
        if known == "Metric" and _before_method_head(span):
            return "Method"  # "EM algorithm": the table's EM is exact match, this one is not
        if known and (source != "ner" or hint in (None, "Material", known)):
            return known
        if meaning is not None:
            return self.term_labels.get(meaning) or label_from_head(meaning)
        if source == "kg_abbreviations":
            return label_from_head(text)
        if source == "kg_proposed":
            window = {
                singular(t.text) for t in span.doc[span.end : min(len(span.doc), span.end + 10)]
            }
            return "Dataset" if window & proposed.DATASET_WORDS else "Method"
        if hint == "Material":
            named = names.is_name_like(text) or titled_dataset_name(text)
            return "Dataset" if named or dataset_context(span) else "Concept"
        if hint is not None:
            return hint
        return "Dataset" if dataset_context(span) else "Method"

    def _ner_noise(self, span: Span) -> bool:
        """A recognizer span that is a verb before its object or a lone modifier."""
        return verb_before_object(span) or lone_modifier(span, self.modifiers)

    def __call__(self, doc: Doc) -> Doc:
        if self.term_labels is None:
            raise KGError(f"'{self.name}' has no term table: initialize the pipeline or load it")
        long_of = {short.text: long.text for long, short in (doc._.acronyms or [])}
        candidates: list[tuple[Span, str, str | None]] = []
        for span in doc.spans.get(proposed.SPANS_KEY, []):
            candidates.append((span, "kg_proposed", None))
        for span in doc.spans.get(abbreviations.SPANS_KEY, []):
            candidates.append((span, "kg_abbreviations", None))
        for span in doc.spans.get(kg_gazetteer.SPANS_KEY, []):
            candidates.append((span, "kg_gazetteer", span.label_))
        for ent in doc.ents:
            if ent.label_ in NER_LABELS:
                candidates.append((ent, "ner", NER_LABELS[ent.label_]))
        for span in doc.spans.get(names.SPANS_KEY, []):
            candidates.append((span, "kg_names", None))
        # rule sources first (longest-first among them), then the statistical NER only where
        # the rules found nothing: its spans are less precise on 2024-2025 names ("MoE
        # models" would otherwise swallow the acronym "MoE")
        candidates.sort(
            key=lambda c: (
                c[1] == "ner",
                -(c[0].end - c[0].start),
                -PRIORITY[c[1]],
                c[0].start,
            )
        )
        taken = [False] * len(doc)
        chosen: list[Span] = []
        proposed_texts = {span_text(s) for s in doc.spans.get(proposed.SPANS_KEY, [])}
        for span, source, hint in candidates:
            span = trim(span)
            if (
                span is None
                or any(taken[span.start : span.end])
                or mostly_math(span_text(span))
                or symbol_or_citation(span_text(span))
                or not_an_entity(span)
                or (
                    source == "ner"
                    and (verb_before_object(span) or lone_modifier(span, self.modifiers))
                )
            ):
                continue
            label = self._label(span, source, hint, long_of)
            if label is None:
                continue
            for i in range(span.start, span.end):
                taken[i] = True
            out = Span(doc, span.start, span.end, label=label)
            if span_text(span) in proposed_texts:
                out._.kg_extractor = "kg_proposed"
            elif source == "ner":  # the component that set doc.ents: ner or kg_transformer_ner
                out._.kg_extractor = doc.user_data.get(NER_COMPONENT_KEY, "ner")
            else:
                out._.kg_extractor = source
            chosen.append(out)
        chosen.sort(key=lambda s: s.start)
        retype_coordinated_datasets(chosen)
        doc.spans[SPANS_KEY] = chosen
        return doc


@Language.factory(
    "kg_entities",
    default_config={
        "terms": kg_gazetteer.TERMS,
        "mined_datasets": kg_gazetteer.MINED_DATASETS,
        "modifiers": MODIFIERS,
    },
)
def make_entity_merger(
    nlp: Language, name: str, terms: str, mined_datasets: str, modifiers: str
) -> EntityMerger:
    return EntityMerger(nlp, name, terms, mined_datasets, modifiers)
