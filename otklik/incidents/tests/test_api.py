"""POST /api/v1/incidents: token auth, idempotency by the post's address, Russian errors, scope."""

import json

import pytest

from otklik.appeals.api import token_create
from otklik.appeals.models import ApiToken
from otklik.incidents.models import Incident

TEXT = "В школе № 1 Северного района течёт крыша, ремонт не делали три года."
BODY = {
    "url": "https://vk.com/wall-000000_555",
    "text": TEXT,
    "author": "demo_dad",
    "published_at": "2026-03-02T10:15:00+05:00",
    "topic": "12.02",
}


@pytest.fixture
def tokens(incidents_region):
    return {
        "ministry": token_create(organization=incidents_region.ministry, name="Мониторинг"),
        "b": token_create(organization=incidents_region.body_b, name="Сайт Б"),
    }


def _post(client, token, body, content_type="application/json"):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post("/api/v1/incidents", data, content_type=content_type, **headers)


def test_create_then_the_same_url_returns_the_same_incident(client, incidents_region, tokens):
    response = _post(client, tokens["ministry"], {**BODY, "territory": incidents_region.territory_a.code})
    assert response.status_code == 201
    data = response.json()
    incident = Incident.objects.get()
    assert (data["id"], data["network"], data["status"], data["topic"], data["organization"]) == (
        incident.pk,
        "vk",
        "new",
        "12.02",
        incidents_region.body_a.code,
    )
    assert data["due_at"] == incident.due_at.isoformat() and incident.source == "api"
    again = _post(client, tokens["ministry"], {**BODY, "url": BODY["url"] + "/"})
    assert again.status_code == 200 and again.json()["id"] == incident.pk and again.json()["mentions"] == 2
    assert Incident.objects.count() == 1


def test_read_back_only_within_the_token_scope(client, incidents_region, tokens):
    pk = _post(client, tokens["ministry"], {**BODY, "territory": incidents_region.territory_a.code}).json()[
        "id"
    ]
    own = client.get(f"/api/v1/incidents/{pk}", HTTP_AUTHORIZATION=f"Bearer {tokens['ministry']}")
    assert own.status_code == 200 and own.json()["url"] == BODY["url"]
    other = client.get(f"/api/v1/incidents/{pk}", HTTP_AUTHORIZATION=f"Bearer {tokens['b']}")
    assert other.status_code == 404 and other.json()["error"] == "Инцидент не найден."
    assert client.get(f"/api/v1/incidents/{pk}").status_code == 401


def test_missing_or_revoked_token_is_401_and_nothing_is_created(client, incidents_region, tokens):
    assert _post(client, None, BODY).status_code == 401
    ApiToken.objects.update(is_active=False)
    refused = _post(client, tokens["ministry"], BODY)
    assert refused.status_code == 401 and "отозван" in refused.json()["error"]
    assert Incident.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        ("{not json", "application/json", 400, "корректный JSON"),
        ({"text": TEXT}, "application/json", 400, "Обязательное поле"),
        ({"url": BODY["url"], "text": 5}, "application/json", 400, "Обязательное поле"),
        ({**BODY, "url": "not a link"}, "application/json", 400, "https://"),
        ({**BODY, "network": "myspace"}, "application/json", 400, "Социальная сеть"),
        ({**BODY, "published_at": "вчера"}, "application/json", 400, "ISO 8601"),
        ({**BODY, "found_at": "2026-03-02T10:15:00"}, "application/json", 400, "часовым поясом"),
        ({**BODY, "found_at": "2099-03-02T10:15:00+05:00"}, "application/json", 400, "в будущем"),
        ({**BODY, "urgent": "yes"}, "application/json", 400, "true или false"),
        ({**BODY, "author": ["a"]}, "application/json", 400, "ник"),
        ({**BODY, "author": "н" * 201}, "application/json", 400, "Ник автора — не длиннее 200 символов"),
        ({**BODY, "territory": "MARS"}, "application/json", 400, "Территория"),
        ({**BODY, "topic": {"code": 1}}, "application/json", 400, "Тематика"),
        ({**BODY, "text": "я" * 20001}, "application/json", 400, "длиннее"),
        ("url=x", "application/x-www-form-urlencoded", 415, "JSON"),
    ],
)
def test_bad_input_is_a_russian_json_error(
    client, incidents_region, tokens, body, content_type, status, message
):
    response = _post(client, tokens["ministry"], body, content_type)
    assert response.status_code == status
    assert message in json.dumps(response.json(), ensure_ascii=False)
    assert Incident.objects.count() == 0


def test_openapi_describes_the_incident_endpoints(client, db):
    doc = client.get("/api/v1/openapi.json").json()
    assert {"/appeals", "/incidents", "/incidents/{id}"} <= set(doc["paths"])
    assert doc["components"]["schemas"]["NewIncident"]["required"] == ["url", "text"]
