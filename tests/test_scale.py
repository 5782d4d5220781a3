"""Builds on every engine (issue 7, issue 20): process pool, Dask LocalCluster, resume, crash
isolation.

Every build takes one path; each engine, worker count and batch size must give the same graph as
the one-process build of the same input: both stores are compared quad by quad, and graph.ttl
byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from kg.build import BuildOptions, build
from kg.build.batches import batch_dir
from kg.ingest import SAMPLE_DIR
from kg.store import open_store

SMALL = SAMPLE_DIR / "000_bcbd85c17ff45941.txt"  # 7 papers
MEDIUM = SAMPLE_DIR / "001_25be13e0edc890ca.txt"  # 50 distinct papers: 7 batches of 8
BAD_TITLE = "Knowledge Grafting of Large Language Models"  # paper 9: batch 1
STOP_TITLE = "Agent Planning with World Knowledge Model"  # paper 25: batch 3


@Language.component("test_scale_raiser")
def _raiser(doc):
    if doc.text.startswith(BAD_TITLE):
        raise ValueError("test component refuses this paper")
    return doc


@Language.component("test_scale_stopper")
def _stopper(doc):
    if doc.text.startswith(STOP_TITLE):
        raise KeyboardInterrupt  # what Ctrl-C raises in the middle of the pipeline
    return doc


def add_raiser(nlp: Language) -> None:
    """Picklable setup hook: worker processes import this module and add the component."""
    nlp.add_pipe("test_scale_raiser", first=True)


def add_stopper(nlp: Language) -> None:
    nlp.add_pipe("test_scale_stopper", first=True)


EXTRACTED: list[str] = []  # the titles the counting pipeline saw (one process: workers=1)


@Language.component("test_scale_counter")
def _counter(doc):
    EXTRACTED.append(doc.text.split("\n", 1)[0])
    return doc


def add_counter(nlp: Language) -> None:
    nlp.add_pipe("test_scale_counter", first=True)


def _quads(out: Path) -> set[str]:
    with open_store(out) as handle:
        return {str(q) for q in handle.store}


def _titles(out: Path) -> set[str]:
    query = (
        "SELECT ?t WHERE { ?p a <https://w3id.org/mlkg/ontology#Paper> ; "
        "<http://purl.org/dc/terms/title> ?t }"
    )
    with open_store(out) as handle:
        return {row["t"].value for row in handle.store.query(query)}


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """The one-process build of MEDIUM with the default batches."""
    out = tmp_path_factory.mktemp("reference")
    result = build([MEDIUM], out)
    assert set(result.stages) == {"extract", "link", "write", "load"}
    return out


@pytest.fixture(scope="module")
def titles(reference) -> set[str]:
    found = _titles(reference)
    assert BAD_TITLE in found and STOP_TITLE in found
    return found


def test_two_workers_give_the_same_graph(reference, tmp_path):
    out = tmp_path / "pool"
    result = build([MEDIUM], out, options=BuildOptions(workers=2, chunk_size=8))
    assert set(result.stages) == {"extract", "link", "write", "load"}
    assert _quads(out) == _quads(reference)
    assert (out / "graph.ttl").read_bytes() == (reference / "graph.ttl").read_bytes()
    assert result.triples == len(_quads(reference))
    assert not (out / "work").exists()  # parts and checkpoints removed once built


def test_store_loaded_in_small_pieces_is_the_same_graph(reference, tmp_path, monkeypatch):
    """The scaled build bulk-loads the N-Triples in pieces (for memory): cut every ~4 KB,
    mid-part, the store must still hold exactly the reference's quads."""
    import kg.build.load

    monkeypatch.setattr(kg.build.load, "LOAD_PIECE_BYTES", 4096)
    out = tmp_path / "pieces"
    build([MEDIUM], out, options=BuildOptions(workers=1, chunk_size=8))
    assert _quads(out) == _quads(reference)


def test_line_pieces_cut_only_at_line_ends():
    import io

    from kg.store.core import line_pieces

    lines = [f"<s{i}> <p> {'x' * (i % 7)!r} .\n".encode() for i in range(200)]
    data = b"".join(lines)
    pieces = list(line_pieces(io.BytesIO(data), 100))
    assert len(pieces) > 20
    assert b"".join(pieces) == data
    assert all(piece.endswith(b"\n") and len(piece) >= 100 for piece in pieces[:-1])
    assert list(line_pieces(io.BytesIO(b""), 100)) == []
    assert list(line_pieces(io.BytesIO(b"<a> <b> <c> ."), 100)) == [b"<a> <b> <c> ."]


def test_load_pieces_in_parallel_and_a_bad_piece_fails_the_load():
    import pyoxigraph as ox

    from kg.store.core import load_pieces

    good = [f"<http://ex/s{i}> <http://ex/p> <http://ex/o{i}> .\n".encode() for i in range(9)]
    pieces = [b"".join(good[j : j + 3]) for j in range(0, 9, 3)]
    store = ox.Store()
    load_pieces(store, iter(pieces), ox.RdfFormat.N_TRIPLES, lenient=False)
    assert len(store) == 9
    bad = [*pieces, b"<http://ex/s> <http://ex/p> .\n", *pieces]
    with pytest.raises(SyntaxError):
        load_pieces(ox.Store(), iter(bad), ox.RdfFormat.N_TRIPLES, lenient=False)


@pytest.mark.parametrize("ship_bytes", [None, True], ids=["to-disk", "via-client"])
def test_dask_local_cluster_gives_the_same_graph(reference, tmp_path, ship_bytes):
    """The LocalCluster's workers write checkpoints and parts to disk; a remote cluster's
    come via the client."""
    pytest.importorskip("distributed")
    out = tmp_path / "dask"
    options = BuildOptions(engine="dask", workers=2, chunk_size=13, dask_ship_bytes=ship_bytes)
    result = build([MEDIUM], out, options=options)
    assert _quads(out) == _quads(reference)
    assert (out / "graph.ttl").read_bytes() == (reference / "graph.ttl").read_bytes()
    assert result.papers == 50


def test_interrupted_build_resumes_with_the_batches_done(reference, titles, tmp_path):
    out = tmp_path / "resume"
    options = BuildOptions(workers=1, chunk_size=8, setup=add_stopper)
    with pytest.raises(KeyboardInterrupt):
        build([MEDIUM], out, options=options)
    assert not (out / "graph.ttl").exists()
    kept = {p.name: p.stat().st_mtime_ns for p in batch_dir(out).glob("*.jsonl.gz")}
    assert len(kept) == 3  # batches 0-2; batch 3 was interrupted
    assert not list(batch_dir(out).glob(".*tmp*"))  # no half-written checkpoint

    EXTRACTED.clear()
    result = build([MEDIUM], out, options=BuildOptions(workers=1, chunk_size=8, setup=add_counter))
    assert len(EXTRACTED) == 50 - 24  # batches 0-2 (24 papers) were not extracted again
    assert result.papers == 50
    assert _quads(out) == _quads(reference)
    assert not (out / "work").exists()  # the finished build leaves no checkpoints behind


def test_fresh_build_ignores_checkpoints(tmp_path):
    out = tmp_path / "fresh"
    with pytest.raises(KeyboardInterrupt):
        build([MEDIUM], out, options=BuildOptions(chunk_size=8, setup=add_stopper), store=False)
    assert len(list(batch_dir(out).glob("*.jsonl.gz"))) == 3
    EXTRACTED.clear()
    options = BuildOptions(chunk_size=8, resume=False, setup=add_counter)
    build([MEDIUM], out, options=options, store=False)
    assert len(EXTRACTED) == 50  # every batch extracted again
    assert (out / "graph.ttl").stat().st_size > 0
    assert not (out / "work").exists()


def test_kept_ntriples_stay_and_the_checkpoints_go(tmp_path):
    out = tmp_path / "keep"
    build([SMALL], out, options=BuildOptions(chunk_size=3, keep_ntriples=True), store=False)
    assert sorted(p.name for p in (out / "work").iterdir()) == ["ntriples"]
    assert len(list((out / "work" / "ntriples").glob("*.nt"))) == 4  # global + 3 parts


def test_a_failing_paper_is_reported_and_the_rest_kept(titles, tmp_path):
    problems = []
    out = tmp_path / "crash"
    options = BuildOptions(workers=1, chunk_size=8, setup=add_raiser)
    result = build([MEDIUM], out, on_problem=problems.append, options=options)
    messages = [str(p) for p in problems]
    assert messages == [
        f"batch 1, paper '{BAD_TITLE}' (sample/{MEDIUM.name}:85): "
        "ValueError: test component refuses this paper"
    ]
    assert result.papers == 49 and len(result.skipped) == 1
    found = _titles(out)
    assert found == titles - {BAD_TITLE}


def test_cli_rejects_an_unknown_engine(tmp_path):
    from typer.testing import CliRunner

    from kg.cli import _register_commands, app

    _register_commands()
    args = ["build", str(MEDIUM), "-o", str(tmp_path), "-q", "--engine", "nope"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code != 0 and "unknown engine 'nope'" in str(result.exception)


def test_parts_are_loaded_as_they_are_written_and_a_failure_stops_the_load(tmp_path):
    """The loader thread reads each part once it is written, and stops when the run fails."""
    import threading

    from kg.build.load import ChainedFiles, PartsFeed

    parts = [tmp_path / f"part-{i}.nt" for i in range(3)]
    for i, part in enumerate(parts):
        part.write_bytes(f"line {i}\n".encode())
    feed = PartsFeed()
    read: list[bytes] = []
    reader = threading.Thread(target=lambda: read.append(ChainedFiles(parts, feed).readall()))
    reader.start()
    feed.ready(parts[1])
    feed.ready(parts[2])
    reader.join(timeout=0.3)
    assert reader.is_alive()  # part 0 is not written yet: the loader waits for it
    feed.ready(parts[0])
    reader.join(timeout=5)
    assert read == [b"line 1\nline 2\nline 0\n"]  # in the order they were written

    stopped = PartsFeed()
    stopped.ready(parts[0])
    stopped.fail("writing failed")
    with pytest.raises(OSError, match="writing failed"):
        ChainedFiles(parts, stopped).readall()


@pytest.mark.parametrize(
    ("method", "value"),
    [
        ("iri", "https://w3id.org/mlkg/data/paper/a-b_c"),
        ("iri", "https://w3id.org/mlkg/data/entity/odd name{with}|bad^chars"),
        ("literal", 'He said "x" \\ y\nz\r and é, 中文, \U0001f600'),
        ("literal", ""),
        ("integer", 0),
        ("integer", 123456),
        ("decimal", 0.5),
        ("decimal", 1.0),
        ("decimal", 0.123456),
        ("decimal", 0.0),
        ("word", "abstract"),
    ],
)
def test_term_text_parses_back_to_its_value(method, value):
    """The writer makes its data terms as N-Triples text by hand (the one part of the writing
    no library does for us): a real parser must read each back as the value it was made of."""
    from rdflib import Graph
    from rdflib.namespace import XSD

    from kg.rdf import term_text

    text = getattr(term_text, method)(value)
    graph = Graph().parse(data=f"<http://x/s> <http://x/p> {text} .\n", format="nt")
    (obj,) = graph.objects()
    if method == "iri":
        assert str(obj) == value
    elif method in ("literal", "word"):
        assert (str(obj), obj.datatype) == (value, None)
    elif method == "integer":
        assert (obj.toPython(), obj.datatype) == (value, XSD.integer)
    else:
        assert obj.datatype == XSD.decimal and abs(float(obj) - value) < 1e-4
        assert str(obj) == term_text.decimal_text(value) and not str(obj).endswith(".0")


@pytest.mark.parametrize("date", ["2024-05-17", "2024-05", "2024", "--05-17"])
def test_typed_dates_parse_back(date):
    from rdflib import Graph

    from kg.rdf import term_text
    from kg.rdf.writer import _DATE_TYPES

    dtype = next(dt for rx, dt in _DATE_TYPES if rx.match(date))
    text = term_text.typed(date, dtype)
    graph = Graph().parse(data=f"<http://x/s> <http://x/p> {text} .\n", format="nt")
    (obj,) = graph.objects()
    assert (str(obj), obj.datatype) == (date, dtype)


def test_fingerprint_covers_what_extraction_reads(tmp_path):
    """A --resume after editing the normalisation rules or the topic scheme re-extracts."""
    import shutil

    import kg
    from kg.build.batches import fingerprint_of
    from kg.ontology import TOPICS_FILE, ontology_path

    package = tmp_path / "kg"
    shutil.copytree(
        Path(kg.__file__).parent, package, ignore=shutil.ignore_patterns("models", "__pycache__")
    )
    topics = tmp_path / "topics.ttl"
    shutil.copy(ontology_path(TOPICS_FILE), topics)
    model = tmp_path / "model"
    model.mkdir()
    before = fingerprint_of(package, topics, model)
    assert fingerprint_of(package, topics, model) == before
    for edited in (package / "lexicon" / "normalize.py", package / "lexicon" / "scheme.py", topics):
        edited.write_text(edited.read_text() + "\n# edited\n")
        after = fingerprint_of(package, topics, model)
        assert after != before, edited
        before = after
