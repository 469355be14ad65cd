"""The Russian admin covers every Otklik model and opens for an administrator."""

import pytest
from django.apps import apps
from django.contrib import admin


def _otklik_models():
    return [m for m in apps.get_models() if m.__module__.startswith("otklik.")]


def test_every_otklik_model_is_in_the_admin():
    internal = {"AppealSequence", "KnowledgeBaseVersion"}
    inlines = {
        inline.model for model_admin in admin.site._registry.values() for inline in model_admin.inlines
    }
    covered = set(admin.site._registry) | inlines
    missing = [m.__name__ for m in _otklik_models() if m not in covered and m.__name__ not in internal]
    assert missing == []


@pytest.mark.parametrize(
    "model", [m for m in _otklik_models() if m in admin.site._registry], ids=lambda m: m.__name__
)
def test_changelist_opens_in_russian_for_the_administrator(client, personas, model):
    client.force_login(personas.admin)
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    response = client.get(url)
    assert response.status_code == 200
    assert "Отклик — администрирование" in response.content.decode()


def test_executor_cannot_use_the_admin(client, personas):
    client.force_login(personas.executor_a)
    response = client.get("/admin/orgs/organization/")
    assert response.status_code == 302
