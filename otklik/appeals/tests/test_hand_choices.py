"""Which routing steps are a coordinator's choice of organization (the history rules learn from)."""

import importlib
from datetime import timedelta

from django.apps import apps

from otklik.appeals.models import AppealEvent
from otklik.appeals.selectors import appeal_hand_choices
from otklik.appeals.services import appeal_assign, appeal_submit
from otklik.routing.models import Topic

TEXT = "Прошу разобраться с вопросом в нашей школе, ситуация не меняется."


def _submit(region, **kw):
    """An appeal of 12.01 in territory A, routed by the rules to body A at intake."""
    appeal, _ = appeal_submit(
        region=region.region,
        text=TEXT,
        territory=region.territory_a,
        topic=Topic.objects.get(code="12.01"),
        **kw,
    )
    return appeal


def test_only_the_coordinators_assignment_is_a_hand_choice(region, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    staff_topic = _submit(region, channel="hotline", actor=region.coordinator)
    reassigned = _submit(region, channel="web")
    appeal_assign(appeal=reassigned, organization=region.school_a, actor=region.coordinator)
    routed = AppealEvent.objects.filter(kind="routed").order_by("pk")
    assert [(e.appeal_id, e.data["automatic"], e.data["by_hand"]) for e in routed] == [
        (staff_topic.pk, False, False),
        (reassigned.pk, False, False),
        (reassigned.pk, False, True),
    ]
    assert [(c.appeal_id, c.organization_id) for c in appeal_hand_choices(region=region.region)] == [
        (reassigned.pk, region.school_a.pk)
    ]


def test_migration_marks_legacy_assignments_by_time_and_actor(region, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    appeal = _submit(region, channel="hotline", actor=region.coordinator)
    at_intake = appeal.events.get(kind="routed")
    later = AppealEvent.objects.create(
        appeal=appeal,
        kind="routed",
        at=appeal.registered_at + timedelta(hours=2),
        actor=region.coordinator,
        data={"organization": region.school_a.code, "automatic": False},
    )
    auto = AppealEvent.objects.create(appeal=appeal, kind="routed", at=later.at, data={"automatic": True})
    AppealEvent.objects.filter(pk=at_intake.pk).update(data={"automatic": False})
    importlib.import_module("otklik.appeals.migrations.0006_mark_routed_by_hand").mark(apps, None)
    assert AppealEvent.objects.get(pk=at_intake.pk).data["by_hand"] is False
    assert AppealEvent.objects.get(pk=later.pk).data["by_hand"] is True
    assert "by_hand" not in AppealEvent.objects.get(pk=auto.pk).data
