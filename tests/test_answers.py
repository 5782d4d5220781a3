"""Answers a store generation keeps for the library's slow queries (kg.sparql.answers)."""

from __future__ import annotations

import json

from kg.sparql.answers import answer_key, precomputed_queries, read_answer
from kg.sparql.library import render_library_query
from kg.sparql.native import run_native
from kg.sparql.query import run_query
from kg.store import open_store
from kg.store.core import ANSWERS, generation_dir


def _rows(result) -> list[list[str]]:
    return [[t.n3() if t is not None else "" for t in row] for row in result.rows]


def test_build_keeps_the_answer_of_every_precomputed_query(sample_build):
    _, out = sample_build
    kept = precomputed_queries()
    assert any(label.startswith("shared-entities (a= b=)") for label, _ in kept)
    with open_store(out) as handle:
        gen = generation_dir(out, handle.generation)
        for label, sparql in kept:
            answer = read_answer(gen, sparql)
            assert answer is not None, label
            live = run_native(handle.store, sparql)
            assert answer.variables == live.variables
            assert _rows(answer) == _rows(live), label
            assert answer.rows, f"{label}: the sample should share entities across topics"


def test_run_query_serves_the_kept_answer_only_for_its_exact_text(sample_build, tmp_path):
    import shutil

    _, built = sample_build
    out = tmp_path / "copy"
    shutil.copytree(built, out)
    sparql = render_library_query("shared-entities", ["a=", "b="])
    other = render_library_query("shared-entities", ["a=", "b=", "limit=7"])
    with open_store(out) as handle:
        path = generation_dir(out, handle.generation) / ANSWERS / answer_key(sparql)
        live = _rows(run_native(handle.store, sparql))
        assert _rows(run_query(handle, sparql)) == live
        # A kept answer is what run_query returns: an edited one shows through ...
        document = json.loads(path.read_text(encoding="utf-8"))
        document["results"]["bindings"] = document["results"]["bindings"][:3]
        path.write_text(json.dumps(document), encoding="utf-8")
        assert len(run_query(handle, sparql).rows) == 3
        # ... only for the exact query text it was computed for
        assert read_answer(path.parent.parent, other) is None
        assert len(run_query(handle, other).rows) == min(7, len(live))
        document["kg:query"] = other  # a file whose text does not match is never served
        path.write_text(json.dumps(document), encoding="utf-8")
        assert _rows(run_query(handle, sparql)) == live
