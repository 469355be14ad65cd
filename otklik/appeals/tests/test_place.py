"""The place of the problem: in words and as a point, from every channel that can give one, shown
to staff with a link to the map, refused with a reason when it is malformed."""

import json
import time

import pytest
from django.core import signing

from otklik.appeals import services
from otklik.appeals.api import token_create
from otklik.appeals.models import Appeal
from otklik.appeals.services import AppealError

# Names no territory: the territory can only come from the place.
TEXT = "Возле школы разбит тротуар, дети идут на уроки по проезжей части, просим отремонтировать."


def _form(**extra):
    return {"text": TEXT, "consent": "on", "started": signing.dumps(time.time() - 30), **extra}


def test_the_place_and_point_are_kept_and_the_territory_is_found_in_the_place(region):
    appeal, _ = services.appeal_submit(
        region=region.region,
        text=TEXT,
        channel="web",
        place="  Южный район, ул. Школьная, 3  ",
        location=("51,730361", "36.1926474"),
    )
    assert (appeal.place, appeal.latitude, appeal.longitude) == (
        "Южный район, ул. Школьная, 3",
        51.730361,
        36.192647,
    )
    assert appeal.territory == region.territory_b


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"place": "у" * 301}, "place", "Место проблемы — не длиннее 300 символов (сейчас 301)."),
        ({"location": (100, 30)}, "location", "широта — число от −90 до 90"),
        ({"location": (55.0,)}, "location", "широта — число от −90 до 90"),
        ({"location": ("55.7", None)}, "location", "Укажите обе координаты"),
    ],
)
def test_a_bad_place_or_point_is_refused_and_nothing_is_registered(region, extra, field, message):
    with pytest.raises(AppealError) as caught:
        services.appeal_submit(region=region.region, text=TEXT, channel="web", **extra)
    assert message in " ".join(caught.value.message_dict[field])
    assert not Appeal.objects.exists()


def test_the_web_form_takes_the_place_and_the_point_of_the_browser(client, region):
    page = client.get("/appeal/new/").content.decode()
    assert "Указать моё местоположение" in page and "otklik/place.js" in page
    response = client.post(
        "/appeal/new/", _form(place="Школа № 2, Южный район", latitude="51.730361", longitude="36.192647")
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert (appeal.place, appeal.latitude, appeal.longitude) == (
        "Школа № 2, Южный район",
        51.730361,
        36.192647,
    )
    assert appeal.territory == region.territory_b


@pytest.mark.parametrize(
    ("latitude", "longitude", "message"),
    [
        ("51.73", "", "Укажите обе координаты места"),
        ("north", "36.19", "широта — число от −90 до 90"),
        ("51.73", "1e999", "широта — число от −90 до 90"),
    ],
)
def test_the_web_form_refuses_a_forged_point_and_keeps_the_text(client, region, latitude, longitude, message):
    response = client.post("/appeal/new/", _form(latitude=latitude, longitude=longitude))
    page = response.content.decode()
    assert response.status_code == 400 and message in page and "разбит тротуар" in page
    assert not Appeal.objects.exists()


def test_the_widget_form_offers_the_point_too(client, region):
    page = client.get("/appeal/widget/").content.decode()
    assert "Указать моё местоположение" in page and "otklik/place.js" in page


def test_the_hotline_operator_writes_down_the_place(client, region):
    client.force_login(region.coordinator)
    client.post("/staff/appeals/hotline/", {"text": TEXT, "place": "Северный район, школа № 1"})
    appeal = Appeal.objects.get()
    assert appeal.place == "Северный район, школа № 1" and appeal.territory == region.territory_a
    assert appeal.latitude is None


def test_staff_see_the_place_with_a_link_to_the_configured_map(client, region, settings):
    appeal, _ = services.appeal_submit(
        region=region.region, text=TEXT, channel="web", place="ул. Школьная, 3", location=(51.73, 36.19)
    )
    client.force_login(region.coordinator)
    page = client.get(f"/staff/appeals/{appeal.number}/").content.decode()
    assert "Место: ул. Школьная, 3 · точка 51.730000, 36.190000" in page
    assert 'href="https://www.openstreetmap.org/?mlat=51.730000&amp;mlon=36.190000' in page
    queue = client.get("/staff/appeals/?queue=all").content.decode()
    assert "Место: ул. Школьная, 3" in queue
    settings.MAP_URL = ""  # a closed network without a map server: the point, no link
    page = client.get(f"/staff/appeals/{appeal.number}/").content.decode()
    assert "точка 51.730000, 36.190000" in page and "открыть на карте" not in page


def _post(client, token, body):
    return client.post(
        "/api/v1/appeals",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_the_api_takes_a_place_and_a_point_and_gives_them_back_to_staff(client, region, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    token = token_create(organization=region.ministry, name="ПОС")
    body = {"text": TEXT, "topic": "12.02", "place": "Южный район", "location": {"lat": 51.73, "lon": 36.19}}
    created = _post(client, token, body)
    assert created.status_code == 201
    appeal = Appeal.objects.get()
    assert (appeal.place, appeal.latitude, appeal.longitude) == ("Южный район", 51.73, 36.19)
    full = client.get(f"/api/v1/appeals/{appeal.number}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert (full["place"], full["location"]) == ("Южный район", {"lat": 51.73, "lon": 36.19})
    citizen = client.get(f"/api/v1/appeals/{appeal.number}?secret={appeal.secret}").json()
    assert "place" not in citizen and "location" not in citizen


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"location": [51.73, 36.19]}, "Ожидается объект {lat, lon}"),
        ({"location": {"lat": 51.73, "lon": 36.19, "alt": 5}}, "Ожидается объект {lat, lon}"),
        ({"location": {"lat": "51.73", "lon": "36.19"}}, "не строки"),
        ({"location": {"lat": 51.73}}, "Укажите обе координаты"),
        ({"location": {"lat": 91, "lon": 0}}, "от −90 до 90"),
        ({"location": {"lat": True, "lon": 0}}, "от −90 до 90"),
        ({"place": 5}, "Ожидается строка"),
        ({"place": 0}, "Ожидается строка"),
        ({"place": False}, "Ожидается строка"),
        ({"place": "м" * 301}, "не длиннее 300 символов"),
    ],
)
def test_the_api_refuses_a_bad_place_with_the_field_named(client, region, extra, message):
    token = token_create(organization=region.ministry, name="ПОС")
    response = _post(client, token, {"text": TEXT, **extra})
    assert response.status_code == 400
    (field,) = response.json()["fields"]
    assert field in extra and message in " ".join(response.json()["fields"][field])
    assert not Appeal.objects.exists()


def test_the_openapi_document_describes_the_place():
    from otklik.appeals.openapi import document

    schemas = document()["components"]["schemas"]
    assert set(schemas["NewAppeal"]["properties"]) >= {"place", "location"}
    assert schemas["Location"]["required"] == ["lat", "lon"]


def test_an_import_takes_the_place_and_the_point_and_explains_a_bad_point(client, region):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(region.coordinator)
    content = (
        "Номер;Текст;Адрес проблемы;Широта;Долгота\n"
        f"201;{TEXT};Южный район, ул. Школьная, 3;51,730361;36,192647\n"
        f"202;{TEXT};;51.73;\n"
        f"203;{TEXT};;95;36\n"
    )
    file = SimpleUploadedFile("pos.csv", content.encode("utf-8"))
    page = client.post("/staff/appeals/import/", {"source": "pos", "file": file}).content.decode()
    assert "Принято: <strong>1</strong>" in page and "отклонено: <strong>2</strong>" in page
    assert "Укажите обе координаты места" in page and "широта — число от −90 до 90" in page
    appeal = Appeal.objects.get()
    assert (appeal.place, appeal.latitude, appeal.longitude, appeal.territory) == (
        "Южный район, ул. Школьная, 3",
        51.730361,
        36.192647,
        region.territory_b,
    )
