"""`otklik kb_index` builds every region's answer index ahead of the first question."""

import io

from django.core.management import call_command

from otklik.kb.engine import registry


def test_kb_index_builds_each_regions_index(kb):
    out = io.StringIO()
    call_command("kb_index", stdout=out)
    text = out.getvalue()
    # Published and valid: first grade, kindergarten queue and the local article; not the draft.
    assert f"Индекс базы знаний: {kb.p.region.name}" in text and "статей: 3," in text
    assert kb.first_grade.pk in registry.engine(kb.p.region.pk)


def test_kb_index_without_regions_says_so(db):
    out = io.StringIO()
    call_command("kb_index", stdout=out)
    assert "Регионов нет" in out.getvalue()
