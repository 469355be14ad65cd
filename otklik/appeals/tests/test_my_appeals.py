"""«Мои обращения» on the web: a link sent to the e-mail of the appeals lists them all."""

import re

import pytest
import time_machine
from django.core import mail

from otklik.appeals import services
from otklik.appeals.models import Notification
from otklik.orgs.models import Region
from otklik.testing import APPEAL_TEXT, run_due_tasks

pytestmark = pytest.mark.django_db


def _appeal(region, email="anna@example.ru", **extra):
    appeal, _ = services.appeal_submit(
        region=region, text=APPEAL_TEXT, channel="web", author_name="Анна", contact_email=email, **extra
    )
    return appeal


def _link() -> str:
    [message] = [m for m in mail.outbox if m.subject == "Ваши обращения"]
    return (
        re.search(r"https?://\S+/appeal/mine/(\S+)/", message.body)
        .group(0)
        .split("://", 1)[1]
        .split("/", 1)[1]
    )


def test_the_link_lists_every_appeal_of_the_address_and_opens_each(
    client, region, django_capture_on_commit_callbacks
):
    first = _appeal(region.region)
    second = _appeal(region.region, email="Anna@Example.RU")  # the same address, written otherwise
    other = _appeal(region.region, email="boris@example.ru")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/appeal/mine/", {"email": " ANNA@example.ru "})
    assert response.status_code == 200
    assert "Если с адресом anna@example.ru подавались обращения" in response.content.decode()
    run_due_tasks()
    [message] = [m for m in mail.outbox if m.subject == "Ваши обращения"]
    assert (message.to, message.subject) == (["anna@example.ru"], "Ваши обращения")
    assert "действует 24 часа" in message.body

    page = client.get("/" + _link())
    text = page.content.decode()
    assert page.status_code == 200
    for appeal in (first, second):
        assert f'href="/appeal/{appeal.number}/?s={appeal.secret}"' in text
    assert other.number not in text
    # The status page opens from the list with its secret.
    assert client.get(f"/appeal/{first.number}/?s={first.secret}").status_code == 200


def test_an_address_without_appeals_gets_the_same_words_and_no_mail(
    client, region, django_capture_on_commit_callbacks
):
    _appeal(region.region)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/appeal/mine/", {"email": "nobody@example.ru"})
    assert response.status_code == 200
    assert "Если с адресом nobody@example.ru подавались обращения" in response.content.decode()
    run_due_tasks()
    assert Notification.objects.filter(subject="Ваши обращения").count() == 0
    assert not [m for m in mail.outbox if m.subject == "Ваши обращения"]


def test_a_second_request_within_ten_minutes_sends_nothing_more(
    client, region, django_capture_on_commit_callbacks
):
    _appeal(region.region)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            assert client.post("/appeal/mine/", {"email": "anna@example.ru"}).status_code == 200
    assert Notification.objects.filter(subject="Ваши обращения").count() == 1


def test_appeals_of_several_regions_show_the_region(client, region, django_capture_on_commit_callbacks):
    north = Region.objects.create(
        code="north", name="Северная область", appeal_prefix="NO", timezone="Asia/Yekaterinburg"
    )
    _appeal(region.region)
    _appeal(north)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/appeal/mine/", {"email": "anna@example.ru"})
    run_due_tasks()
    text = client.get("/" + _link()).content.decode()
    assert "Северная область" in text and region.region.name in text


def test_a_forged_damaged_or_old_link_is_refused_in_russian(
    client, region, django_capture_on_commit_callbacks
):
    _appeal(region.region)
    with time_machine.travel("2026-03-02 10:00 +0000", tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/appeal/mine/", {"email": "anna@example.ru"})
        run_due_tasks()
        link = "/" + _link()
        assert client.get(link).status_code == 200
    with time_machine.travel("2026-03-03 10:01 +0000", tick=False):  # 24 h and a minute later
        expired = client.get(link)
    assert expired.status_code == 400 and "Ссылка устарела или повреждена" in expired.content.decode()
    for bad in ("/appeal/mine/anna@example.ru/", link[:-5] + "xx/", "/appeal/mine/" + "я" * 3000 + "/"):
        response = client.get(bad)
        assert response.status_code == 400 and "Ссылка устарела" in response.content.decode()


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Укажите адрес электронной почты."),
        ("anna@", "Это не похоже на адрес электронной почты"),
        ("a" * 250 + "@x.ru", "длиннее 254 символов"),
    ],
)
def test_bad_addresses_are_explained_and_nothing_is_sent(client, region, email, message):
    response = client.post("/appeal/mine/", {"email": email})
    assert response.status_code == 400 and message in response.content.decode()
    assert Notification.objects.filter(subject="Ваши обращения").count() == 0


def test_the_home_page_links_my_appeals(client, region):
    assert 'href="/appeal/mine/"' in client.get("/").content.decode()


def test_many_link_requests_from_one_address_are_refused_with_the_address_kept(client, region, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "mine": (2, 3600)}
    for n in range(2):
        assert client.post("/appeal/mine/", {"email": f"person{n}@example.ru"}).status_code == 200
    refused = client.post("/appeal/mine/", {"email": "third@example.ru"})
    text = refused.content.decode()
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 3000
    assert "Слишком много запросов ссылки на обращения с этого адреса" in text
    assert 'value="third@example.ru"' in text


def test_an_address_known_as_the_citizens_identity_finds_their_appeals_in_any_case(region):
    from otklik.accounts.models import Citizen, CitizenIdentity
    from otklik.appeals.selectors import appeals_of_email

    vera = Citizen.objects.create(display_name="Вера")
    CitizenIdentity.objects.create(citizen=vera, channel="email", value="Vera@Example.RU")
    by_identity = _appeal(region.region, email="", citizen=vera)
    by_contact = _appeal(region.region, email="VERA@example.ru")
    by_both = _appeal(region.region, email="vera@example.ru", citizen=vera)
    _appeal(region.region, email="vera@example.com")
    phone_only = Citizen.objects.create(display_name="Другая")
    CitizenIdentity.objects.create(citizen=phone_only, channel="phone", value="vera@example.ru")
    _appeal(region.region, email="", citizen=phone_only)

    found = list(appeals_of_email(email=" vera@EXAMPLE.ru"))
    assert len(found) == 3 and set(found) == {by_both, by_contact, by_identity}  # each once
    assert [a.created_at for a in found] == sorted((a.created_at for a in found), reverse=True)
    assert not appeals_of_email(email="  ").exists()
