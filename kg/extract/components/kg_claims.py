"""``kg_claims``: the rhetorical role of each abstract sentence, the result sentences as claims.

The model (hashed features, linear-chain CRF) is :mod:`kg.extract.claims`; its weights come
from :mod:`kg.train.claims` and round-trip with ``to_disk``/``from_disk``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from spacy.attrs import IS_SPACE
from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.errors import KGError
from kg.extract.claims import SPANS_KEY, ClaimsModel, featurize
from kg.extract.sections import sentences


def _abstract_sents(doc: Doc) -> list[Span]:
    sents = sentences(doc)  # the cached bounds: doc.sents rebuilds them on every call
    if Doc.has_extension("has_title") and doc._.has_title:
        start = doc._.abstract_start
        sents = [s for s in sents if s.start_char >= start]
    space = doc.to_array(IS_SPACE)
    return [s for s in sents if not space[s.start : s.end].all()]


class ClaimsClassifier:
    """``kg_claims``: rhetorical role per sentence; ``result`` sentences become claims."""

    def __init__(self, nlp: Language, name: str, claim_labels: Sequence[str] = ("result",)):
        self.name = name
        self.vocab = nlp.vocab
        self.claim_labels = list(claim_labels)
        self.model: ClaimsModel | None = None

    def set_model(self, model: ClaimsModel) -> None:
        self.model = model

    def predict_sents(self, doc: Doc, sents: Sequence[Span]) -> tuple[list[str], list[float]]:
        if self.model is None:
            raise KGError(f"the '{self.name}' component has no trained weights (kg train claims)")
        if not sents:
            return [], []
        feats = featurize(doc, sents, context=self.model.context)
        labels, scores, _ = self.model.predict(feats)
        return labels, scores

    def __call__(self, doc: Doc) -> Doc:
        sents = _abstract_sents(doc)
        labels, scores = self.predict_sents(doc, sents)
        claims = []
        for sent, label, score in zip(sents, labels, scores, strict=False):
            sent._.rhetorical_role = label
            sent._.role_score = score
            if label in self.claim_labels:
                claims.append(sent)
        doc.spans[SPANS_KEY] = claims
        return doc

    def pipe(self, stream: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in stream:
            yield self(doc)

    def initialize(self, get_examples=None, *, nlp=None) -> None:
        # weights come from kg.train.claims (set_model); nothing to do for nlp.initialize()
        return None

    # serialization ----------------------------------------------------------------------------
    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if self.model is None:
            raise KGError(f"cannot save '{self.name}': it has no trained weights")
        np.savez_compressed(path / "model.npz", **self.model.to_arrays())
        cfg = self.model.cfg() | {"claim_labels": self.claim_labels}
        (path / "cfg.json").write_text(json.dumps(cfg, indent=2), encoding="utf8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> ClaimsClassifier:
        path = Path(path)
        try:
            cfg = json.loads((path / "cfg.json").read_text(encoding="utf8"))
            with np.load(path / "model.npz") as arrays:
                self.model = ClaimsModel.from_arrays(dict(arrays), cfg)
        except (OSError, ValueError, KeyError) as err:
            raise KGError(f"cannot load the claims model from {path}: {err}") from err
        self.claim_labels = list(cfg.get("claim_labels", self.claim_labels))
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        import io

        import srsly

        buf = io.BytesIO()
        np.savez_compressed(buf, **self.model.to_arrays())
        cfg = self.model.cfg() | {"claim_labels": self.claim_labels}
        return srsly.msgpack_dumps({"npz": buf.getvalue(), "cfg": cfg})

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> ClaimsClassifier:
        import io

        import srsly

        msg = srsly.msgpack_loads(data)
        with np.load(io.BytesIO(msg["npz"])) as arrays:
            self.model = ClaimsModel.from_arrays(dict(arrays), msg["cfg"])
        self.claim_labels = list(msg["cfg"].get("claim_labels", self.claim_labels))
        return self


@Language.factory(
    "kg_claims",
    default_config={"claim_labels": ["result"]},
    assigns=["span._.rhetorical_role", "span._.role_score", "doc.spans"],
    requires=["token.is_sent_start"],
)
def make_claims(nlp: Language, name: str, claim_labels: list[str]) -> ClaimsClassifier:
    return ClaimsClassifier(nlp, name, claim_labels=claim_labels)
