"""What an e-mail's context is while a broker carries it: a model instance travels as its label and primary key and
is read again by the worker; every other value (text, numbers, links) travels as it is. This layer knows no other
app's models: the app that sends an e-mail gives it everything its template reads."""

from django.apps import apps
from django.db import models

MODEL = "__model__"


def portable(context: dict) -> dict:
    return {
        name: {MODEL: value._meta.label, "pk": value.pk} if isinstance(value, models.Model) else value
        for name, value in context.items()
    }


def load(context: dict) -> dict:
    return {
        name: apps.get_model(value[MODEL])._default_manager.get(pk=value["pk"])
        if isinstance(value, dict) and MODEL in value else value
        for name, value in context.items()
    }  # fmt: skip
