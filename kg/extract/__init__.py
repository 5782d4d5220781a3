"""The NLP stage: a spaCy pipeline that finds entities, acronyms, proposals and claims."""

from kg.extract.pipeline import PIPELINE_DIR, assemble, load_pipeline
from kg.extract.reader import extract
from kg.extract.records import AcronymDef, ClaimRecord, Mention, PaperExtraction

__all__ = [
    "PIPELINE_DIR",
    "assemble",
    "load_pipeline",
    "extract",
    "AcronymDef",
    "ClaimRecord",
    "Mention",
    "PaperExtraction",
]
