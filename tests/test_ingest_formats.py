"""Messages for bad records (FILE:LINE:COLUMN, one complete line), the field names and their
aliases, wrapper objects of records, and docs/input-formats.md against the code it describes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import InputProblem, KGError
from kg.ingest import read_inputs, readers
from kg.ingest.fields import FIELD_NAMES, REQUIRED_FIELDS
from kg.records import Paper

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "input-formats.md"
KG = [sys.executable, "-m", "kg"]


def read(*paths: str | Path) -> tuple[list[Paper], list[InputProblem]]:
    papers: list[Paper] = []
    problems: list[InputProblem] = []
    for record in read_inputs([str(p) for p in paths]):
        (papers if isinstance(record, Paper) else problems).append(record)
    return papers, problems


def _one_line(message: str) -> None:
    assert "\n" not in message
    assert not re.search(r"line \d+ column \d+|\(char \d+\)", message), message  # json's tail


# ------------------------------------------------------------------------ positions in messages


def test_malformed_json_lines_give_line_column_and_the_whole_reason(tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text(
        '{"title": "Fine", "abstract": "Read."}\n'
        '{"title": "Cut", "abstract": "no end\n'
        '   {"title": "A", bad}\n'
        '{"title": "T", "abstract": "A"} trailing\n'
        '{"title": "Also fine", "abstract": "Read too."}\n'
    )
    papers, problems = read(path)
    assert [p.title for p in papers] == ["Fine", "Also fine"]
    assert [str(p) for p in problems] == [
        f"{path}:2:30: malformed JSON: Unterminated string starting at column 30",
        f"{path}:3:19: malformed JSON: Expecting property name enclosed in double quotes",
        f"{path}:4:33: malformed JSON: Extra data",
    ]
    for problem in problems:
        _one_line(str(problem))
    # The column points at the fault: line 3 has "bad" at column 19 (after 3 spaces).
    assert path.read_text().splitlines()[2][18:21] == "bad"


def test_a_malformed_json_array_names_line_and_column(tmp_path):
    path = tmp_path / "papers.json"
    path.write_text(
        '[\n  {"title": "A", "abstract": "B."},\n  {"title": "C" "abstract": "D."}\n]\n'
    )
    records = read_inputs([path])
    assert next(records).title == "A"
    with pytest.raises(KGError) as err:
        next(records)
    assert str(err.value) == f"{path}:3:17: malformed JSON array: Expecting ',' delimiter"


def test_a_malformed_pretty_printed_document_names_line_and_column(tmp_path):
    path = tmp_path / "papers.json"
    path.write_text('{\n  "papers": [\n    {"title": "A" "abstract": "B."}\n  ]\n}\n')
    with pytest.raises(KGError, match=r"papers\.json:3:19: malformed JSON: Expecting ',' delim"):
        list(read_inputs([path]))


def test_unparseable_xml_column_points_at_the_fault(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        "  <entry><title>x</titel></entry>\n</feed>\n"
    )
    with pytest.raises(KGError) as err:
        list(read_inputs([path]))
    assert str(err.value) == f"{path}:3:20: unparseable XML: mismatched tag"
    assert path.read_text().splitlines()[2][17:19] == "</"  # expat points at the tag's name


# ---------------------------------------------------------------------------- field names


def _value(field: str) -> object:
    return {
        "title": "A Title",
        "abstract": "An abstract.",
        "id": "X1",
        "arxiv_id": "2401.04088",
        "url": "https://arxiv.org/abs/2401.04088",
        "date": "2024-01-08",
        "authors": "Ada Lovelace and Alan Turing",
        "author_count": 7,
        "affiliation": "Somewhere",
        "venue": "NeurIPS",
    }[field]


def _paper_value(paper: Paper, field: str) -> object:
    if field == "url":
        return paper.arxiv_id
    return getattr(paper, field)


_EXPECTED = {"url": "2401.04088", "authors": ["Ada Lovelace", "Alan Turing"]}


@pytest.mark.parametrize(
    ("field", "name"), [(f, n) for f, names in FIELD_NAMES.items() for n in names]
)
def test_every_field_name_in_the_table_is_read(tmp_path, field, name):
    record = {"title": "A Title", "abstract": "An abstract."}
    if field in REQUIRED_FIELDS:
        del record[field]
    value = _value(field)
    if name == "year":
        value = "2024"
    record[name.upper() if name == "publishedat" else name] = value  # keys: any case
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(record) + "\n")
    (paper,), problems = read(path)
    assert problems == []
    expected = "2024" if name == "year" else _EXPECTED.get(field, value)
    assert _paper_value(paper, field) == expected


def test_the_first_name_of_a_field_wins():
    path_text = {"abstract": "First.", "summary": "Second.", "title": "T"}
    from kg.ingest.fields import paper_from_record

    paper = paper_from_record(path_text, "x.jsonl", 1)
    assert paper.abstract == "First."


def test_a_record_with_other_key_names_says_which_names_are_read(tmp_path):
    path = tmp_path / "other.jsonl"
    path.write_text(
        '{"name": "A Paper", "text": "Its abstract."}\n{"name": "B", "summary": "S."}\n'
    )
    papers, problems = read(path)
    assert papers == []
    title_names = ", ".join(FIELD_NAMES["title"])
    abstract_names = ", ".join(FIELD_NAMES["abstract"])
    assert [str(p) for p in problems] == [
        f"{path}:1: record has no title and no abstract (title is read from: {title_names}; "
        f"abstract from: {abstract_names}; the record's fields: name, text)",
        f"{path}:2: record has no title (title is read from: {title_names}; the record's "
        "fields: name, summary)",
    ]


def test_a_csv_header_may_use_an_alias_and_a_missing_column_names_them(tmp_path):
    good = tmp_path / "alias.csv"
    good.write_text("Title,Summary\nA Title,An abstract.\n")
    (paper,), _ = read(good)
    assert paper.abstract == "An abstract."
    bad = tmp_path / "bad.csv"
    bad.write_text("title,text\nA,B\n")
    names = ", ".join(FIELD_NAMES["abstract"])
    with pytest.raises(KGError, match=re.escape(f"no abstract column (abstract from: {names};")):
        read_inputs([bad])


# ------------------------------------------------------------------------- wrapper objects


def test_a_pretty_printed_wrapper_object_yields_its_records(tmp_path):
    path = tmp_path / "api.json"
    path.write_text(
        json.dumps(
            {
                "count": 3,
                "papers": [
                    {"title": "One", "abstract": "First."},
                    {"title": "Two", "summary": "Second."},
                    {"title": "No abstract"},
                ],
            },
            indent=2,
        )
    )
    papers, problems = read(path)
    assert [(p.title, p.abstract, p.sources) for p in papers] == [
        ("One", "First.", [f"{path}:4"]),
        ("Two", "Second.", [f"{path}:8"]),
    ]
    assert [p.line for p in problems] == [12]
    assert "record has no abstract" in problems[0].message


def test_a_one_line_wrapper_in_json_lines_yields_its_records(tmp_path):
    path = tmp_path / "w.jsonl"
    path.write_text(
        '{"papers": [{"title": "A", "abstract": "B."}, {"title": "C", "abstract": "D."}]}\n'
        '{"title": "E", "abstract": "F."}\n'
    )
    papers, problems = read(path)
    assert problems == []
    assert [(p.title, p.sources) for p in papers] == [
        ("A", [f"{path}:1"]),
        ("C", [f"{path}:1"]),
        ("E", [f"{path}:2"]),
    ]


def test_a_pretty_printed_single_record_is_read(tmp_path):
    path = tmp_path / "one.json"
    path.write_text('{\n  "Title": "Solo",\n  "abstract": "Alone."\n}\n')
    (paper,), problems = read(path)
    assert (paper.title, paper.sources, problems) == ("Solo", [f"{path}:1"], [])


def test_two_lists_are_not_guessed_and_the_message_says_so(tmp_path):
    path = tmp_path / "two.jsonl"
    path.write_text('{"train": [{"title": "A", "abstract": "B."}], "test": [{"x": 1}]}\n')
    papers, problems = read(path)
    assert papers == []
    (problem,) = problems
    assert str(problem).startswith(f"{path}:1: record has no title and no abstract (")
    assert "2 of its fields hold lists of objects (train, test)" in problem.message
    _one_line(str(problem))


def test_a_field_list_such_as_authors_is_not_taken_for_records(tmp_path):
    path = tmp_path / "authors.jsonl"
    path.write_text('{"name": "X", "authors": [{"name": "Ada"}]}\n')
    papers, problems = read(path)
    assert papers == [] and len(problems) == 1
    assert problems[0].message.endswith("the record's fields: name, authors)")


def test_json_lines_with_a_cut_off_first_line_is_still_read_line_by_line(tmp_path):
    path = tmp_path / "cut.jsonl"
    path.write_text('{"title": "Cut", "abstract":\n{"title": "T", "abstract": "A."}\n')
    papers, problems = read(path)
    assert [p.sources for p in papers] == [[f"{path}:2"]]
    assert [str(p) for p in problems] == [f"{path}:1:29: malformed JSON: Expecting value"]


# ------------------------------------------------------------------------------ end to end


def _kg(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*KG, *args], cwd=cwd, capture_output=True, text=True, timeout=600,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )  # fmt: skip


def test_build_of_only_bad_records_fails_naming_each(tmp_path):
    (tmp_path / "bad.jsonl").write_text(
        '{"title": "A", bad}\n{"title": "B", "abstract": "oops}\n{"name": "C", "text": "D."}\n'
    )
    proc = _kg("build", "bad.jsonl", "-o", "out", "-q", cwd=tmp_path)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert lines == [
        "kg: skipped bad.jsonl:1:16: malformed JSON: Expecting property name enclosed in double "
        "quotes",
        "kg: skipped bad.jsonl:2:28: malformed JSON: Unterminated string starting at column 28",
        "kg: skipped bad.jsonl:3: record has no title and no abstract (title is read from: "
        f"{', '.join(FIELD_NAMES['title'])}; abstract from: {', '.join(FIELD_NAMES['abstract'])}; "
        "the record's fields: name, text)",
        "kg: error: no usable papers in the inputs (3 records skipped)",
    ]


def test_build_of_a_partly_bad_file_skips_and_says_why(tmp_path):
    (tmp_path / "some.jsonl").write_text(
        '{"title": "Sparse Mixture of Experts", "abstract": "We propose SparseNet for '
        'translation."}\n'
        '{"title": "Broken", "abstract": "x" "y"}\n'
        '{"title": "Dense Retrieval", "summary": "We evaluate DenseNet on MS MARCO."}\n'
    )
    proc = _kg("build", "some.jsonl", "-o", "out", "-q", "--no-store", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == [
        "kg: skipped some.jsonl:2:37: malformed JSON: Expecting ',' delimiter"
    ]
    assert "  skipped:  1 records (see messages above)" in proc.stdout
    assert re.search(r"papers: +2 \(2 records read", proc.stdout), proc.stdout


# --------------------------------------------------------------------------- the document


def _table(heading: str) -> list[list[str]]:
    """The rows (cells, backticks dropped) of the first table after ``heading`` in the doc."""
    text = DOC.read_text()
    section = text[text.index(heading) :]
    rows = []
    for line in section.splitlines()[1:]:
        if line.startswith("|"):
            cells = [c.strip().replace("`", "") for c in line.strip("|").split("|")]
            if not set(cells[0]) <= {"-"}:
                rows.append(cells)
        elif rows:
            break
    return rows[1:]  # without the header


def test_the_doc_lists_every_reader_with_its_suffixes():
    documented = {row[0]: row[1] for row in _table("## Formats")}
    assert documented == {r.name: ", ".join(r.suffixes) for r in readers()}


def test_the_doc_lists_every_field_name_in_the_order_read():
    documented = {row[0]: row[1] for row in _table("## Fields")}
    assert documented == {field: ", ".join(names) for field, names in FIELD_NAMES.items()}


def test_a_record_with_an_empty_or_foreign_list_is_one_reported_record(tmp_path):
    """Not a wrapper: ``"refs": []`` must not make the record vanish, and a list of objects
    that are not records either is one problem for the line, not one per object."""
    from kg.ingest import read_inputs
    from kg.records import Paper

    empty = tmp_path / "e.jsonl"
    empty.write_text('{"name": "x", "refs": []}\n')
    foreign = tmp_path / "f.jsonl"
    foreign.write_text('{"name": "x", "refs": [{"a": 1}, {"b": 2}, {"c": 3}]}\n')
    for path in (empty, foreign):
        items = list(read_inputs([path]))
        papers = [i for i in items if isinstance(i, Paper)]
        problems = [i for i in items if not isinstance(i, Paper)]
        assert not papers
        assert len(problems) == 1 and problems[0].line == 1, problems


def test_a_blank_abstract_does_not_hide_the_summary():
    from kg.ingest.fields import paper_from_record
    from kg.records import Paper

    paper = paper_from_record({"title": "T", "abstract": "  ", "summary": "S text"}, "x", 1)
    assert isinstance(paper, Paper) and paper.abstract == "S text"
