"""The incidents API: `external_id` retries versus new sightings, and the list for staff tokens."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from otklik.appeals.api import token_create
from otklik.incidents import services
from otklik.incidents.models import Incident, IncidentEvent, IncidentExternalId
from otklik.routing.models import Topic

TEXT = "В школе № 1 Северного района течёт крыша, ремонт не делали три года."
BODY = {"url": "https://vk.com/wall-000000_555", "text": TEXT, "topic": "12.02", "external_id": "BR-1"}


@pytest.fixture
def tokens(incidents_region):
    return {
        "ministry": token_create(organization=incidents_region.ministry, name="Мониторинг"),
        "a": token_create(organization=incidents_region.body_a, name="Управление А"),
    }


def _post(client, token, body):
    return client.post(
        "/api/v1/incidents",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def _get(client, token, query=""):
    return client.get(f"/api/v1/incidents{query}", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_retry_with_the_same_external_id_is_not_a_new_sighting(client, incidents_region, tokens):
    first = _post(client, tokens["ministry"], BODY)
    assert first.status_code == 201
    retry = _post(client, tokens["ministry"], {**BODY, "url": "https://m.vk.com/wall-000000_555/"})
    assert retry.status_code == 200 and retry.json()["id"] == first.json()["id"]
    incident = Incident.objects.get()
    assert incident.mentions == 1 and retry.json()["mentions"] == 1
    assert not IncidentEvent.objects.filter(kind="repeat").exists()
    assert list(IncidentExternalId.objects.values_list("source", "external_id")) == [
        (f"api:{incidents_region.ministry.code}", "BR-1")
    ]


def test_the_same_url_with_another_external_id_or_none_is_found_again(client, incidents_region, tokens):
    _post(client, tokens["ministry"], BODY)
    again = _post(client, tokens["ministry"], {**BODY, "external_id": 77})
    assert again.status_code == 200 and again.json()["mentions"] == 2
    assert _post(client, tokens["ministry"], {**BODY, "external_id": 77}).json()["mentions"] == 2  # retry
    no_id = {k: v for k, v in BODY.items() if k != "external_id"}
    assert _post(client, tokens["ministry"], no_id).json()["mentions"] == 3
    assert _post(client, tokens["ministry"], no_id).json()["mentions"] == 4
    assert IncidentEvent.objects.filter(kind="repeat").count() == 3
    assert set(IncidentExternalId.objects.values_list("external_id", flat=True)) == {"BR-1", "77"}


def test_the_same_id_from_another_system_is_a_different_sighting(client, incidents_region, tokens):
    _post(client, tokens["ministry"], BODY)
    other = _post(client, tokens["a"], BODY)
    assert other.status_code == 200 and other.json()["mentions"] == 2


def test_an_external_id_reused_for_another_post_is_a_409_and_nothing_changes(
    client, incidents_region, tokens
):
    _post(client, tokens["ministry"], BODY)
    response = _post(client, tokens["ministry"], {**BODY, "url": "https://t.me/demo/9"})
    incident = Incident.objects.get()
    assert response.status_code == 409
    assert (
        response.json()["error"] == f"Номер BR-1 уже получен для другой публикации (инцидент №{incident.pk})."
    )
    assert (Incident.objects.count(), incident.mentions, IncidentExternalId.objects.count()) == (1, 1, 1)


@pytest.mark.parametrize("value", [True, ["BR-1"], {"id": 1}, "BR-" + "1" * 98])
def test_a_bad_external_id_is_a_400(client, incidents_region, tokens, value):
    response = _post(client, tokens["ministry"], {**BODY, "external_id": value})
    assert response.status_code == 400 and "external_id" in response.json()["fields"]
    assert Incident.objects.count() == 0


def _incident(region, url, **kw):
    kw = {"topic": Topic.objects.get(code="12.02"), "territory": region.territory_a, **kw}
    return services.incident_register(region=region.region, url=url, text=TEXT, **kw)[0]


def test_the_list_shows_the_tokens_subtree_newest_first(client, incidents_region, tokens):
    now = timezone.now()
    older = _incident(incidents_region, "https://vk.com/wall-1_1", found_at=now - timedelta(hours=3))
    newer = _incident(incidents_region, "https://t.me/demo/2", found_at=now - timedelta(hours=1))
    elsewhere = _incident(
        incidents_region, "https://ok.ru/group/1/topic/3", territory=incidents_region.territory_b
    )
    data = _get(client, tokens["a"]).json()
    assert data["count"] == 2 and [r["id"] for r in data["results"]] == [newer.pk, older.pk]
    assert data["results"][0]["organization"] == incidents_region.body_a.code
    everything = _get(client, tokens["ministry"]).json()
    assert [r["id"] for r in everything["results"]] == [elsewhere.pk, newer.pk, older.pk]


def test_the_list_filters_by_status_network_and_change_time_and_pages(client, incidents_region, tokens):
    vk = _incident(incidents_region, "https://vk.com/wall-1_1")
    tg = _incident(incidents_region, "https://t.me/demo/2")
    services.incident_take(incident=tg, actor=incidents_region.executor_a)
    Incident.objects.filter(pk=vk.pk).update(updated_at=timezone.now() - timedelta(days=2))
    token = tokens["a"]
    assert [r["id"] for r in _get(client, token, "?network=vk").json()["results"]] == [vk.pk]
    assert [r["id"] for r in _get(client, token, "?status=in_work").json()["results"]] == [tg.pk]
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert [r["id"] for r in _get(client, token, f"?since={since}").json()["results"]] == [tg.pk]
    # an unescaped "+" of the offset arrives as a space: still understood
    assert _get(client, token, f"?since={since.replace('+', '%20')}").json()["count"] == 1
    page = _get(client, token, "?limit=1&offset=1").json()
    assert page["count"] == 2 and [r["id"] for r in page["results"]] == [vk.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?status=done", "status"),
        ("?network=myspace", "network"),
        ("?since=вчера", "since"),
        ("?since=2026-13-01T00:00:00Z", "since"),
        ("?since=2026-03-01T10:00:00", "since"),
    ],
)
def test_bad_list_parameters_are_a_400_in_russian(client, incidents_region, tokens, query, field):
    response = _get(client, tokens["a"], query)
    assert response.status_code == 400 and field in response.json()["fields"]


def test_the_list_needs_a_token_and_pages_are_integers(client, incidents_region, tokens):
    assert client.get("/api/v1/incidents").status_code == 401
    assert client.get("/api/v1/incidents", HTTP_AUTHORIZATION="Bearer otk_nope").status_code == 401
    assert _get(client, tokens["a"], "?limit=x").status_code == 400
    far = _get(client, tokens["a"], "?offset=" + "9" * 20)
    assert far.status_code == 200 and far.json()["results"] == []


def test_openapi_describes_the_list_and_external_id(client, db):
    doc = client.get("/api/v1/openapi.json").json()
    names = [p["name"] for p in doc["paths"]["/incidents"]["get"]["parameters"]]
    assert names == ["status", "network", "since", "limit", "offset"]
    assert "external_id" in doc["components"]["schemas"]["NewIncident"]["properties"]
