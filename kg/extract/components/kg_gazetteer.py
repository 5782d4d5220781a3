"""``kg_gazetteer``: curated field terms found with spaCy's PhraseMatcher.

Why a PhraseMatcher and not an EntityRuler: our matches go to ``doc.spans`` (overlaps allowed)
and are merged with model predictions by ``kg_entities``, instead of fighting over ``doc.ents``.
Case-sensitive forms (acronyms, model names) match on ORTH, the rest on LOWER.

The term tables are named by the config (``terms``, ``mined_datasets``: package data by default,
the files the linker reads too, see :mod:`kg.extract.tables`) and read by ``initialize()`` or,
for a saved pipeline, ``from_disk()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from kg.errors import KGError
from kg.extract.tables import read_cfg, resolve, write_cfg
from kg.lexicon.terms import is_case_sensitive, read_terms

SPANS_KEY = "kg_gazetteer"
TERMS = "kg.data:terms.tsv"
MINED_DATASETS = "kg.data:datasets_mined.tsv"


class Gazetteer:
    def __init__(self, nlp: Language, name: str, terms: str, mined_datasets: str) -> None:
        self.name = name
        self.nlp = nlp
        self.refs = {"terms": terms, "mined_datasets": mined_datasets}
        self.exact: PhraseMatcher | None = None
        self.folded: PhraseMatcher | None = None

    def initialize(self, get_examples: Callable[[], Iterable] | None = None, *, nlp=None) -> None:
        """Read the term tables the config names and build the two matchers."""
        nlp = nlp or self.nlp
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        for term in read_terms(resolve(self.refs["terms"]), resolve(self.refs["mined_datasets"])):
            for form in term.forms:
                matcher = self.exact if is_case_sensitive(form) else self.folded
                pattern = nlp.make_doc(form if matcher is self.exact else form.lower())
                matcher.add(term.label, [pattern])

    def __call__(self, doc: Doc) -> Doc:
        if self.exact is None or self.folded is None:
            raise KGError(f"'{self.name}' has no terms: initialize the pipeline or load it")
        spans = self.exact(doc, as_spans=True) + self.folded(doc, as_spans=True)
        doc.spans[SPANS_KEY] = sorted(spans, key=lambda s: (s.start, -len(s)))
        return doc

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        write_cfg(path, self.refs)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> Gazetteer:
        self.refs = read_cfg(path, self.refs)
        self.initialize()
        return self


@Language.factory("kg_gazetteer", default_config={"terms": TERMS, "mined_datasets": MINED_DATASETS})
def make_gazetteer(nlp: Language, name: str, terms: str, mined_datasets: str) -> Gazetteer:
    return Gazetteer(nlp, name, terms, mined_datasets)
