"""Gazetteer component: curated field terms found with spaCy's PhraseMatcher.

Why a PhraseMatcher and not an EntityRuler: our matches go to ``doc.spans`` (overlaps allowed)
and are merged with model predictions by ``kg_entities``, instead of fighting over ``doc.ents``.
Case-sensitive forms (acronyms, model names) match on ORTH, the rest on LOWER.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from kg.lexicon.terms import is_case_sensitive, load_terms

SPANS_KEY = "kg_gazetteer"


class Gazetteer:
    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        for term in load_terms():
            for form in term.forms:
                matcher = self.exact if is_case_sensitive(form) else self.folded
                pattern = nlp.make_doc(form if matcher is self.exact else form.lower())
                matcher.add(term.label, [pattern])

    def __call__(self, doc: Doc) -> Doc:
        spans = self.exact(doc, as_spans=True) + self.folded(doc, as_spans=True)
        doc.spans[SPANS_KEY] = sorted(spans, key=lambda s: (s.start, -len(s)))
        return doc


@Language.factory("kg_gazetteer")
def make_gazetteer(nlp: Language, name: str) -> Gazetteer:
    return Gazetteer(nlp, name)
