"""CSAbstruct (sentence roles) JSON lines -> (sentences, labels) per abstract, and their Doc.

Each line: ``{"sentences": [...], "labels": [...]}`` (other keys ignored). Training
(:mod:`kg.train.claims`) and evaluation (:mod:`kg.evaluation.csabstruct`) both read the file
here and build each abstract's Doc with :func:`sentences_doc`, so the gold segmentation is the
same in both and scores are per gold sentence.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import KGError

if TYPE_CHECKING:  # the readers load no spaCy: benchmarks read the labels without it
    from spacy.language import Language
    from spacy.tokens import Doc

LABELS = ("background", "objective", "method", "result", "other")


def read_csabstruct(path: Path) -> list[tuple[list[str], list[str]]]:
    """(sentences, labels) per abstract; a malformed file raises KGError with one clear line."""
    path = Path(path)
    if not path.is_file():
        raise KGError(f"{path}: file not found")
    out = []
    with path.open(encoding="utf8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as err:
                raise KGError(f"{path}:{n}: not JSON ({err.msg})") from None
            if not isinstance(rec, dict):
                raise KGError(f"{path}:{n}: expected a JSON object per line")
            sents, labels = rec.get("sentences"), rec.get("labels")
            if not isinstance(sents, list) or not isinstance(labels, list):
                raise KGError(f"{path}:{n}: needs 'sentences' and 'labels' lists")
            if len(sents) != len(labels):
                raise KGError(f"{path}:{n}: {len(sents)} sentences but {len(labels)} labels")
            if not all(isinstance(s, str) and s.strip() for s in sents):
                raise KGError(f"{path}:{n}: every sentence must be a non-empty string")
            bad = [lab for lab in labels if lab not in LABELS]
            if bad:
                raise KGError(
                    f"{path}:{n}: unknown label {bad[0]!r} (expected one of {', '.join(LABELS)})"
                )
            if sents:
                out.append((sents, labels))
    if not out:
        raise KGError(f"{path}: no abstracts")
    return out


def sentences_doc(nlp: Language, sentences: Sequence[str]) -> Doc:
    """A Doc of the sentences joined by spaces, with the given sentence boundaries."""
    text = " ".join(s.strip() for s in sentences)
    doc = nlp.make_doc(text)
    starts = set()
    pos = 0
    for s in sentences:
        starts.add(pos)
        pos += len(s.strip()) + 1
    for tok in doc:
        tok.is_sent_start = tok.idx in starts or tok.i == 0
    return doc
