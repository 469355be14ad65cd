"""REST API: token auth, idempotent creation, citizen and staff reads, rights, bad input."""

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from otklik.appeals import api, selectors
from otklik.appeals.api import token_create
from otklik.appeals.models import Appeal
from otklik.core.views import API_SERVER_ERROR
from otklik.testing import APPEAL_TEXT as TEXT


@pytest.fixture
def tokens(region):
    return {
        "ministry": token_create(organization=region.ministry, name="ПОС"),
        "a": token_create(organization=region.body_a, name="Сайт А"),
        "b": token_create(organization=region.body_b, name="Сайт Б"),
    }


def _post(client, token, body, content_type="application/json"):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(
        "/api/v1/appeals", data, content_type=content_type, HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def test_create_returns_201_with_the_fields_and_a_repeat_is_not_a_duplicate(client, region, tokens, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    body = {
        "text": TEXT,
        "channel": "pos",
        "territory": region.territory_a.code,
        "topic": "12.02",
        "contact": {"name": "Иванова Анна", "email": "anna@example.ru"},
        "external_id": "POS-1",
    }
    response = _post(client, tokens["ministry"], body)
    assert response.status_code == 201
    data = response.json()
    appeal = Appeal.objects.get()
    assert (data["number"], data["status"], data["topic"], data["organization"]) == (
        appeal.number,
        "assigned",
        "12.02",
        region.body_a.code,
    )
    assert data["due_at"] == appeal.due_at.isoformat() and data["secret"] == appeal.secret
    again = _post(client, tokens["ministry"], body)
    assert again.status_code == 200 and again.json()["number"] == appeal.number
    assert Appeal.objects.count() == 1


def test_citizen_reads_with_the_secret_and_staff_with_a_token_in_scope(client, region, tokens, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    created = _post(
        client, tokens["ministry"], {"text": TEXT, "territory": region.territory_a.code, "topic": "12.02"}
    ).json()
    number, secret = created["number"], created["secret"]
    public = client.get(f"/api/v1/appeals/{number}", {"secret": secret}).json()
    assert "text" not in public and public["number"] == number
    assert client.get(f"/api/v1/appeals/{number}", {"secret": "wrong"}).status_code == 404
    staff = client.get(f"/api/v1/appeals/{number}", HTTP_AUTHORIZATION=f"Bearer {tokens['a']}").json()
    assert staff["text"] == TEXT
    assert (
        client.get(f"/api/v1/appeals/{number}", HTTP_AUTHORIZATION=f"Bearer {tokens['b']}").status_code == 404
    )
    listing = client.get("/api/v1/appeals", HTTP_AUTHORIZATION=f"Bearer {tokens['b']}").json()
    assert listing == {"count": 0, "results": []}
    assert client.get("/api/v1/appeals", HTTP_AUTHORIZATION=f"Bearer {tokens['a']}").json()["count"] == 1


def test_other_organization_cannot_act_and_nothing_changes(client, region, tokens, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    number = _post(
        client, tokens["ministry"], {"text": TEXT, "territory": region.territory_a.code, "topic": "12.02"}
    ).json()["number"]
    answer = json.dumps({"action": "answer", "text": "Отопление восстановлено, температура в норме."})
    denied = client.patch(
        f"/api/v1/appeals/{number}",
        answer,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {tokens['b']}",
    )
    assert denied.status_code == 404
    assert Appeal.objects.get().status == "assigned"
    done = client.patch(
        f"/api/v1/appeals/{number}",
        answer,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {tokens['a']}",
    )
    assert done.status_code == 200 and done.json()["status"] == "answered"
    again = client.patch(
        f"/api/v1/appeals/{number}",
        json.dumps({"action": "return", "text": "не наше"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {tokens['a']}",
    )
    assert again.status_code == 409 and "Нельзя" in again.json()["error"]


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        ("{not json", "application/json", 400, "корректный JSON"),
        ("[1, 2]", "application/json", 400, "JSON-объект"),
        ({"text": ""}, "application/json", 400, "Обязательное поле"),
        ({"text": 42}, "application/json", 400, "Обязательное поле"),
        ({"text": TEXT, "channel": "pigeon"}, "application/json", 400, "Канал"),
        ({"text": TEXT, "territory": "MARS"}, "application/json", 400, "Территория"),
        ({"text": TEXT, "topic": "99.99"}, "application/json", 400, "Тематика"),
        ({"text": TEXT, "contact": "anna"}, "application/json", 400, "объект"),
        ({"text": TEXT, "contact": {"name": "Я" * 301}}, "application/json", 400, "Имя заявителя"),
        ({"text": TEXT, "contact": {"email": "anna"}}, "application/json", 400, "адрес электронной почты"),
        ({"text": TEXT, "contact": {"phone": "1" * 41}}, "application/json", 400, "Телефон"),
        ({"text": TEXT, "external_id": "POS-" + "0" * 97}, "application/json", 400, "не длиннее 100"),
        ({"text": "я" * 20001}, "application/json", 400, "длиннее"),
        ({"text": "коротко"}, "application/json", 400, "подробнее"),
        ("text=hello", "application/x-www-form-urlencoded", 415, "JSON"),
        ("x" * (1024 * 1024 + 10), "application/json", 413, "1 МБ"),
        ({"text": TEXT + "\x00"}, "application/json", 400, "NUL"),
        ({"text": TEXT, "contact": {"name": "Анна\x00"}}, "application/json", 400, "NUL"),
        ("[" * 100000 + "]" * 100000, "application/json", 400, "вложенност"),
    ],
)
def test_bad_input_is_a_russian_json_error(client, region, tokens, body, content_type, status, message):
    response = _post(client, tokens["ministry"], body, content_type)
    assert response.status_code == status
    assert message in json.dumps(response.json(), ensure_ascii=False)
    assert Appeal.objects.count() == 0


def test_hostile_list_parameters_and_secrets_are_answered_not_500(client, region, tokens, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    number = _post(client, tokens["ministry"], {"text": TEXT}).json()["number"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens['ministry']}"}
    impossible = client.get("/api/v1/appeals", {"updated_since": "2026-13-45T10:00:00+03:00"}, **auth)
    assert impossible.status_code == 400 and "ISO 8601" in impossible.json()["fields"]["updated_since"][0]
    far = client.get("/api/v1/appeals", {"limit": "9" * 20, "offset": "9" * 20}, **auth)
    assert far.status_code == 200 and far.json()["count"] == 1 and far.json()["results"] == []
    assert client.get(f"/api/v1/appeals/{number}", {"secret": "²"}).status_code == 404


def test_missing_or_revoked_token(client, region, tokens):
    assert (
        client.post(
            "/api/v1/appeals", json.dumps({"text": TEXT}), content_type="application/json"
        ).status_code
        == 401
    )
    assert _post(client, "otk_nonsense", {"text": TEXT}).status_code == 401
    assert client.delete("/api/v1/appeals").status_code == 405


def test_openapi_document(client, db):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.1") and {"/appeals", "/appeals/{number}"} <= set(doc["paths"])


def test_token_command(client, region):
    out = io.StringIO()
    call_command(
        "api_token",
        "create",
        "--organization",
        region.body_a.code,
        "--name",
        "Сайт",
        stdout=out,
        stderr=io.StringIO(),
    )
    key = out.getvalue().strip()
    assert key.startswith("otk_")
    assert client.get("/api/v1/appeals", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("api_token", "create", "--organization", "NOPE", "--name", "x")


@pytest.mark.parametrize("since", ["2026-03-01T10:00:00", "2026-03-01", "вчера"])
def test_updated_since_without_a_time_zone_is_a_400_as_in_the_incidents_api(client, region, tokens, since):
    response = client.get(
        "/api/v1/appeals", {"updated_since": since}, HTTP_AUTHORIZATION=f"Bearer {tokens['ministry']}"
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "updated_since": ["Дата и время в ISO 8601 с часовым поясом, например 2026-03-02T10:15:00+05:00."]
    }


def test_updated_since_with_an_offset_narrows_the_list(client, region, tokens, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    _post(client, tokens["ministry"], {"text": TEXT})
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens['ministry']}"}
    assert (
        client.get("/api/v1/appeals?updated_since=2026-01-01T00:00:00%2B05:00", **auth).json()["count"] == 1
    )
    assert client.get("/api/v1/appeals?updated_since=2999-01-01T00:00:00 05:00", **auth).json()["count"] == 0


def test_an_unexpected_error_under_api_is_json_and_logged_and_pages_stay_html(
    region, tokens, settings, monkeypatch, caplog
):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    client = Client(raise_request_exception=False)
    created = _post(client, tokens["ministry"], {"text": TEXT}).json()
    appeal = Appeal.objects.get(number=created["number"])

    def broken(**kwargs):
        raise RuntimeError("the timeline broke")

    monkeypatch.setattr(api, "appeal_timeline", broken)
    monkeypatch.setattr(selectors, "appeal_timeline", broken)
    with caplog.at_level("ERROR", logger="django.request"):
        response = client.get(
            f"/api/v1/appeals/{appeal.number}", HTTP_AUTHORIZATION=f"Bearer {tokens['ministry']}"
        )
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert response.json() == {"error": API_SERVER_ERROR}
    assert API_SERVER_ERROR.startswith("Внутренняя ошибка сервера.")
    logged = [r for r in caplog.records if r.exc_info and r.exc_info[0] is RuntimeError]
    assert [r.getMessage() for r in logged] == [f"Internal Server Error: /api/v1/appeals/{appeal.number}"]
    page = client.get(f"/appeal/{appeal.number}/?s={appeal.secret}")
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")
