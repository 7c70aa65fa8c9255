"""Every model of the three apps has a factory in tests/factories.py, and each
factory builds a row the database accepts with nothing passed in."""

import inspect

import factory
import pytest
from django.apps import apps

from tests import factories

APPS = ("teams", "scheduling", "performance")


def _factories():
    return {
        f._meta.model: f
        for _, f in inspect.getmembers(factories, inspect.isclass)
        if issubclass(f, factory.django.DjangoModelFactory) and f._meta.model is not None
    }


def test_every_model_has_a_factory():
    models = {
        m
        for label in APPS
        for m in apps.get_app_config(label).get_models()
        if not m._meta.auto_created and not m.__name__.startswith("Historical")
    }
    missing = sorted(m._meta.label for m in models - set(_factories()))
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model_factory",
    sorted(_factories().values(), key=lambda f: f.__name__),
    ids=lambda f: f.__name__,
)
def test_a_factory_builds_a_saved_row(model_factory):
    row = model_factory()
    assert row.pk is not None
    assert type(row)._default_manager.filter(pk=row.pk).exists()
