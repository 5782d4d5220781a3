"""Named models typed by their parameter count (kg.link.model_names)."""

from __future__ import annotations

import pytest

from kg.link.model_names import is_sized_model_name, sized_model_type

MODELS = [
    "Qwen2.5-3B",
    "Llama-2-13B-chat",
    "Mixtral-8x7B-Instruct",
    "SOLAR 10.7B",
    "GPT-NeoX-20B",
    "LLaMA(/2)-7B",
    "LLaMA2-7B/13B",
    "Sherkala-Chat (8B)",
    "ESM-1b",
    "Llama2-70b-chat",
]
NOT_MODELS = [
    "LM1B",  # a dataset's name, no count joined to a name
    "C2B",
    "R(MA)^2B-UCB",
    "7B-13B",  # a range
    "8x7B",
    "trained 8B reward model",  # a phrase
    "instruction-tuned 7B model",
    "GPT-4",
    "ImageNet-1K",
    "T5-base",
    "BERT",
]


@pytest.mark.parametrize("label", MODELS)
def test_a_name_with_a_parameter_count_is_a_model(label):
    assert is_sized_model_name(label)
    assert sized_model_type(label, "Method") == "Model"


@pytest.mark.parametrize("label", ["LLaMA2-7B/13B", "GPT-Neo-2.7B", "Qwen2.5-3B"])
def test_a_dataset_named_after_a_model_family_with_a_size_is_a_model(label):
    assert sized_model_type(label, "Dataset") == "Model"


@pytest.mark.parametrize("label", ["JFT-3B", "LAION-2B", "DataComp-1B", "WebLI 10B"])
def test_datasets_counted_in_billions_stay_datasets(label):
    assert sized_model_type(label, "Dataset") == "Dataset"


@pytest.mark.parametrize("label", NOT_MODELS)
def test_other_names_keep_their_type(label):
    assert not is_sized_model_name(label)
    assert sized_model_type(label, "Method") == "Method"


def test_only_methods_and_datasets_are_retyped():
    assert sized_model_type("Qwen2.5-3B", "Task") == "Task"
    assert sized_model_type("Qwen2.5-3B", "Metric") == "Metric"
