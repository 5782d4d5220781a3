"""Evaluation of the pipeline's statistical components against gold data sets."""
