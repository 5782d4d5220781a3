"""The NLP stage: a spaCy pipeline that finds entities, acronyms, proposals and claims.

The components are :mod:`kg.extract.components` (one factory per module, found by spaCy through
entry points); the rules and models they share sit beside them here; :mod:`kg.extract.pipeline`
loads and assembles the shipped pipelines and :mod:`kg.extract.doc_records` turns processed Docs
into records.
"""

from kg.extract.doc_records import doc_to_extraction, extract
from kg.extract.pipeline import (
    ACCURATE_PIPELINE_DIR,
    PIPELINE_DIR,
    assemble,
    assemble_accurate,
    load_pipeline,
    register_components,
)
from kg.records import AcronymDef, ClaimRecord, Mention, PaperExtraction

__all__ = [
    "ACCURATE_PIPELINE_DIR",
    "PIPELINE_DIR",
    "assemble",
    "assemble_accurate",
    "register_components",
    "load_pipeline",
    "extract",
    "doc_to_extraction",
    "AcronymDef",
    "ClaimRecord",
    "Mention",
    "PaperExtraction",
]
