"""``kg_relations``: typed relations between the entity spans of each sentence, from the
trained :class:`kg.extract.relations.RelationModel` (features, model and training data:
:mod:`kg.extract.relations`, :mod:`kg.train.relations`), or in the accurate pipeline from
:class:`kg.extract.transformer_relations.TransformerRelationModel` (MiniLM + LoRA). One factory
for both: ``cfg.json``'s "kind" says which model the directory holds, so a pipeline's config
does not change with the model it ships, and the torch model is imported only when it is there.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import KGError
from kg.extract.relations import (
    CLASSES,
    SPANS_KEY,
    RelationModel,
    graph_reading,
    sentence_bounds,
)

#: The linear model's files (the transformer model writes ``relations.pt`` + ``cfg.json``).
LINEAR_FILES = ("model.npz", "features.txt.gz")


class RelationExtractor:
    """``kg_relations``: typed relations between the entity spans of each sentence."""

    def __init__(self, nlp: Language, name: str, spans_key: str = SPANS_KEY) -> None:
        self.name = name
        self.spans_key = spans_key
        self.model = None  # RelationModel or TransformerRelationModel (``relations(...)``)

    def set_model(self, model) -> None:
        self.model = model

    def __call__(self, doc: Doc) -> Doc:
        if self.model is None:
            raise KGError(
                f"the '{self.name}' component has no trained weights (kg train relations)"
            )
        spans = [(s.start, s.end, s.label_) for s in doc.spans.get(self.spans_key, [])]
        if len(spans) < 2:
            doc._.kg_relations = []
            return doc
        found = self.model.relations(doc, sentence_bounds(doc), spans)
        doc._.kg_relations = graph_reading(found, spans)
        return doc

    def pipe(self, stream: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in stream:
            yield self(doc)

    def initialize(self, get_examples=None, *, nlp=None) -> None:
        # weights come from kg.train.relations (set_model); nothing to do for nlp.initialize()
        return None

    # serialization ----------------------------------------------------------------------------
    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        if self.model is None:
            raise KGError(f"cannot save '{self.name}': it has no trained weights")
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        m = self.model
        # a directory holds one model: the other kind's files would be read by nobody
        stale = ("relations.pt",) if m.kind == RelationModel.kind else LINEAR_FILES
        for name in stale:
            (path / name).unlink(missing_ok=True)
        if m.kind != RelationModel.kind:
            m.save_weights(path)
            cfg = m.cfg()
            (path / "cfg.json").write_text(
                json.dumps(cfg, indent=2, sort_keys=True), encoding="utf8"
            )
            return
        # float16 halves the file; the rounding moves no shipped prediction's score by 1e-3
        np.savez_compressed(path / "model.npz", weights=m.weights.astype(np.float16), bias=m.bias)
        # mtime=0: the same weights give byte-identical files
        with open(path / "features.txt.gz", "wb") as raw:
            with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
                out.write("\n".join(m.features).encode("utf8"))
        cfg = {"classes": list(CLASSES), "threshold": m.threshold, "info": m.info}
        (path / "cfg.json").write_text(json.dumps(cfg, indent=2, sort_keys=True), encoding="utf8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> RelationExtractor:
        path = Path(path)
        try:
            cfg = json.loads((path / "cfg.json").read_text(encoding="utf8"))
            if list(cfg["classes"]) != list(CLASSES):
                raise ValueError(f"classes {cfg['classes']} are not {list(CLASSES)}")
            if cfg.get("kind", RelationModel.kind) != RelationModel.kind:
                from kg.extract.transformer_relations import TransformerRelationModel

                if cfg["kind"] != TransformerRelationModel.kind:
                    raise ValueError(f"unknown relation model kind {cfg['kind']!r}")
                self.model = TransformerRelationModel.load(path, cfg)
                return self
            with gzip.open(path / "features.txt.gz", "rt", encoding="utf8") as fh:
                features = fh.read().split("\n")
            with np.load(path / "model.npz") as arrays:
                weights, bias = arrays["weights"].astype(np.float32), arrays["bias"]
            self.model = RelationModel(features, weights, bias, cfg["threshold"], cfg.get("info"))
        except (OSError, ValueError, KeyError) as err:
            raise KGError(f"cannot load the relation model from {path}: {err}") from err
        return self


@Language.factory(
    "kg_relations",
    default_config={"spans_key": SPANS_KEY},
    assigns=["doc._.kg_relations"],
    requires=["token.is_sent_start"],
)
def make_relations(nlp: Language, name: str, spans_key: str) -> RelationExtractor:
    return RelationExtractor(nlp, name, spans_key=spans_key)
