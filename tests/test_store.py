"""The Oxigraph store: build output, reading, locking, crash safety, incremental add, export."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kg.errors import KGError
from kg.ingest import SAMPLE_DIR
from kg.sparql.query import load_graph, run_query
from kg.store import (
    StoreBusy,
    WriterLock,
    is_store,
    load_directory,
    open_store,
    read_manifest,
    store_of,
)
from kg.store.core import Publisher, generation_dir, store_root
from kg.store.export import PROVENANCE_GRAPH, export

REPO = Path(__file__).resolve().parents[1]
SMALL = SAMPLE_DIR / "000_bcbd85c17ff45941.txt"  # 7 papers
MEDIUM = SAMPLE_DIR / "001_25be13e0edc890ca.txt"  # 50 records, 7 of them also in SMALL
COUNT_PAPERS = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a kg:Paper }"
KG_CMD = [sys.executable, "-c", "from kg.cli import main; main()"]


def _count(target) -> int:
    return int(run_query(target, COUNT_PAPERS).rows[0][0])


def _copy_build(sample_build, tmp_path: Path) -> Path:
    _, out = sample_build
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    return copy


def _quads(path: Path) -> set[str]:
    import io

    buf = io.BytesIO()
    export(path, buf, "ntriples")
    return set(buf.getvalue().decode("utf-8").splitlines())


# --- build and read --------------------------------------------------------------------------


def test_build_writes_graph_and_store(sample_build):
    result, out = sample_build
    assert (out / "graph.ttl").is_file()
    assert is_store(out)
    manifest = read_manifest(out)
    assert manifest.papers == result.papers == 249
    assert manifest.triples == result.triples
    assert manifest.written_by == "build" and not manifest.sparql_updated
    with open_store(out) as handle:
        assert len(handle.store) == result.triples


def test_query_on_store_runs_in_oxigraph(sample_build):
    _, out = sample_build
    graph = load_graph(out)  # a directory: the store, as an rdflib Graph
    assert store_of(graph) is not None  # ... that run_query hands to Oxigraph directly
    assert len(graph) == read_manifest(out).triples  # rdflib's API sees the data too
    from rdflib import RDF, URIRef

    papers = set(graph.subjects(RDF.type, URIRef("https://w3id.org/mlkg/ontology#Paper")))
    assert len(papers) == 249
    assert _count(graph) == 249
    with open_store(out) as handle:
        assert _count(handle) == 249
    ask = run_query(graph, "ASK { ?p dcterms:subject topic:RAG }")
    assert ask.kind == "ASK" and ask.boolean is True
    built = run_query(graph, "CONSTRUCT { ?p a kg:Paper } WHERE { ?p a kg:Paper }")
    assert built.kind == "CONSTRUCT" and len(built.graph) == 249
    with pytest.raises(KGError, match="malformed SPARQL query"):
        run_query(graph, "SELECT * WHERE { ?s ?p }")


def test_directory_without_store_reads_graph_ttl(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "graph.ttl").write_text(
        "@prefix kg: <https://w3id.org/mlkg/ontology#> .\n"
        "<https://w3id.org/mlkg/paper/a> a kg:Paper .\n"
        "<https://w3id.org/mlkg/paper/b> a kg:Paper .\n",
        encoding="utf-8",
    )
    assert not is_store(plain)
    graph = load_directory(plain)
    assert store_of(graph) is None and _count(graph) == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(KGError, match="neither a kg store"):
        load_directory(empty)


def test_two_processes_read_at_once(sample_build):
    _, out = sample_build
    script = textwrap.dedent(
        f"""
        from kg.store import open_store
        from kg.sparql.query import run_query
        h = open_store({str(out)!r})
        for _ in range(20):
            n = run_query(h, {COUNT_PAPERS!r}).rows[0][0]
        print(int(n))
        """
    )
    with open_store(out):  # this process holds it open too
        procs = [
            subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        outputs = [p.communicate(timeout=60)[0].strip() for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert outputs == ["249", "249"]


# --- writers ---------------------------------------------------------------------------------


def test_second_writer_gets_a_clear_error(sample_build, tmp_path):
    store = _copy_build(sample_build, tmp_path)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import time
            from kg.store import WriterLock
            from kg.store.core import store_root
            WriterLock(store_root({str(store)!r}), "test writer").acquire()
            print("locked", flush=True)
            time.sleep(60)
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(
            StoreBusy, match=rf"being written by another process \(pid {holder.pid}: test writer\)"
        ):
            WriterLock(store_root(store)).acquire()
        cli = subprocess.run(
            [*KG_CMD, "add", str(SMALL), "--store", str(store), "-q"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert cli.returncode == 2
        assert "being written by another process" in cli.stderr
        assert "Traceback" not in cli.stderr
    finally:
        holder.kill()
        holder.wait()
    with WriterLock(store_root(store)):  # released when the holder died
        pass
    assert _count(open_store(store)) == 249  # readers never blocked, store untouched


def test_killed_write_leaves_previous_store_usable(sample_build, tmp_path):
    store = _copy_build(sample_build, tmp_path)
    before = read_manifest(store)
    # A writer that has staged a whole new generation (here: an empty graph) and is killed
    # before publishing it.
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import time
            from pathlib import Path
            from kg.store.core import Publisher
            empty = Path({str(tmp_path)!r}) / "empty.ttl"
            empty.write_text("")
            pub = Publisher(Path({str(store)!r})).__enter__()
            pub.stage_turtle(empty, [])
            print("staged", flush=True)
            time.sleep(60)
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout.readline().strip() == "staged"
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    debris = [p.name for p in store_root(store).iterdir() if p.name.startswith("tmp-")]
    assert debris  # the half-written generation is there ...
    assert read_manifest(store).generation == before.generation  # ... but not current
    assert _count(open_store(store)) == 249
    with Publisher(store):  # the next writer clears the debris
        pass
    assert not [p for p in store_root(store).iterdir() if p.name.startswith("tmp-")]
    assert _count(open_store(store)) == 249


def test_old_generations_are_removed_unless_in_use(sample_build, tmp_path):
    store = _copy_build(sample_build, tmp_path)
    ttl = store / "graph.ttl"

    def publish():
        with Publisher(store) as pub:
            pub.stage_turtle(ttl, None)
            return pub.publish(249, "build").generation

    first = read_manifest(store).generation
    reader = open_store(store)  # holds the first generation open
    second, third = publish(), publish()
    gens = sorted(p.name for p in store_root(store).iterdir() if p.name.startswith("gen-"))
    assert gens == [first, second, third]  # first is in use, second is the previous one
    assert _count(reader) == 249
    reader.close()
    fourth = publish()
    gens = sorted(p.name for p in store_root(store).iterdir() if p.name.startswith("gen-"))
    assert gens == [third, fourth]


# --- incremental add -------------------------------------------------------------------------


def test_incremental_add_equals_rebuild(tmp_path):
    from kg.build import build
    from kg.build.add import add

    rebuilt = tmp_path / "rebuild"
    build([SMALL, MEDIUM], rebuilt)
    grown = tmp_path / "incremental"
    build([SMALL], grown)
    result = add([MEDIUM], grown)
    assert result.changed
    assert result.added == 43 and result.merged + result.unchanged == 7
    assert (grown / "graph.ttl").read_bytes() == (rebuilt / "graph.ttl").read_bytes()
    assert _quads(grown) == _quads(rebuilt)
    assert read_manifest(grown).papers == read_manifest(rebuilt).papers == 50
    # the answers kept for the library's slow queries are the new generation's own
    kept = [generation_dir(d, read_manifest(d).generation) / "answers" for d in (grown, rebuilt)]
    assert sorted(p.name for p in kept[0].iterdir()) == sorted(p.name for p in kept[1].iterdir())
    assert all((kept[0] / p.name).read_bytes() == p.read_bytes() for p in kept[1].iterdir())

    # The same papers again: nothing is extracted and nothing is written.
    generation = read_manifest(grown).generation
    again = add([MEDIUM, SMALL], grown)
    assert not again.changed and again.added == 0 and again.unchanged == 50
    assert read_manifest(grown).generation == generation
    assert (grown / "graph.ttl").read_bytes() == (rebuilt / "graph.ttl").read_bytes()


def test_add_needs_a_store(tmp_path):
    cli = subprocess.run(
        [*KG_CMD, "add", str(SMALL), "--store", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == 2
    assert cli.stderr.strip().splitlines() == [
        f"kg: error: {tmp_path}: not a kg store; create it first with kg build -o {tmp_path}"
    ]


def test_add_and_serve_given_the_graph_file_name_the_build_directory(tmp_path):
    """``--store kg-out/graph.ttl``: the message points at kg-out, not at building a store
    where a file is."""
    from kg.build import build
    from kg.store.core import not_a_store_error

    out = tmp_path / "out"
    build([SMALL], out)
    graph = out / "graph.ttl"
    message = str(not_a_store_error(graph))
    assert message == f"{graph}: a file of the build {out}; pass the build directory {out}"
    other = tmp_path / "notes.txt"
    other.write_text("x")
    assert "a file, not a kg store" in str(not_a_store_error(other))
    cli = subprocess.run(
        [*KG_CMD, "add", str(SMALL), "--store", str(graph)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == 2 and cli.stderr.strip().splitlines() == [f"kg: error: {message}"]


# --- export ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["turtle", "nquads", "jsonld"])  # trig: test_export_cli
def test_export_round_trips(sample_build, tmp_path, fmt):
    import pyoxigraph as ox

    result, out = sample_build
    target = tmp_path / f"graph.{fmt}"
    exported = export(out, target, fmt)
    assert exported.quads == result.triples
    formats = {
        "turtle": ox.RdfFormat.TURTLE,
        "ntriples": ox.RdfFormat.N_TRIPLES,
        "nquads": ox.RdfFormat.N_QUADS,
        "trig": ox.RdfFormat.TRIG,
        "jsonld": ox.RdfFormat.JSON_LD,
    }
    assert len(list(ox.parse(path=str(target), format=formats[fmt]))) == result.triples


def test_export_splits_provenance_into_a_named_graph(sample_build, tmp_path):
    import pyoxigraph as ox

    result, out = sample_build
    target = tmp_path / "split.nq"
    exported = export(out, target, "nquads", split_provenance=True)
    quads = list(ox.parse(path=str(target), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == result.triples
    named = ox.NamedNode(PROVENANCE_GRAPH)
    prov = [q for q in quads if q.graph_name == named]
    content = [q for q in quads if q.graph_name != named]
    assert len(prov) == exported.provenance > 0
    evidence = "https://w3id.org/mlkg/evidence/"
    assert all(not q.subject.value.startswith(evidence) for q in content)
    assert any(q.subject.value.startswith(evidence) for q in prov)
    papers = [q for q in quads if q.predicate.value.endswith("#proposes")]
    assert papers and all(q.graph_name == ox.DefaultGraph() for q in papers)
    with pytest.raises(KGError, match="needs a format with named graphs"):
        export(out, tmp_path / "x.ttl", "turtle", split_provenance=True)


def test_export_puts_each_paper_in_its_own_named_graph(sample_build, tmp_path):
    import pyoxigraph as ox

    result, out = sample_build
    target = tmp_path / "papers.nq"
    exported = export(out, target, "nquads", per_paper=True)
    quads = list(ox.parse(path=str(target), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == exported.quads == result.triples
    base = "https://w3id.org/mlkg/"
    papers = {
        q.subject.value
        for q in quads
        if q.predicate.value.endswith("#type") and q.object.value.endswith("#Paper")
    }
    assert exported.papers == len(papers) > 1
    by_graph = {q.graph_name.value for q in quads if q.graph_name != ox.DefaultGraph()}
    assert by_graph == papers  # every named graph is a paper, every paper has one
    for q in quads:
        minted = q.subject.value.startswith(
            tuple(base + ns for ns in ("paper/", "sentence/", "claim/", "evidence/", "acronym/"))
        )
        shared = q.subject.value.startswith((base + "entity/", base + "relation/", base + "topic/"))
        assert not minted or q.graph_name != ox.DefaultGraph(), q
        assert not shared or q.graph_name == ox.DefaultGraph(), q
    # a paper's graph holds its own evidence: the evidence's paper is the graph's name
    for q in quads:
        if q.subject.value.startswith(base + "evidence/") and q.predicate.value.endswith(
            "#subject"
        ):
            assert q.object.value == q.graph_name.value
    # each paper's quads come together: one run per graph (TriG: one block per paper)
    graphs = [q.graph_name for q in quads]
    runs = [g for i, g in enumerate(graphs) if i == 0 or g != graphs[i - 1]]
    assert len(runs) == len(set(runs)), "a paper's graph is split into several runs"
    trig = tmp_path / "papers.trig"
    export(out, trig, "trig", per_paper=True)
    assert trig.read_text(encoding="utf-8").count(" {\n") == len(papers)
    with pytest.raises(KGError, match="--graph-per-paper needs a format with named graphs"):
        export(out, tmp_path / "x.ttl", "turtle", per_paper=True)
    with pytest.raises(KGError, match="choose one"):
        export(out, tmp_path / "x.nq", "nquads", per_paper=True, split_provenance=True)


def test_export_cli(sample_build, tmp_path):
    _, out = sample_build
    cli = subprocess.run(
        [
            *KG_CMD,
            "export",
            str(out),
            "--format",
            "trig",
            "--split-provenance",
            "-o",
            str(tmp_path / "g.trig"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == 0, cli.stderr
    assert "provenance graph" in cli.stderr
    text = (tmp_path / "g.trig").read_text(encoding="utf-8")
    assert text.count(f"<{PROVENANCE_GRAPH}> {{") == 1
    bad = subprocess.run(
        [*KG_CMD, "export", str(out), "--format", "rdfa"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "unknown export format" in bad.stderr


def test_manifest_is_json_with_history(sample_build):
    _, out = sample_build
    data = json.loads((store_root(out) / "CURRENT.json").read_text())
    assert data["format"] == 1 and data["history"][-1]["generation"] == data["generation"]


def test_validate_reads_a_store_directory(sample_build):
    from rdflib import URIRef

    from kg.store import read_graph as load_graph_file

    result, out = sample_build
    graph = load_graph_file(out)  # through the loader the store registers
    assert len(graph) == result.triples
    graph.add((URIRef("http://ex/a"), URIRef("http://ex/b"), URIRef("http://ex/c")))  # a copy
    assert read_manifest(out).triples == result.triples


def test_an_older_vocabulary_is_refused_in_one_line_and_migrated(tmp_path):
    """A store or graph file written in vocabulary 1 gives one line saying what to do, never a
    wrong answer; kg migrate rewrites the store from its records, and then it answers."""
    import json
    import subprocess
    import sys

    from kg.build import build
    from kg.ingest import SAMPLE_DIR
    from kg.vocab import VOCABULARY_VERSION

    out = tmp_path / "out"
    build([SAMPLE_DIR / "000_bcbd85c17ff45941.txt"], out)
    manifest = out / "store" / "CURRENT.json"
    data = json.loads(manifest.read_text())
    del data["vocabulary"]  # what a store of before the versioning holds
    manifest.write_text(json.dumps(data))
    old_ttl = tmp_path / "old.ttl"
    text = (out / "graph.ttl").read_text()
    old_ttl.write_text(
        text.replace(f'kg:vocabularyVersion "{VOCABULARY_VERSION}"', 'kg:vocabularyVersion "1"')
    )

    def kg(*args):
        return subprocess.run(
            [sys.executable, "-m", "kg", *args], capture_output=True, text=True, timeout=120
        )

    count = "SELECT (COUNT(*) AS ?n) WHERE { ?p a kg:Paper }"
    for target, fix in ((out, "kg migrate"), (old_ttl, "rebuild")):
        proc = kg("query", str(target), count)
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert proc.returncode != 0 and len(lines) == 1 and "Traceback" not in proc.stderr
        assert "vocabulary version 1" in lines[0] and fix in lines[0], lines
    # the endpoint refuses at start, in the same line (it answered a 503 per query)
    proc = kg("serve", str(out), "--port", "0")
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode != 0 and len(lines) == 1 and "kg migrate" in lines[0], proc.stderr
    migrated = kg("migrate", str(out), "-q")
    assert migrated.returncode == 0, migrated.stderr
    assert json.loads(manifest.read_text())["vocabulary"] == VOCABULARY_VERSION
    proc = kg("query", str(out), count, "--format", "csv")
    assert proc.returncode == 0 and proc.stdout.split()[-1] == "7", proc.stdout + proc.stderr
    assert (out / "graph.ttl").read_text() == text  # the same graph as a fresh build's
