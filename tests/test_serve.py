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
    from kg.sparql.library import render_library_query

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


def test_no_cors_by_default_and_query_page(server):
    status, headers, _ = _http(server + "query?" + urllib.parse.urlencode({"query": PAPERS}))
    assert status == 200 and "Access-Control-Allow-Origin" not in headers
    status, headers, body = _http(
        server + "query",
        method="OPTIONS",
        headers={"Origin": "http://localhost:8888", "Access-Control-Request-Method": "POST"},
    )
    assert status == 403 and "Access-Control-Allow-Origin" not in headers and "--cors" in body
    status, headers, page = _http(server)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "<textarea" in page and "bridges" in page
    status, _, body = _http(server + "status")
    assert status == 200 and json.loads(body)["allow_update"] is False


def test_foreign_origin_and_host_are_refused(server):
    """A page on another origin cannot even POST a form; a rebinding DNS name is refused."""
    form = urllib.parse.urlencode({"query": PAPERS}).encode()
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _, body = _http(
        server + "query", data=form, headers={**form_type, "Origin": "http://evil.example"}
    )
    assert status == 403 and "http://evil.example" in body
    own = server.rstrip("/")  # the query page's own origin is fine
    status, _, body = _http(server + "query", data=form, headers={**form_type, "Origin": own})
    assert status == 200 and "249" in body
    port = urllib.parse.urlsplit(server).port
    status, _, body = _http(
        server + "query?" + urllib.parse.urlencode({"query": PAPERS}),
        headers={"Host": f"evil.example:{port}"},
    )
    assert status == 403 and "evil.example" in body
    status, _, body = _http(
        server + "query?" + urllib.parse.urlencode({"query": PAPERS}),
        headers={"Host": f"localhost:{port}"},
    )
    assert status == 200


@contextmanager
def loopback_listener():
    """A TCP listener on 127.0.0.1 that counts the connections made to it."""
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.settimeout(0.2)
    hits: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    hits.append(conn.recv(4096))
                except OSError:
                    hits.append(b"")
                conn.sendall(b"HTTP/1.1 500 no\r\nContent-Length: 0\r\n\r\n")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/sparql", hits
    finally:
        stop.set()
        thread.join(5)
        sock.close()


def test_service_queries_reach_nothing(server, sample_build):
    import time

    with loopback_listener() as (target, hits):
        for query in (
            f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
            f"select * {{ ?x a kg:Paper . service silent <{target}> {{ ?x ?p ?o }} }}",
        ):
            status, _, body = _http(server + "query?" + urllib.parse.urlencode({"query": query}))
            assert status == 403 and "SERVICE" in body and "--allow-service" in body
        # the word inside a string or a comment is no federated query
        status, _, body = _http(
            server
            + "query?"
            + urllib.parse.urlencode(
                {"query": f'ASK {{ ?s ?p "SERVICE <{target}>" }} # SERVICE <{target}>'}
            )
        )
        assert status == 200
        time.sleep(1.0)
        assert hits == []
        # opting in really sends the request: the listener can see one
        _, out = sample_build
        with running_server(out, "--allow-service") as url:
            query = f"SELECT * WHERE {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}"
            _http(url + "query?" + urllib.parse.urlencode({"query": query}))
            deadline = time.monotonic() + 10
            while not hits and time.monotonic() < deadline:
                time.sleep(0.1)
        assert hits, "with --allow-service the SERVICE request should arrive"


def test_cors_when_asked(sample_build):
    _, out = sample_build
    with running_server(out, "--cors", "http://localhost:8888") as url:
        query = url + "query?" + urllib.parse.urlencode({"query": PAPERS})
        status, headers, _ = _http(query, headers={"Origin": "http://localhost:8888"})
        assert status == 200 and headers["Access-Control-Allow-Origin"] == "http://localhost:8888"
        status, headers, _ = _http(
            url + "query",
            method="OPTIONS",
            headers={"Origin": "http://localhost:8888", "Access-Control-Request-Method": "POST"},
        )
        assert status == 204 and "POST" in headers["Access-Control-Allow-Methods"]
        status, headers, _ = _http(query, headers={"Origin": "http://other.example"})
        assert status == 403 and "Access-Control-Allow-Origin" not in headers


def test_parse_errors_say_where_and_how_to_mend(server):
    cases = {
        "SELEC ?x WHERE { ?x ?p ?o }": "did you mean SELECT?",
        "SELECT ?x WHERE { ?x ?p ?o } LIMT 3": "did you mean LIMIT?",
        "SELECT ?x WHERE { ?x ?p ?o": "'{' is never closed",
        "SELECT ?x WHERE { ?x foo:bar ?o }": "unknown prefix 'foo:'",
    }
    for query, words in cases.items():
        status, _, body = _http(server + "query?" + urllib.parse.urlencode({"query": query}))
        assert status == 400 and words in body, body
        assert "['" not in body  # no character classes of the parser


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
        ask = 'ASK { <http://ex/a> <http://ex/b> "c" }'
        assert _client(url, JSON, ask).queryAndConvert()["boolean"] is False  # now cached
        client = _client(url, JSON, 'INSERT DATA { <http://ex/a> <http://ex/b> "c" }')
        client.setMethod(POST)
        assert client.query().response.status == 200
        assert _client(url, JSON, 'ASK { <http://ex/a> <http://ex/b> "c" }').queryAndConvert()[
            "boolean"
        ]
        with loopback_listener() as (target, hits):
            status, _, body = _http(
                url + "update",
                data=f"LOAD <{target}> INTO GRAPH <http://ex/g>".encode(),
                headers={"Content-Type": "application/sparql-update"},
            )
            assert status == 403 and "LOAD" in body and "--allow-service" in body
        assert hits == []
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
    count = "SELECT (SUM(?n) AS ?s) WHERE { ?e kg:weight ?n }"
    for target, noted in ((store, True), (out, False)):
        done = subprocess.run(
            [*KG_CMD, "query", str(target), count], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0
        assert ("changed by SPARQL updates" in done.stderr) is noted
        assert ("values of kg:weight describe" in done.stderr) is noted
    plain = subprocess.run(
        [*KG_CMD, "query", str(store), "ASK { ?p a kg:Paper }"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert plain.returncode == 0 and plain.stderr == ""
    # kg viz counts the topic links from the current subjects: nothing of it is stale
    for target in (store, out):
        drawn = subprocess.run(
            [*KG_CMD, "viz", str(target), "--out", str(tmp_path / "v.html")],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert drawn.returncode == 0, drawn.stderr
        assert "describe" not in drawn.stderr and "SPARQL updates" not in drawn.stderr
