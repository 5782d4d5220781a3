"""kg's spaCy components: one module per factory, each the component and its factory.

``pyproject.toml`` registers every factory under ``[project.entry-points.spacy_factories]``, so
``spacy.load("kg/models/kg_pipeline")`` finds them in a fresh process with no import of ours
(spaCy imports a module when its factory is first needed). The logic several components share,
or that training and evaluation import too, stays one level up in :mod:`kg.extract`.
"""

#: The component modules, in pipeline order (``kg.extract.pipeline.register_components``).
MODULES = (
    "kg_sections",
    "kg_transformer_ner",
    "kg_gazetteer",
    "kg_abbreviations",
    "kg_names",
    "kg_proposed",
    "kg_entities",
    "kg_termhood",
    "kg_relations",
    "kg_evaluations",
    "kg_comparisons",
    "kg_title_tasks",
    "kg_topic_cues",
    "kg_claims",
    "kg_claim_cues",
)
