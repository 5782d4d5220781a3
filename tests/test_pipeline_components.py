"""The components the spaCy way: found by entry points, tables named by config, saved and loaded."""

from __future__ import annotations

import json
import subprocess
import sys

import spacy

from kg.extract import PIPELINE_DIR
from kg.extract.components import MODULES


def test_a_bare_spacy_load_finds_our_factories_in_a_fresh_process():
    # no import of kg before spacy.load: the spacy_factories entry points must do it
    code = (
        "import json, sys, spacy\n"
        f"nlp = spacy.load({str(PIPELINE_DIR)!r})\n"
        "doc = nlp('LoRA: Low-Rank Adaptation\\n\\nWe propose LoRA, evaluated on GLUE.')\n"
        "print(json.dumps([nlp.pipe_names, [s.text for s in doc.spans['kg_entities']]]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/"
    )
    names, entities = json.loads(out.stdout.strip().splitlines()[-1])
    assert names[0] == "kg_sections" and "kg_entities" in names and "kg_claims" in names
    assert "LoRA" in entities and "GLUE" in entities


def test_every_component_module_has_an_entry_point():
    from importlib.metadata import entry_points

    targets = {ep.value.split(":")[0] for ep in entry_points(group="spacy_factories")}
    assert {f"kg.extract.components.{m}" for m in MODULES} <= targets


def _terms_file(tmp_path):
    table = tmp_path / "terms.tsv"
    table.write_text("Zorblax\tMethod\tZBX\n", encoding="utf-8")
    return table


def test_initialize_reads_the_tables_the_config_names(tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe(
        "kg_gazetteer",
        config={"terms": str(_terms_file(tmp_path)), "mined_datasets": str(tmp_path / "none")},
    )
    nlp.initialize()
    doc = nlp("We train Zorblax (ZBX) and BERT.")
    assert [(s.text, s.label_) for s in doc.spans["kg_gazetteer"]] == [
        ("Zorblax", "Method"),
        ("ZBX", "Method"),
    ]


def test_a_saved_component_keeps_its_table_references(tmp_path):
    nlp = spacy.blank("en")
    terms = str(_terms_file(tmp_path))
    nlp.add_pipe("kg_gazetteer", config={"terms": terms, "mined_datasets": str(tmp_path / "no")})
    nlp.to_disk(tmp_path / "p")
    saved = json.loads((tmp_path / "p" / "kg_gazetteer" / "cfg").read_text())
    assert saved["terms"] == terms
    again = spacy.load(tmp_path / "p")
    doc = again("Zorblax beats BERT.")
    assert [s.text for s in doc.spans["kg_gazetteer"]] == ["Zorblax"]


def test_the_shipped_pipeline_reads_package_data():
    nlp = spacy.load(PIPELINE_DIR)
    assert nlp.get_pipe("kg_gazetteer").refs["terms"] == "kg.data:terms.tsv"
    assert nlp.get_pipe("kg_termhood").stats is not None
