"""kg serve: a real SPARQL 1.1 Protocol endpoint in a subprocess, queried with SPARQLWrapper."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

pytest.importorskip("SPARQLWrapper")
from SPARQLWrapper import CSV, JSON, POST, TURTLE, XML, SPARQLWrapper  # noqa: E402
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed  # noqa: E402

KG_CMD = [sys.executable, "-c", "from kg.cli import main; main()"]
PAPERS = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a kg:Paper }"


@contextmanager
def running_server(store: Path, *args: str):
    """``kg serve STORE --port 0 ARGS`` in a subprocess; yields its base URL."""
    proc = subprocess.Popen(
        [*KG_CMD, "serve", str(store), "--port", "0", "--workers", "1", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        if not line.startswith("kg serve: http://127.0.0.1:"):
            proc.kill()
            raise AssertionError(f"server did not start: {line!r} {proc.stderr.read()}")
        yield line.split()[2]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        assert proc.returncode is not None


@pytest.fixture(scope="module")
def server(sample_build):
    _, out = sample_build
    with running_server(out, "--timeout", "3", "--max-result-mb", "1") as url:
        yield url


def _client(url: str, fmt=JSON, query: str = PAPERS) -> SPARQLWrapper:
    client = SPARQLWrapper(url + "query", updateEndpoint=url + "update")
    client.setReturnFormat(fmt)
    client.setQuery(query)
    client.setTimeout(30)
    return client


def _http(
    url: str, data: bytes | None = None, headers: dict | None = None, method: str | None = None
):
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read().decode("utf-8")


def test_select_in_json_xml_and_csv(server):
    result = _client(server).queryAndConvert()
    assert result["results"]["bindings"][0]["n"]["value"] == "249"  # kg: prefixes predeclared
    xml = _client(server, XML).queryAndConvert()
    assert xml.getElementsByTagName("literal")[0].firstChild.data == "249"
    csv = _client(server, CSV).queryAndConvert()
    assert csv.decode().splitlines() == ["n", "249"]


def test_post_ask_and_construct(server):
    client = _client(server, JSON, "ASK { ?p dcterms:subject topic:RAG }")
    client.setMethod(POST)
    assert client.queryAndConvert()["boolean"] is True
    graph = _client(
        server, TURTLE, "CONSTRUCT { ?p a kg:Paper } WHERE { ?p a kg:Paper }"
    ).queryAndConvert()
    from rdflib import Graph

    assert len(Graph().parse(data=graph, format="turtle")) == 249


def test_library_query_through_the_endpoint(server):
    from kg.store.library import render_library_query

    client = _client(server, JSON, render_library_query("bridges", ["a=RAG", "b=MoE"]))
    titles = [b["title"]["value"] for b in client.queryAndConvert()["results"]["bindings"]]
    assert any(t.startswith("ExpertRAG") for t in titles)


def test_malformed_query_is_a_400(server):
    with pytest.raises(QueryBadFormed) as err:
        _client(server, JSON, "SELECT * WHERE { ?s ?p }").queryAndConvert()
    assert "malformed SPARQL query" in str(err.value)
    status, _, body = _http(server + "query")  # no query at all
    assert status == 400 and "exactly one query" in body


def test_updates_are_refused_by_default(server):
    client = _client(server, JSON, "INSERT DATA { <http://ex/a> <http://ex/b> <http://ex/c> }")
    client.setMethod(POST)
    with pytest.raises(urllib.error.HTTPError) as err:
        client.query()
    assert err.value.code == 403
    assert "--allow-update" in err.value.read().decode()
    assert (
        _client(server, JSON, "ASK { <http://ex/a> ?p ?o }").queryAndConvert()["boolean"] is False
    )


def test_cors_and_query_page(server):
    status, headers, _ = _http(server + "query?" + urllib.parse.urlencode({"query": PAPERS}))
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    status, headers, _ = _http(
        server + "query",
        method="OPTIONS",
        headers={"Origin": "http://localhost:8888", "Access-Control-Request-Method": "POST"},
    )
    assert status == 204 and "POST" in headers["Access-Control-Allow-Methods"]
    status, headers, page = _http(server)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "<textarea" in page and "bridges" in page
    status, _, body = _http(server + "status")
    assert status == 200 and json.loads(body)["allow_update"] is False


def test_limits_time_and_result_size(server):
    status, _, body = _http(
        server
        + "query?"
        + urllib.parse.urlencode(
            {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"}
        )
    )
    assert status == 503 and "time limit of 3 s" in body
    status, _, body = _http(
        server + "query?" + urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p ?o }"})
    )
    assert status == 413 and "add a LIMIT" in body
    assert _client(server).queryAndConvert()["results"]["bindings"][0]["n"]["value"] == "249"


def test_concurrent_queries(server):
    answers: list[str] = []

    def ask() -> None:
        answers.append(_client(server).queryAndConvert()["results"]["bindings"][0]["n"]["value"])

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert answers == ["249"] * 6


def test_updates_when_allowed(sample_build, tmp_path):
    _, out = sample_build
    store = tmp_path / "writable"
    shutil.copytree(out, store)
    with running_server(store, "--allow-update") as url:
        client = _client(url, JSON, 'INSERT DATA { <http://ex/a> <http://ex/b> "c" }')
        client.setMethod(POST)
        assert client.query().response.status == 200
        assert _client(url, JSON, 'ASK { <http://ex/a> <http://ex/b> "c" }').queryAndConvert()[
            "boolean"
        ]
        bad = _client(url, JSON, "INSERT DATA { <http://ex/a> <http://ex/b> }")
        bad.setMethod(POST)
        with pytest.raises(QueryBadFormed):
            bad.query()
        # the server holds the store's writer lock: a concurrent kg add gets a clear error
        add = subprocess.run(
            [*KG_CMD, "add", str(out / "graph.ttl"), "--store", str(store)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert add.returncode == 2 and "being written by another process" in add.stderr
    from kg.store import open_store, read_manifest

    assert read_manifest(store).sparql_updated
    with open_store(store) as handle:  # the update was published as a new generation
        assert handle.store.query('ASK { <http://ex/a> <http://ex/b> "c" }')
    # queries reading counts computed at build time say that they predate the update
    count = "SELECT (SUM(?n) AS ?s) WHERE { ?e kg:paperCount ?n }"
    for target, noted in ((store, True), (out, False)):
        done = subprocess.run(
            [*KG_CMD, "query", str(target), count], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0
        assert ("changed by SPARQL updates" in done.stderr) is noted
        assert ("values of kg:paperCount describe" in done.stderr) is noted
    plain = subprocess.run(
        [*KG_CMD, "query", str(store), "ASK { ?p a kg:Paper }"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert plain.returncode == 0 and plain.stderr == ""
    # kg viz draws the build-time topic links: on the updated store it says so
    for target, noted in ((store, True), (out, False)):
        drawn = subprocess.run(
            [*KG_CMD, "viz", str(target), "--out", str(tmp_path / "v.html")],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert drawn.returncode == 0, drawn.stderr
        assert ("topic links' shared-paper counts and weights describe" in drawn.stderr) is noted
