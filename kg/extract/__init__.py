"""The NLP stage: a spaCy pipeline that finds entities, acronyms, proposals and claims."""

from kg.extract.pipeline import (
    ACCURATE_PIPELINE_DIR,
    PIPELINE_DIR,
    assemble,
    assemble_accurate,
    load_pipeline,
    register_components,
)
from kg.extract.reader import extract
from kg.records import AcronymDef, ClaimRecord, Mention, PaperExtraction

__all__ = [
    "ACCURATE_PIPELINE_DIR",
    "PIPELINE_DIR",
    "assemble",
    "assemble_accurate",
    "register_components",
    "load_pipeline",
    "extract",
    "AcronymDef",
    "ClaimRecord",
    "Mention",
    "PaperExtraction",
]
