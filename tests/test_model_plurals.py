"""The admin names each table in the plural: Django's automatic plural only adds an "s", which
gives "deliverys" or "bonuss"; every model it would get wrong says its plural."""

import re

import pytest
from django.apps import apps

MODELS = [m for m in apps.get_models() if m.__module__.startswith("microwork.")]
# Endings the automatic plural gets wrong in English, and uncountable nouns.
WRONG = re.compile(r"([^aeiou]ys|ss|chs|shs|xs|feedbacks|wellbeings)$")
RIGHT = {"standbys"}


def test_the_models_are_found():
    assert any(m._meta.label == "webhooks.Delivery" for m in MODELS)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_every_plural_is_english(model):
    plural = str(model._meta.verbose_name_plural)
    assert plural in RIGHT or not WRONG.search(plural), plural


def test_the_names_operators_read():
    assert apps.get_model("webhooks", "Delivery")._meta.verbose_name_plural == "deliveries"
    assert apps.get_model("voice", "Feedback")._meta.verbose_name_plural == "feedback"
