"""Train ``kg_transformer_ner`` (the accurate pipeline's entity recognizer) on SciERC.

Plain torch, not ``spacy train``: spaCy's transformer support (spacy-transformers) has no LoRA
adapters, and tuning every weight scored lower (62.5-62.7 vs 64.1 F1) and would have to ship
90 MB. The component is still a registered spaCy factory, so the result is an ordinary pipeline
directory that ``spacy.load`` reads; only its training is outside ``spacy train``.

Recipe (docs/experiments.md, "Entity recognition"): LoRA rank 16 / alpha 32 on every linear
layer of all-MiniLM-L6-v2, layer norms and a BIO head trained too; AdamW, lr 5e-4 (head 1e-3),
10 % linear warm-up then linear decay, gradient clipping 1.0, batches of 4 abstracts. A seeded
10 % of train is held out to pick the epoch; SciERC dev is never seen.
"""

from __future__ import annotations

import copy
import random
import time
from collections.abc import Callable
from pathlib import Path

import spacy
from spacy.scorer import get_ner_prf
from spacy.training import Example

from kg.datasets import SCIERC
from kg.datasets.scierc import load_scierc
from kg.errors import KGError
from kg.extract.components.kg_transformer_ner import TransformerNER
from kg.extract.transformer_ner import (
    IGNORE,
    TAGS,
    batches,
    encode_doc,
    import_torch,
)


def _bio(biluo: list) -> list[int]:
    """Aligned BILUO tags (None or '-' where unaligned) -> BIO tag ids."""
    out = []
    for tag in biluo:
        if tag in (None, "-", ""):
            out.append(IGNORE)
        elif tag == "O":
            out.append(0)
        else:
            prefix, label = tag.split("-", 1)
            out.append(TAGS.index(("B-" if prefix in "BU" else "I-") + label))
    return out


def _examples(nlp, gold_docs: list) -> list[Example]:
    """Gold docs paired with the run-time tokenization and sentences of their text."""
    sentencizer = nlp.get_pipe("sentencizer")
    return [Example(sentencizer(nlp.make_doc(g.text)), g) for g in gold_docs]


def _f1(component: TransformerNER, examples: list[Example]) -> float:
    """Entity F1 of the component as it is now (sets the examples' predicted ``doc.ents``)."""
    for _ in component.pipe(eg.predicted for eg in examples):
        pass
    return 100 * get_ner_prf(examples)["ents_f"]


def train_transformer_ner(
    output: Path,
    train: Path = SCIERC / "train.json",
    seed: int = 0,
    epochs: int = 20,
    lr: float = 5e-4,
    head_lr: float = 1e-3,
    batch_size: int = 4,
    heldout: float = 0.1,
    rank: int = 16,
    alpha: float = 32.0,
    max_minutes: float | None = None,
    log: Callable[[str], None] = print,
) -> Path:
    """Train on ``train`` and write ``output/model-best``: a pipeline (sentencizer +
    ``kg_transformer_ner``) that ``kg eval scierc --model`` scores. -> that directory."""
    torch, _ = import_torch()
    from kg.extract import register_components

    register_components()
    if not Path(train).is_file():
        raise KGError(f"{train}: SciERC training file not found")
    if epochs < 1:
        raise KGError(f"epochs must be at least 1, got {epochs}")
    random.seed(seed)
    torch.manual_seed(seed)
    rng = random.Random(seed)

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    component: TransformerNER = nlp.add_pipe(
        "kg_transformer_ner", config={"rank": rank, "alpha": alpha}
    )
    component.load_base()
    model, tokenizer = component.model, component.tokenizer

    gold, _ = load_scierc(Path(train), vocab=nlp.vocab)
    order = list(range(len(gold)))
    rng.shuffle(order)
    n_held = round(len(order) * heldout)
    held = _examples(nlp, [gold[i] for i in order[:n_held]])
    fit = _examples(nlp, [gold[i] for i in order[n_held:]])
    chunks = []
    for eg in fit:
        chunks += encode_doc(
            tokenizer, eg.predicted, component.max_length, _bio(eg.get_aligned_ner())
        )

    head = list(model.head.parameters())
    adapters = [
        p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("head.")
    ]
    optimizer = torch.optim.AdamW(
        [{"params": adapters, "lr": lr}, {"params": head, "lr": head_lr}], weight_decay=0.01
    )
    per_epoch = (len(chunks) + batch_size - 1) // batch_size
    steps = epochs * per_epoch
    warm = max(1, int(steps * 0.1))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm)))
    )
    loss_of = torch.nn.CrossEntropyLoss(ignore_index=IGNORE)
    log(f"train {len(fit)} abstracts, held out {len(held)}, {steps} steps")
    started = time.monotonic()
    best_f1, best_state, best_epoch = -1.0, None, 0
    for epoch in range(1, epochs + 1):
        model.train()
        by_length = sorted(range(len(chunks)), key=lambda i: len(chunks[i]["ids"]))
        groups = [by_length[i : i + batch_size] for i in range(0, len(by_length), batch_size)]
        rng.shuffle(groups)
        total = 0.0
        for ids, mask, y, _ in batches(chunks, batch_size, groups):
            logits = model(ids, mask)
            loss = loss_of(logits.reshape(-1, len(TAGS)), y.reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            total += loss.item()
        f1 = _f1(component, held)
        minutes = (time.monotonic() - started) / 60
        log(f"epoch {epoch}: loss {total / per_epoch:.4f}, held-out F1 {f1:.2f}, {minutes:.1f} min")
        if f1 > best_f1:
            best_f1, best_epoch = f1, epoch
            best_state = copy.deepcopy(model.trained_state())
        if max_minutes and minutes > max_minutes:
            log(f"stopping after epoch {epoch}: {minutes:.1f} min > {max_minutes}")
            break
    model.load_state_dict(best_state, strict=False)
    log(f"best held-out F1 {best_f1:.2f} (epoch {best_epoch})")
    best = Path(output) / "model-best"
    best.parent.mkdir(parents=True, exist_ok=True)
    nlp.meta.update({"name": "kg_transformer_ner", "kg_best_epoch": best_epoch})
    nlp.to_disk(best)
    return best
