from datetime import timedelta

from django.utils import timezone

from otklik.analytics.models import PainPoint
from otklik.analytics.services import _priority, painmap_rebuild, painpoint_effect, painpoint_update
from otklik.appeals.models import Appeal
from otklik.routing.models import DeadlinePolicy, Topic


def _appeals(region, topic, n, days_ago, rating=None):
    now = timezone.now()
    for i in range(n):
        Appeal.objects.create(
            region=region.region,
            number=f"P-{topic.code}-{days_ago}-{i}",
            channel="web",
            text=f"Холодно в классе, звоните 8 912 345 67 8{i}",
            topic=topic,
            policy=DeadlinePolicy.objects.get(code="fz59"),
            status="closed",
            registered_at=now - timedelta(days=days_ago, hours=i),
            rating=rating,
        )


def test_priority_weighs_volume_growth_and_dissatisfaction():
    assert _priority(10, 10, 0.0) == 10.0
    assert _priority(10, 5, 0.0) == 20.0
    assert _priority(10, 5, 0.5) == 30.0
    assert _priority(10, 0, 0.0) == 20.0


def test_rebuild_ranks_problems_hides_small_groups_and_masks_examples(region):
    heating, repair = Topic.objects.get(code="12.01"), Topic.objects.get(code="12.02")
    _appeals(region, heating, 8, days_ago=10, rating=1)
    _appeals(region, heating, 2, days_ago=120)
    _appeals(region, repair, 4, days_ago=10)
    assert painmap_rebuild(region=region.region) == 1
    point = PainPoint.objects.get()
    assert (point.title, point.volume, point.previous_volume, point.dissatisfied_share) == (
        "Температурный режим и отопление",
        8,
        2,
        1.0,
    )
    assert point.priority == _priority(8, 2, 1.0)
    assert all("[телефон]" in e and "912" not in e for e in point.examples)


def test_measure_keeps_across_rebuilds_and_shows_its_effect(region):
    heating = Topic.objects.get(code="12.01")
    _appeals(region, heating, 6, days_ago=20)
    painmap_rebuild(region=region.region)
    point = PainPoint.objects.get()
    painpoint_update(
        point=point, status="in_progress", measures="Заменить котлы", owner=region.coordinator, deadline=None
    )
    point.measure_started_at = timezone.now() - timedelta(days=10)
    point.save()
    painmap_rebuild(region=region.region)
    point.refresh_from_db()
    assert point.measures == "Заменить котлы" and point.status == "in_progress"
    assert painpoint_effect(point=point) == {"days": 30, "before": 6, "after": 0, "change": -6}


def test_page_and_bad_input(client, region):
    client.force_login(region.analyst)
    assert client.post("/staff/analytics/pains/", {"action": "rebuild"}).status_code == 302
    response = client.post("/staff/analytics/pains/", {"point": "x", "status": "nonsense"}, follow=True)
    assert "Выберите проблему" in response.content.decode()
    point = PainPoint.objects.create(region=region.region, key="k", title="Холодно в классах")
    response = client.post(
        "/staff/analytics/pains/",
        {"point": point.pk, "status": point.status, "deadline": "2026-13-45", "measures": "Проверка"},
        follow=True,
    )
    assert "Срок — дата в формате ГГГГ-ММ-ДД" in response.content.decode()
    point.refresh_from_db()
    assert point.measures != "Проверка" and point.deadline is None
    client.force_login(region.executor_a)
    assert client.get("/staff/analytics/pains/").status_code == 403
