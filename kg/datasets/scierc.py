"""SciERC (DyGIE JSON lines) -> spaCy ``Doc``/``DocBin``.

One ``Doc`` per abstract (document level) with the gold sentence boundaries. SciERC tokens are
PTB-style (``-LRB-``, ``''``): they are unescaped and the text is detokenized so ``doc.text`` looks
like the raw abstracts the product pipeline sees; training then re-tokenizes that text with spaCy's
tokenizer (``gold_preproc = false``) and aligns the gold entities, exactly like run time.

Entity offsets in the file are document-level and END-INCLUSIVE. ``doc.ents`` cannot hold
overlapping spans, so nested/overlapping ones are resolved with :func:`spacy.util.filter_spans`
(the longest span wins, then the earliest); the count of dropped spans is returned in the stats.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from spacy.tokens import Doc, DocBin, Span
from spacy.util import filter_spans
from spacy.vocab import Vocab

from kg.errors import KGError

LABELS = ("Task", "Method", "Metric", "Material", "OtherScientificTerm", "Generic")

PTB_UNESCAPE = {
    "-LRB-": "(",
    "-RRB-": ")",
    "-LSB-": "[",
    "-RSB-": "]",
    "-LCB-": "{",
    "-RCB-": "}",
    "``": '"',
    "''": '"',
}
# Checked on the raw (PTB) tokens, where opening and closing quotes still differ.
_NO_SPACE_BEFORE = {
    ",",
    ".",
    ";",
    ":",
    ")",
    "]",
    "}",
    "%",
    "?",
    "!",
    "'s",
    "n't",
    "'",
    "''",
    "-RRB-",
    "-RSB-",
    "-RCB-",
}
_NO_SPACE_AFTER = {"(", "[", "{", "``", "-LRB-", "-LSB-", "-LCB-"}


@dataclass
class ConversionStats:
    docs: int = 0
    sentences: int = 0
    tokens: int = 0
    entities: int = 0  # gold spans in the file
    kept: int = 0  # spans stored in doc.ents
    dropped_overlapping: int = 0  # spans dropped because they overlap/nest another span
    dropped_by_label: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def read_scierc(path: Path) -> Iterator[dict]:
    """Yield validated SciERC records; raise :class:`KGError` on a missing or malformed file."""
    path = Path(path)
    if path.is_dir():
        hint = f" such as {path / 'dev.json'}" if (path / "dev.json").is_file() else ""
        raise KGError(f"{path}: a directory; give a SciERC file (DyGIE JSON lines){hint}")
    if not path.is_file():
        raise KGError(f"{path}: no such file")
    n = 0
    try:
        with path.open(encoding="utf8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as err:
                    raise KGError(f"{path}:{lineno}: not SciERC JSON lines ({err.msg})") from None
                if (
                    not isinstance(rec, dict)
                    or not isinstance(rec.get("sentences"), list)
                    or not isinstance(rec.get("ner"), list)
                    or len(rec["ner"]) != len(rec["sentences"])
                ):
                    raise KGError(
                        f"{path}:{lineno}: not a SciERC record (needs 'sentences' and 'ner' lists "
                        "of equal length)"
                    )
                n += 1
                yield rec
    except UnicodeDecodeError:
        raise KGError(f"{path}: not a UTF-8 text file") from None
    if n == 0:
        raise KGError(f"{path}: no SciERC records")


def _detokenize(words: list[str]) -> tuple[list[str], list[bool]]:
    out = [PTB_UNESCAPE.get(w, w) for w in words]
    spaces = []
    for i, w in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else None
        space = nxt is not None and nxt not in _NO_SPACE_BEFORE and w not in _NO_SPACE_AFTER
        spaces.append(space)
    return out, spaces


def record_to_doc(rec: dict, vocab: Vocab, stats: ConversionStats | None = None) -> Doc:
    """One SciERC record -> one ``Doc`` with gold sentences and (non-overlapping) entities."""
    stats = stats if stats is not None else ConversionStats()
    words: list[str] = []
    sent_starts: list[bool] = []
    for sent in rec["sentences"]:
        for i, w in enumerate(sent):
            words.append(str(w))
            sent_starts.append(i == 0)
    words, spaces = _detokenize(words)
    doc = Doc(vocab, words=words, spaces=spaces, sent_starts=sent_starts)
    spans = []
    for sent_ents in rec["ner"]:
        for start, end, label in sent_ents:
            if not (0 <= start <= end < len(doc)):
                raise KGError(f"{rec.get('doc_key', '?')}: entity [{start}, {end}] out of range")
            spans.append(Span(doc, start, end + 1, label=label))  # end-inclusive -> exclusive
    kept = filter_spans(spans)
    kept_keys = {(s.start, s.end, s.label_) for s in kept}
    for s in spans:
        if (s.start, s.end, s.label_) not in kept_keys:
            stats.dropped_by_label[s.label_] = stats.dropped_by_label.get(s.label_, 0) + 1
    doc.ents = kept
    if rec.get("doc_key"):
        doc.user_data["doc_key"] = rec["doc_key"]
    stats.docs += 1
    stats.sentences += len(rec["sentences"])
    stats.tokens += len(doc)
    stats.entities += len(spans)
    stats.kept += len(kept)
    stats.dropped_overlapping += len(spans) - len(kept)
    return doc


def load_scierc(
    path: Path, vocab: Vocab | None = None, limit: int | None = None
) -> tuple[list[Doc], ConversionStats]:
    """Read a SciERC file into docs (optionally only the first ``limit`` records)."""
    vocab = vocab if vocab is not None else Vocab()
    stats = ConversionStats()
    docs = []
    for rec in read_scierc(path):
        if limit is not None and len(docs) >= limit:
            break
        docs.append(record_to_doc(rec, vocab, stats))
    return docs, stats


def convert_scierc(path: Path, output: Path, limit: int | None = None) -> ConversionStats:
    """Write a SciERC file as a ``.spacy`` DocBin; return the conversion stats."""
    docs, stats = load_scierc(path, limit=limit)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    DocBin(docs=docs, store_user_data=True).to_disk(output)
    return stats
