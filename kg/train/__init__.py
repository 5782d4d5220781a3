"""Training code for the pipeline's statistical components (SciERC NER, ...)."""
