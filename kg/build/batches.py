"""Batches of papers and their checkpoints: what was extracted, kept on disk so a re-run resumes.

The deduplicated papers are cut into consecutive batches of ``chunk_size``. Each batch has a key:
a hash of its papers and of the extraction code and model (:func:`pipeline_fingerprint`), so a
checkpoint is reused only for the same papers extracted by the same pipeline. A checkpoint is a
gzip JSON Lines file, written under a temporary name and renamed when complete::

    OUT/work/batches/<key>-<index>.jsonl.gz
      line 1    {"kg_batch": 1, "index": ..., "key": ..., "records": ..., "errors": [...], ...}
      line 2..  one PaperExtraction each (the JSON of :mod:`kg.store.extractions`)

Papers whose extraction failed are listed in the header (so a resumed run reports them again)
and left out of the records.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.errors import InputProblem, KGError, Truncated
from kg.link.resolve import Resolution
from kg.rdf.files import write_atomic
from kg.rdf.ntriples import part_triples, write_lines
from kg.records import Paper, PaperExtraction

FORMAT = 1
WORK = "work"
BATCHES = "batches"
SUFFIX = ".jsonl.gz"


@dataclass(frozen=True)
class ExtractionProblem(InputProblem):
    """A paper the pipeline failed on: skipped, reported with its batch, never silent."""

    batch: int = -1
    title: str = ""

    def __str__(self) -> str:
        return f"batch {self.batch}, paper '{self.title}' ({self.path}): {self.message}"


@dataclass
class BatchSpec:
    """One unit of extraction work (picklable: sent to worker processes and Dask workers)."""

    index: int
    key: str
    papers: list[Paper]

    @property
    def name(self) -> str:
        return checkpoint_name(self.key, self.index)


def checkpoint_name(key: str, index: int) -> str:
    return f"{key}-{index:06d}{SUFFIX}"


@dataclass
class BatchSummary:
    """What a finished batch reports back (its records stay in the checkpoint)."""

    index: int
    key: str
    papers: int
    records: int
    errors: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    reused: bool = False
    #: the whole batch failed (a worker died): no checkpoint, a re-run tries it again
    failed: bool = False
    #: papers kept but cut short (too many entities): {"path", "line", "message"} each
    notes: list[dict] = field(default_factory=list)

    @property
    def name(self) -> str:
        return checkpoint_name(self.key, self.index)

    def problems(self) -> list[InputProblem]:
        """The papers skipped (:class:`ExtractionProblem`), then those cut short
        (:class:`~kg.errors.Truncated`), as the coordinator reports them."""
        skipped: list[InputProblem] = [
            ExtractionProblem(
                path=e.get("source") or "?",
                line=None,
                message=e["error"],
                batch=self.index,
                title=e["title"],
            )
            for e in self.errors
        ]
        return skipped + [Truncated(n["path"], n["line"], n["message"]) for n in self.notes]


def failed_summary(spec: BatchSpec, error: str) -> BatchSummary:
    """A batch that produced no checkpoint: every paper reported (under the first one's name)."""
    first = spec.papers[0] if spec.papers else None
    source = (first.sources[0] if first.sources else first.id) if first else None
    title = first.title if first else "?"
    if len(spec.papers) > 1:
        error = f"{error} (the whole batch of {len(spec.papers)} papers was skipped)"
    return BatchSummary(
        index=spec.index,
        key=spec.key,
        papers=len(spec.papers),
        records=0,
        errors=[{"title": title, "source": source, "error": error}],
        failed=True,
    )


def _tree_digest(h, root: Path) -> None:
    if not root.exists():
        return
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())


@lru_cache(maxsize=4)
def pipeline_fingerprint(model_dir: str | None = None) -> str:
    """A hash of everything extraction depends on: extractor code, data tables, the model.

    Contents only (no paths or times), so it is the same on every machine with the same
    installation: Dask workers are checked against the client with it.
    """
    import kg
    from kg.extract.pipeline import PIPELINE_DIR
    from kg.ontology import TOPICS_FILE, ontology_path

    package = Path(kg.__file__).resolve().parent
    model = Path(model_dir) if model_dir else PIPELINE_DIR
    return fingerprint_of(package, ontology_path(TOPICS_FILE), model)


def fingerprint_of(package: Path, topics: Path, model: Path) -> str:
    """:func:`pipeline_fingerprint` of an explicit package tree, topic scheme and model."""
    h = hashlib.sha1(f"kg-batch-{FORMAT}".encode())
    _tree_digest(h, package / "extract")
    _tree_digest(h, package / "data")
    _tree_digest(h, package / "lexicon")
    # what extraction reads outside kg/extract: the lexicon (normalisation, topic scheme, term
    # tables), the records and the vocabulary's contracts; a --resume after editing them must
    # re-extract
    for name in EXTRACTION_READS:
        h.update(name.encode())
        h.update((package / name).read_bytes())
    h.update(topics.read_bytes())
    _tree_digest(h, model)
    return h.hexdigest()


#: Modules outside kg/extract whose content changes what extraction produces.
EXTRACTION_READS = ("records.py", "errors.py", "vocab.py")


def make_batches(
    papers: Sequence[Paper], chunk_size: int, fingerprint: str, first_index: int = 0
) -> list[BatchSpec]:
    out = []
    for index, start in enumerate(range(0, len(papers), chunk_size), start=first_index):
        chunk = list(papers[start : start + chunk_size])
        h = hashlib.sha1(fingerprint.encode())
        for paper in chunk:
            h.update(json.dumps(dataclasses.asdict(paper), sort_keys=True).encode())
        out.append(BatchSpec(index, h.hexdigest()[:16], chunk))
    return out


def write_prior_batches(
    records: Sequence[PaperExtraction], chunk_size: int, directory: Path
) -> list[BatchSpec]:
    """Checkpoints (batches ``0, 1, ...``) of records extracted before (``kg add``: the store's):
    they go through linking and writing like the batches extracted now, so an add and a
    rebuild of the same papers take the same path. Their key hashes their content."""
    from kg.store.extractions import to_json

    specs = []
    for index, start in enumerate(range(0, len(records), chunk_size)):
        chunk = records[start : start + chunk_size]
        lines = [to_json(ext) for ext in chunk]
        key = hashlib.sha1("\n".join(lines).encode()).hexdigest()[:16]
        spec = BatchSpec(index, "prior" + key, [ext.paper for ext in chunk])
        summary = BatchSummary(index=index, key=spec.key, papers=len(chunk), records=len(lines))
        write_atomic(directory / spec.name, encode_checkpoint(summary, lines))
        specs.append(spec)
    return specs


def batch_dir(out_dir: str | Path) -> Path:
    return Path(out_dir) / WORK / BATCHES


# --- checkpoint files --------------------------------------------------------------------------


def encode_checkpoint(summary: BatchSummary, lines: Sequence[str]) -> bytes:
    """The gzip bytes of one checkpoint (header line, then one record per line)."""
    header = {"kg_batch": FORMAT, **dataclasses.asdict(summary)}
    header.pop("reused", None)
    header.pop("failed", None)
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=1, mtime=0) as gz:
        gz.write((json.dumps(header, ensure_ascii=False) + "\n").encode())
        for line in lines:
            gz.write(line.encode())
            gz.write(b"\n")
    return buf.getvalue()


def read_summary(path: Path) -> BatchSummary | None:
    """The header of a checkpoint, or None if it is missing or unreadable (then: redo it)."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            header = json.loads(f.readline())
    except (OSError, EOFError, ValueError):
        return None
    if header.get("kg_batch") != FORMAT:
        return None
    names = {f.name for f in dataclasses.fields(BatchSummary)}
    return BatchSummary(**{k: v for k, v in header.items() if k in names}, reused=True)


def record_lines(source: Path | bytes) -> Iterator[str]:
    """The record lines (JSON, without newline) of a checkpoint file or its bytes."""
    raw = gzip.open(
        source if isinstance(source, Path) else io.BytesIO(source), "rt", encoding="utf-8"
    )
    with raw as f:
        f.readline()  # header
        for line in f:
            if line.strip():
                yield line.rstrip("\n")


def read_records(source: Path | bytes) -> Iterator[PaperExtraction]:
    from kg.store.extractions import from_json

    for number, line in enumerate(record_lines(source), start=2):
        try:
            yield from_json(line)
        except (ValueError, KeyError, TypeError) as err:
            where = source if isinstance(source, Path) else "checkpoint"
            raise KGError(f"{where}:{number}: damaged extraction record ({err})") from err


def clean_stale(directory: Path, keep: set[str]) -> int:
    """Remove checkpoints (and temporary files of killed writers) not named in ``keep``."""
    removed = 0
    if not directory.is_dir():
        return 0
    for path in directory.iterdir():
        if path.name not in keep and (path.name.endswith(SUFFIX) or ".tmp-" in path.name):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def write_part(
    source: Path | bytes,
    offset: int,
    resolution: Resolution,
    dest: Path | None = None,
    turtle: bool = True,
) -> tuple[int, bytes | None, bytes | None]:
    """One batch's checkpoint (file or bytes) -> N-Triples and Turtle.

    -> (lines, N-Triples bytes, Turtle bytes); the bytes are None when written to ``dest`` (and
    its .ttl sibling, unless ``turtle`` is False: :func:`kg.rdf.ntriples.write_turtle_sibling`
    writes it later). The extractors (agents) are the graph-wide part's, from the link step."""
    return write_lines(part_triples(read_records(source), offset, resolution), dest, turtle)
