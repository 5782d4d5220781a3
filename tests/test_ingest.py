"""Tests for kg.ingest: the readers, the registry, deduplication and every bad-input case."""

from __future__ import annotations

import gzip
import itertools
import shutil
from pathlib import Path

import pytest

from kg.errors import InputProblem, KGError
from kg.ingest import SAMPLE_DIR, deduplicate, read_inputs, registry, sample_inputs
from kg.ingest.fields import arxiv_id_from, month_day_date, normalize_date, split_authors
from kg.records import Paper

DATA = Path(__file__).resolve().parent / "data" / "ingest"
CORPUS = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "corpus" / "ml_abstracts.jsonl.gz"
)


def read(*paths: str | Path) -> tuple[list[Paper], list[InputProblem]]:
    papers: list[Paper] = []
    problems: list[InputProblem] = []
    for record in read_inputs([str(p) for p in paths]):
        (papers if isinstance(record, Paper) else problems).append(record)
    return papers, problems


def by_title(papers: list[Paper]) -> dict[str, Paper]:
    return {p.title: p for p in papers}


# --------------------------------------------------------------------------------------- sample


def test_sample_inputs_are_the_three_bundled_dumps():
    files = sample_inputs()
    assert [f.name for f in files] == [
        "000_bcbd85c17ff45941.txt",
        "001_25be13e0edc890ca.txt",
        "003_8b2051b459aeeb1e.txt",
    ]
    assert all(f.parent == SAMPLE_DIR and f.is_file() for f in files)


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("000_bcbd85c17ff45941.txt", 7),
        ("001_25be13e0edc890ca.txt", 50),
        ("003_8b2051b459aeeb1e.txt", 207),
    ],
)
def test_sample_file_paper_counts(name, count):
    papers, problems = read(SAMPLE_DIR / name)
    assert problems == []
    assert len(papers) == count
    assert len({p.key for p in papers}) == count  # no duplicates within one dump


def test_sample_has_249_distinct_papers_and_no_boilerplate():
    papers, problems = read(*sample_inputs())
    assert problems == []
    assert len(papers) == 264
    distinct = deduplicate(papers)
    assert len(distinct) == 249
    titles = {p.title for p in distinct}
    assert (
        "Duo-LLM: A Framework for Studying Adaptive Computation in Large Language Models" in titles
    )
    assert not any("Subscribe" in t for t in titles)
    boilerplate = {"new", "Daily Papers", "Subscribe", "byAK and the research community", "Dec 26"}
    assert not titles & boilerplate
    assert not any(t.startswith("Get trending papers") for t in titles)
    # Every title is a title, every abstract an abstract.
    assert max(len(p.title) for p in distinct) < 200
    assert min(len(p.abstract) for p in distinct) > 250
    assert all(p.sources for p in distinct)


def test_sample_layout_a_keeps_authors_affiliation_and_dates():
    papers, _ = read(SAMPLE_DIR / "001_25be13e0edc890ca.txt")
    papers_by_title = by_title(papers)
    memories = papers_by_title[
        "Pretraining with hierarchical memories: separating long-tail and common knowledge"
    ]
    assert memories.affiliation == "Apple"
    assert memories.author_count is None
    assert (memories.date, memories.date_text) == ("--09-29", "Sep 29")  # "Sep 29 2": 2 upvotes

    monet = papers_by_title["Monet: Mixture of Monosemantic Experts for Transformers"]
    assert monet.author_count == 4
    assert (monet.date, monet.date_text) == ("2024-12-05", "Dec 5, 2024")  # "Dec 5, 2024 2"

    neural = papers[0]
    assert neural.title.startswith("Neural Incompatibility: The Unbridgeable Gap")
    assert (neural.author_count, neural.date, neural.date_text) == (4, "--05-20", "May 20")
    assert neural.sources == [f"{SAMPLE_DIR / '001_25be13e0edc890ca.txt'}:13"]

    assert sum(p.author_count is not None for p in papers) == 49
    assert all(p.date for p in papers)


def test_sample_layout_b_has_titles_and_abstracts_only():
    path = SAMPLE_DIR / "003_8b2051b459aeeb1e.txt"
    papers, _ = read(path)
    first = papers[0]
    assert (
        first.title
        == "Duo-LLM: A Framework for Studying Adaptive Computation in Large Language Models"
    )
    assert first.abstract.startswith("Large Language Models (LLMs) typically generate outputs")
    assert first.sources == [f"{path}:3"]
    assert papers[-1].title == "Tag-LLM: Repurposing General-Purpose LLMs for Specialized Domains"
    assert all(p.date is None and p.author_count is None for p in papers)


def test_sample_dedup_merges_sources_across_dumps():
    distinct = by_title(deduplicate(read(*sample_inputs())[0]))
    monet = distinct["Monet: Mixture of Monosemantic Experts for Transformers"]
    assert [s.rsplit("/", 1)[1] for s in monet.sources] == [
        "000_bcbd85c17ff45941.txt:37",
        "001_25be13e0edc890ca.txt:37",
        "003_8b2051b459aeeb1e.txt:309",
    ]
    assert (monet.author_count, monet.date) == (4, "2024-12-05")  # the dump-003 copy has neither
    assert sum(len(p.sources) > 1 for p in distinct.values()) == 14


def test_gzipped_dump_reads_the_same(tmp_path):
    source = SAMPLE_DIR / "001_25be13e0edc890ca.txt"
    target = tmp_path / "dump.txt.gz"
    target.write_bytes(gzip.compress(source.read_bytes()))
    plain, _ = read(source)
    packed, problems = read(target)
    assert problems == []
    assert [(p.title, p.abstract, p.date) for p in packed] == [
        (p.title, p.abstract, p.date) for p in plain
    ]
    assert packed[0].sources == [f"{target}:13"]


# ------------------------------------------------------------------------------ dump fixtures


def test_layout_a_fixture():
    path = DATA / "layout_a.txt"
    papers, problems = read(path)
    assert [p.title for p in papers] == [
        "Mixtral of Experts",
        "Scaling Laws for Sparse Retrieval Models",  # internal whitespace collapsed
        "Knowledge Graphs Meet Language Models: A Short Survey",
    ]
    mixtral, scaling, survey = papers
    assert (mixtral.author_count, mixtral.date, mixtral.date_text) == (
        26,
        "2024-01-08",
        "Jan 8, 2024",
    )
    assert mixtral.sources == [f"{path}:13"]
    assert (scaling.affiliation, scaling.author_count) == ("NVIDIA", None)
    assert (scaling.date, scaling.date_text) == ("--09-29", "Sep 29")
    assert (survey.author_count, survey.date) == (1, "--03-03")
    assert [str(p) for p in problems] == [
        f"{path}:29: title with no abstract: 'A Title Whose Abstract Went Missing'"
    ]


def test_layout_b_fixture_recovers_after_a_title_without_abstract():
    path = DATA / "layout_b.txt"
    papers, problems = read(path)
    assert [(p.title, p.sources) for p in papers] == [
        ("Duo-Layer Routing: Mixture of Experts Without Load Balancing", [f"{path}:3"]),
        ("Mixtral of experts", [f"{path}:5"]),
        ("Retrieval Heads Explain Long-Context Factuality", [f"{path}:8"]),
        ("Memory Networks", [f"{path}:11"]),
    ]
    assert papers[2].abstract.startswith("We find that a small set of attention heads")
    assert len(problems) == 1
    assert problems[0].line == 7
    assert "title with no abstract" in problems[0].message
    assert "An Orphan Title Without Its Abstract" in problems[0].message


# ----------------------------------------------------------------------------- other formats


def test_jsonl_fixture():
    path = DATA / "papers.jsonl"
    papers, problems = read(path)
    assert [str(p) for p in problems] == [
        f"{path}:4:56: malformed JSON: Expecting ',' delimiter",
        f"{path}:5: record has no title (title is read from: title; the record's fields: abstract)",
        f"{path}:6: record has no abstract (abstract is read from: abstract, summary; the "
        "record's fields: title, abstract (empty))",
        f"{path}:7: expected a JSON object, got an array",
    ]
    mixtral, corpus, upper, last = papers
    assert mixtral.arxiv_id == "2401.04088"
    assert mixtral.id == "http://arxiv.org/abs/2401.04088v2"
    assert mixtral.authors == ["Albert Q. Jiang", "Alexandre Sablayrolles"]
    assert (mixtral.author_count, mixtral.date, mixtral.venue) == (2, "2024-01-08", "arXiv")
    assert mixtral.sources == [f"{path}:1"]
    # Whitespace collapsed; venue and year from the "ACL2020:" id; author string split.
    assert corpus.title == "A Corpus Paper With Messy Spacing"
    assert corpus.abstract == "An abstract with odd whitespace."
    assert (corpus.venue, corpus.date, corpus.arxiv_id) == ("ACL", "2020", None)
    assert corpus.authors == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]
    assert corpus.sources == [f"{path}:3"]  # blank line 2 skipped, numbering kept
    assert upper.title == "Upper-Case Keys Are Fine"
    assert upper.arxiv_id == "hep-th/9901001"
    assert (upper.date, upper.date_text) == ("2024-12-05", "Dec 5, 2024")
    # The rest of the file is read after the bad lines.
    assert (last.title, last.date, last.venue) == (
        "Still Read After The Bad Lines",
        "2021",
        "NeurIPS",
    )


def test_json_array_file(tmp_path):
    path = tmp_path / "papers.json"
    path.write_text(
        '[\n  {"title": "First", "abstract": "One."},\n\n  {"title": "Second",\n'
        '   "abstract": "Two."},\n  {"title": "No abstract"}\n]\n'
    )
    papers, problems = read(path)
    assert [(p.title, p.sources) for p in papers] == [
        ("First", [f"{path}:2"]),
        ("Second", [f"{path}:4"]),
    ]
    assert [str(p) for p in problems] == [
        f"{path}:6: record has no abstract (abstract is read from: abstract, summary; the "
        "record's fields: title)"
    ]


def test_csv_fixture():
    path = DATA / "papers.csv"
    papers, problems = read(path)
    memory, quoted, last = papers
    assert memory.title == "Memory Networks"
    assert memory.abstract == (
        "We describe a new class of learning models called memory networks. "
        "The abstract spans two lines inside quotes."
    )
    assert memory.authors == ["Jason Weston", "Sumit Chopra", "Antoine Bordes"]
    assert (memory.id, memory.arxiv_id, memory.date) == ("1410.3916", "1410.3916", "2014-10-15")
    assert memory.sources == [f"{path}:2"]
    assert quoted.title == "Quoted, With Comma"
    assert quoted.sources == [f"{path}:4"]  # the multi-line row above took lines 2-3
    assert (last.title, last.date, last.sources) == ("Last CSV Paper", "2022-05", [f"{path}:7"])
    assert [str(p) for p in problems] == [
        f"{path}:5: record has no abstract (abstract is read from: abstract, summary; the "
        "record's fields: title, abstract (empty), authors, date (empty), id (empty))",
        f"{path}:6: bad CSV row: 7 fields, the header has 5",
    ]


def test_tsv_fixture():
    papers, problems = read(DATA / "papers.tsv")
    assert problems == []
    assert [(p.title, p.venue) for p in papers] == [
        ("Retrieval Heads Explain Long-Context Factuality", "ICLR"),
        ("A TSV Paper", None),
    ]


def test_gzip_jsonl_fixture():
    path = DATA / "papers.jsonl.gz"
    papers, problems = read(path)
    assert problems == []
    assert [(p.title, p.arxiv_id, p.sources) for p in papers] == [
        ("Compressed Paper One", "2312.00752", [f"{path}:1"]),
        ("Compressed Paper Two", None, [f"{path}:2"]),
    ]


def test_atom_fixture():
    path = DATA / "arxiv.xml"
    papers, problems = read(path)
    mixtral, old = papers
    assert mixtral.title == "Mixtral of Experts"
    assert mixtral.abstract == (
        "We introduce Mixtral 8x7B, a Sparse Mixture of Experts (SMoE) language model. "
        "Mixtral has the same architecture as Mistral 7B."
    )
    assert mixtral.id == "http://arxiv.org/abs/2401.04088v2"
    assert mixtral.arxiv_id == "2401.04088"
    assert mixtral.authors == ["Albert Q. Jiang", "Alexandre Sablayrolles"]
    assert (mixtral.author_count, mixtral.affiliation) == (2, "Mistral AI")
    assert (mixtral.date, mixtral.date_text) == ("2024-01-08", "2024-01-08T18:47:34Z")
    assert mixtral.venue == "Preprint 2024"
    assert mixtral.sources == [f"{path}:8"]
    assert (old.arxiv_id, old.date, old.sources) == ("hep-th/9901001", "1999-01-04", [f"{path}:27"])
    assert [str(p) for p in problems] == [f"{path}:34: entry has no summary"]


def test_unknown_suffix_is_sniffed():
    papers, _ = read(DATA / "jsonl_without_suffix")
    assert [p.title for p in papers] == ["Sniffed JSON Lines"]
    assert registry.reader_for(DATA / "jsonl_without_suffix").name == "jsonl"


# --------------------------------------------------------------------------------------- dedup


def test_dedup_merges_sources_and_fills_fields_across_formats():
    inputs = [DATA / n for n in ("layout_a.txt", "layout_b.txt", "papers.jsonl", "arxiv.xml")]
    papers, _ = read(*inputs)
    merged = deduplicate(papers)
    mixtral = [p for p in merged if p.key == "mixtral of experts"]
    assert len(mixtral) == 1
    m = mixtral[0]
    assert m.title == "Mixtral of Experts"  # first seen wins
    assert m.sources == [
        f"{DATA / 'layout_a.txt'}:13",
        f"{DATA / 'layout_b.txt'}:5",
        f"{DATA / 'papers.jsonl'}:1",
        f"{DATA / 'arxiv.xml'}:8",
    ]
    assert m.author_count == 26  # kept from the first
    assert m.arxiv_id == "2401.04088"  # filled from JSONL
    assert m.authors == ["Albert Q. Jiang", "Alexandre Sablayrolles"]
    assert m.venue == "arXiv"
    assert m.affiliation == "Mistral AI"  # filled from Atom
    assert len(merged) == len({p.key for p in papers})
    assert [p.key for p in merged] == list(dict.fromkeys(p.key for p in papers))


def test_dedup_keeps_inputs_unchanged_and_upgrades_month_day_dates():
    a = Paper("Same Title", "First.", sources=["a:1"], date="--05-20", date_text="May 20")
    b = Paper("same  title!", "Second.", sources=["b:7", "a:1"], date="2024-05-20", id="x1")
    c = Paper("Same Title", "Third.", sources=["c:2"], date="2023-01-01", venue="V")
    (merged,) = deduplicate([a, b, c])
    assert merged.sources == ["a:1", "b:7", "c:2"]
    assert (merged.abstract, merged.id, merged.venue) == ("First.", "x1", "V")
    assert merged.date == "2024-05-20"  # same day, now with a year; c's other date ignored
    assert a.sources == ["a:1"] and a.date == "--05-20" and a.id is None


# ---------------------------------------------------------------------------------- bad inputs


def test_missing_file():
    with pytest.raises(KGError, match=r"^nope/missing\.jsonl: no such file or directory$"):
        read_inputs(["nope/missing.jsonl"])


def test_missing_third_path_fails_before_anything_is_read():
    good = str(DATA / "papers.jsonl")
    with pytest.raises(KGError, match="typo.jsonl: no such file"):
        read_inputs([good, good, "typo.jsonl"])  # raises at the call, not while iterating


@pytest.mark.parametrize("content", [b"", b"  \n\n\t\n"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "empty.jsonl"
    path.write_bytes(content)
    with pytest.raises(KGError, match=r"empty\.jsonl: empty file"):
        read_inputs([path])


def test_empty_gzip(tmp_path):
    path = tmp_path / "empty.jsonl.gz"
    path.write_bytes(gzip.compress(b""))
    with pytest.raises(KGError, match=r"empty file \(after decompression\)"):
        read_inputs([path])


def test_unknown_format():
    with pytest.raises(KGError, match=r"unknown\.dat: unknown input format \(suffix '\.dat'"):
        read_inputs([DATA / "unknown.dat"])


def test_gzip_that_is_not_gzip():
    with pytest.raises(KGError, match=r"not_gzip\.jsonl\.gz: not a gzip file"):
        read_inputs([DATA / "not_gzip.jsonl.gz"])


def test_truncated_gzip_fails_when_reached():
    records = read_inputs([DATA / "truncated.jsonl.gz"])
    with pytest.raises(KGError, match=r"truncated\.jsonl\.gz: corrupt gzip data"):
        for _ in records:
            pass


def test_csv_without_abstract_column():
    with pytest.raises(
        KGError,
        match=r"no_abstract_column\.csv: CSV header has no abstract column "
        r"\(abstract from: abstract, summary; columns: title, id\)",
    ):
        read_inputs([DATA / "no_abstract_column.csv"])


def test_undecodable_bytes():
    with pytest.raises(KGError, match=r"latin1\.jsonl:1:\d+: not UTF-8 text \(byte 0xe9\)"):
        read_inputs([DATA / "latin1.jsonl"])


def test_undecodable_bytes_after_the_head(tmp_path):
    path = tmp_path / "late.jsonl"
    good = b'{"title": "T", "abstract": "A"}\n'
    path.write_bytes(good * 5000 + b'{"title": "\xff", "abstract": "A"}\n' + good)
    papers, problems = read(path)
    assert len(papers) == 5001
    assert [str(p) for p in problems] == [
        f"{path}:5001:12: not UTF-8 text (byte 0xff): the record on this line is skipped "
        "(convert the file with e.g. iconv -t utf-8)"
    ]
    assert papers[-1].sources == [f"{path}:5002"]


_GOOD = b'{"title": "Good %d", "abstract": "Fine."}\n'


@pytest.mark.parametrize("gz", [False, True])
def test_a_non_utf8_line_is_a_bad_record_like_malformed_json(tmp_path, gz):
    data = _GOOD % 1 + b'{"title": "Caf\xe9", "abstract": "A"}\n' + b"{broken\n" + _GOOD % 2
    path = tmp_path / ("mixed.jsonl.gz" if gz else "mixed.jsonl")
    path.write_bytes(gzip.compress(data) if gz else data)
    papers, problems = read(path)
    assert [p.title for p in papers] == ["Good 1", "Good 2"]
    assert [p.sources[0] for p in papers] == [f"{path}:1", f"{path}:4"]
    assert [str(p).split(": the record")[0].split(f"{path}:")[1] for p in problems] == [
        "2:15: not UTF-8 text (byte 0xe9)",
        "3:2: malformed JSON: Expecting property name enclosed in double quotes",
    ]


def test_a_non_utf8_line_in_csv_drops_only_its_row(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        b"title,abstract\nT1,A1\n"
        b'T2,"a quoted abstract\nwith a bad \xff byte\nover three lines"\n'
        b"T3 \xfe,A3\nT4,A4\n"
    )
    papers, problems = read(path)
    assert [(p.title, p.sources[0].rsplit(":", 1)[1]) for p in papers] == [
        ("T1", "2"),
        ("T4", "7"),
    ]
    assert [str(p).split(": the record")[0].split(f"{path}:")[1] for p in problems] == [
        "4:12: not UTF-8 text (byte 0xff)",
        "6:4: not UTF-8 text (byte 0xfe)",
    ]


@pytest.mark.parametrize("line", [13, 15, 29])  # a title, an abstract, a title without abstract
def test_a_non_utf8_line_in_a_daily_papers_dump_loses_only_its_paper(tmp_path, line):
    lines = (DATA / "layout_a.txt").read_bytes().split(b"\n")
    lines[line - 1] = lines[line - 1][:1] + b"\xff" + lines[line - 1][1:]
    path = tmp_path / "dump.txt"
    path.write_bytes(b"\n".join(lines))
    papers, problems = read(path)
    lost = {13: "Mixtral of Experts", 15: "Mixtral of Experts", 29: None}[line]
    expected = [
        "Mixtral of Experts",
        "Scaling Laws for Sparse Retrieval Models",
        "Knowledge Graphs Meet Language Models: A Short",
    ]
    assert [p.title[:46] for p in papers] == [t for t in expected if t != lost]
    assert problems[0].line == line and f"{line}:2: not UTF-8 text (byte 0xff)" in str(problems[0])
    # nothing else is reported for the lost paper (the title without abstract stays reported)
    assert len(problems) == (1 if line == 29 else 2)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (bytes(range(256)) * 4, r"bin\.jsonl: not UTF-8 text \(NUL bytes in its first"),
        ('{"title": "T", "abstract": "A"}\n'.encode("utf-16"), r"NUL bytes .*UTF-16"),
        (bytes(range(1, 256)) * 8, r"bin\.jsonl:\d+:\d+: not UTF-8 text .*; so are \d+ more"),
    ],
)
def test_a_file_that_is_not_text_fails_at_once(tmp_path, content, message):
    path = tmp_path / "bin.jsonl"
    path.write_bytes(content)
    with pytest.raises(KGError, match=message):
        read_inputs([path])


def test_a_non_utf8_line_in_xml_still_fails_the_file(tmp_path):
    text = (DATA / "arxiv.xml").read_bytes()
    path = tmp_path / "feed.xml"
    path.write_bytes(text.replace(b"<summary>", b"<summary>\xff", 1))
    with pytest.raises(KGError, match=r"feed\.xml:\d+:\d+: not UTF-8 text \(byte 0xff\)"):
        list(read_inputs([path]))


def test_a_record_too_long_to_be_an_abstract_is_skipped(tmp_path):
    from kg.ingest.inputs import MAX_RECORD_CHARS

    path = tmp_path / "long.jsonl"
    huge = "word " * (MAX_RECORD_CHARS // 5)
    path.write_text(
        '{"title": "Short", "abstract": "Fine."}\n'
        f'{{"title": "Huge", "abstract": "{huge}"}}\n'
        '{"title": "Also short", "abstract": "Fine too."}\n'
    )
    papers, problems = read(path)
    assert [p.title for p in papers] == ["Short", "Also short"]
    assert [str(p) for p in problems] == [
        f"{path}:2: record too long ({len(huge.strip()) + 4:,} characters of title and "
        f"abstract; the limit is {MAX_RECORD_CHARS:,}, real abstracts are under 10,000): skipped"
    ]


def test_unparseable_xml_names_file_and_line():
    records = read_inputs([DATA / "broken.xml"])
    first = next(records)
    assert isinstance(first, Paper) and first.title == "Fine so far"
    with pytest.raises(KGError, match=r"broken\.xml:8:29: unparseable XML: mismatched tag$"):
        next(records)


def test_xml_that_is_not_an_atom_feed(tmp_path):
    rss = tmp_path / "feed.xml"
    rss.write_text("<?xml version='1.0'?>\n<rss><channel/></rss>\n")
    with pytest.raises(KGError, match=r"feed\.xml: not an Atom feed"):
        read_inputs([rss])  # found up front
    # A feed element in another namespace gets past the head check but not the parser.
    other = tmp_path / "other.atom"
    other.write_text(
        "<?xml version='1.0'?>\n<!-- http://www.w3.org/2005/Atom -->\n<feed xmlns='urn:x'/>\n"
    )
    with pytest.raises(
        KGError, match=r"other\.atom:3: not an Atom feed \(root element <\{urn:x\}feed>"
    ):
        list(read_inputs([other]))


def test_atom_api_error_entry_is_a_problem(tmp_path):
    path = tmp_path / "error.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        "  <entry>\n    <id>http://arxiv.org/api/errors#incorrect_id_format_for_1234</id>\n"
        "    <title>Error</title>\n    <summary>incorrect id format for 1234</summary>\n"
        "  </entry>\n</feed>\n"
    )
    papers, problems = read(path)
    assert papers == []
    assert [str(p) for p in problems] == [
        f"{path}:3: arXiv API error: incorrect id format for 1234"
    ]


def test_directory_expands_to_supported_files(tmp_path):
    for name in ("papers.tsv", "layout_b.txt", "papers.jsonl.gz"):
        shutil.copy(DATA / name, tmp_path / name)
    (tmp_path / "README.md").write_text("not an input\n")
    (tmp_path / "paper.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "more").mkdir()
    (tmp_path / ".hidden.jsonl").write_text("{broken\n")
    papers, problems = read(tmp_path)
    assert str(problems[0]) == (
        f"{tmp_path}: 3 entries of no input type not read: README.md, more/, paper.pdf "
        "(inputs are .atom, .csv, .json, .jsonl, .ndjson, .tab, .tsv, .txt, .xml, .gz too; "
        "subdirectories are not searched)"
    )
    assert problems[1].path == str(tmp_path / "layout_b.txt")
    assert [p.sources[0].rsplit("/", 1)[1] for p in papers] == [
        "layout_b.txt:3",
        "layout_b.txt:5",
        "layout_b.txt:8",
        "layout_b.txt:11",
        "papers.jsonl.gz:1",
        "papers.jsonl.gz:2",
        "papers.tsv:2",
        "papers.tsv:3",
    ]


def test_directory_without_inputs(tmp_path):
    (tmp_path / "notes.md").write_text("nothing to read\n")
    with pytest.raises(KGError, match="directory has no readable inputs"):
        read_inputs([tmp_path])


def test_no_paths():
    with pytest.raises(KGError, match="no input files given"):
        read_inputs([])


# ------------------------------------------------------------------------------------ registry


def test_reader_for_uses_suffix_then_sniffing(tmp_path):
    assert registry.reader_for("x.txt").name == "dailypapers"
    assert registry.reader_for("x.jsonl.gz").name == "jsonl"
    assert registry.reader_for("x.NDJSON").name == "jsonl"
    assert registry.reader_for("x.tsv").name == "csv"
    assert registry.reader_for("x.atom").name == "atom"
    feed = tmp_path / "query_result"
    feed.write_text(Path(DATA / "arxiv.xml").read_text())
    assert registry.reader_for(feed).name == "atom"
    dump = tmp_path / "page.dump.gz"
    dump.write_bytes(gzip.compress((SAMPLE_DIR / "000_bcbd85c17ff45941.txt").read_bytes()))
    assert registry.reader_for(dump).name == "dailypapers"  # ".dump" is unknown: sniffed
    with pytest.raises(KGError, match="unknown input format"):
        registry.reader_for(DATA / "unknown.dat")


def test_registering_a_reader_plugin(tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "_readers", dict(registry._readers))

    def read_lines(path, lines):
        for n, line in enumerate(lines, 1):
            title, _, abstract = line.rstrip("\n").partition(" | ")
            yield Paper(title, abstract, sources=[f"{path}:{n}"])

    registry.register(
        registry.Reader("pipes", (".pipes",), sniff=lambda head: " | " in head, read=read_lines)
    )
    path = tmp_path / "x.pipes"
    path.write_text("A Title | An abstract.\n")
    papers, _ = read(path)
    assert [(p.title, p.abstract) for p in papers] == [("A Title", "An abstract.")]
    assert ".pipes" in registry.supported_suffixes()
    assert registry.get("pipes").name == "pipes"
    with pytest.raises(KGError, match="no input reader named 'nope'"):
        registry.get("nope")


# -------------------------------------------------------------------------------------- fields


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("http://arxiv.org/abs/2401.04088v2", "2401.04088"),
        ("https://arxiv.org/pdf/2401.04088v1.pdf", "2401.04088"),
        ("arXiv:1706.03762", "1706.03762"),
        ("2312.00752", "2312.00752"),
        ("10.48550/arXiv.2310.06825", "2310.06825"),
        ("http://arxiv.org/abs/hep-th/9901001v3", "hep-th/9901001"),
        ("math.GT/0309136", "math.GT/0309136"),
        ("ACL2020:123", None),
        ("aaai2022:00444", None),
        ("2413.00001", None),  # month 13
        ("https://aclanthology.org/2020.acl-main.1/", None),
        (None, None),
    ],
)
def test_arxiv_id_from(value, expected):
    assert arxiv_id_from(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("May 20", ("--05-20", "May 20")),
        ("Dec 5, 2024 2", ("2024-12-05", "Dec 5, 2024")),
        ("Sep 29 2", ("--09-29", "Sep 29")),
        ("Sep 26, 2024", ("2024-09-26", "Sep 26, 2024")),
        ("Feb 29", ("--02-29", "Feb 29")),
        ("Feb 30, 2023", (None, "Feb 30, 2023")),
        ("Memory Networks", None),
        ("May the Force", None),
    ],
)
def test_month_day_date(text, expected):
    assert month_day_date(text) == expected


def test_normalize_date_and_authors():
    assert normalize_date("2024-01-08T18:47:34Z") == ("2024-01-08", "2024-01-08T18:47:34Z")
    assert normalize_date(2019) == ("2019", "2019")
    assert normalize_date("sometime") == (None, "sometime")
    assert split_authors("A. Smith; B. Jones") == ["A. Smith", "B. Jones"]
    assert split_authors("Doe, Jane; Roe, Richard") == ["Doe, Jane", "Roe, Richard"]
    assert split_authors("A, B, and C") == ["A", "B", "C"]
    assert split_authors([{"name": "X"}, "Y", 3]) == ["X", "Y"]
    assert split_authors("Alexander Anderson") == ["Alexander Anderson"]


# -------------------------------------------------------------------------------- real corpus


@pytest.mark.skipif(not CORPUS.exists(), reason="the shared corpus is not beside the repository")
def test_real_corpus_first_2000_records():
    records = list(itertools.islice(read_inputs([CORPUS]), 2000))
    assert len(records) == 2000
    assert all(isinstance(r, Paper) for r in records)
    assert all(r.title and r.abstract and r.id and r.venue and r.date for r in records)
    assert records[0].sources == [f"{CORPUS}:1"]
    assert records[-1].sources == [f"{CORPUS}:2000"]
    assert all("  " not in r.abstract and "\n" not in r.abstract for r in records)


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.exists(), reason="the shared corpus is not beside the repository")
def test_real_corpus_reads_completely():
    n = problems = 0
    venues = set()
    for record in read_inputs([CORPUS]):
        if isinstance(record, Paper):
            n += 1
            venues.add(record.venue)
        else:
            problems += 1
    assert (n, problems) == (34791, 0)
    assert {"acl", "nips", "icml", "iclr"} <= venues


def test_soft_hyphens_from_pdf_extraction_join_the_word(tmp_path):
    # "conjunc(cid:173) tion": 4,454 such breaks in 1,585 corpus abstracts split terms in two
    path = tmp_path / "papers.jsonl"
    path.write_text(
        '{"title": "Olfactory represen(cid:173) tations", "abstract": "We use it in '
        'conjunc(cid:173)  tion with differ\\u00adent learn(cid:173) ing rules."}\n'
    )
    (paper,), problems = read(path)
    assert not problems
    assert paper.title == "Olfactory representations"
    assert paper.abstract == "We use it in conjunction with different learning rules."


def test_words_a_line_break_cut_at_a_hyphen_are_mended_but_english_stays(tmp_path):
    # "sequen- tial": 293 such breaks in 232 corpus abstracts made fragment entity labels
    path = tmp_path / "papers.jsonl"
    path.write_text(
        '{"title": "Sequen-\\ntial model-based optimization", "abstract": "Natural lan- '
        'guage processing with semi- supervised learning and pre- and post-training."}\n'
    )
    (paper,), problems = read(path)
    assert not problems
    assert paper.title == "Sequential model-based optimization"
    assert paper.abstract == (
        "Natural language processing with semi-supervised learning and pre- and post-training."
    )


def test_a_tex_tie_after_a_word_reads_as_a_space_but_a_range_stays(tmp_path):
    """ "Mixtral~8x7B" (TeX's non-breaking space) names Mixtral 8x7B; "2~3%" is a range."""
    path = tmp_path / "papers.jsonl"
    path.write_text(
        '{"title": "Routing in Mixtral~8x7B", "abstract": "Mixtral~8x7B gains 2~3% with '
        '10~20 queries, ~5% fewer."}\n'
    )
    (paper,), problems = read(path)
    assert not problems
    assert paper.title == "Routing in Mixtral 8x7B"
    assert paper.abstract == "Mixtral 8x7B gains 2~3% with 10~20 queries, ~5% fewer."


def test_a_tex_tie_after_an_abbreviation_or_a_non_ascii_letter_is_a_space():
    from kg.ingest.fields import clean_text

    assert clean_text("see Fig.~3 and e.g.~the Café~Net") == "see Fig. 3 and e.g. the Café Net"


def test_a_math_symbol_beside_a_number_reads_as_text_and_keeps_sentences_apart():
    """ "$2\\times$" left as math hid the claim's number and joined two sentences (a review)."""
    from kg.ingest.fields import clean_text

    assert clean_text(r"latency by $2\times$. We compare") == "latency by 2x. We compare"
    assert clean_text(r"about $\sim$5% and $\approx$ 10, $3.2\times$") == "about ~5% and ≈ 10, 3.2x"
    assert clean_text(r"a matrix $n \times d$") == r"a matrix $n \times d$"  # mathematics stays
