"""The staff workspace: registration form, queues and filters, actions, figures, rights, bad input."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from otklik.appeals.models import Appeal
from otklik.incidents import services
from otklik.incidents.models import Incident
from otklik.incidents.statuses import Status
from otklik.routing.models import Topic

TEXT = "В школе № 1 Северного района течёт крыша, ремонт не делали три года."


def _incident(region, url="https://vk.com/wall-000000_1", **kw):
    kw = {"topic": Topic.objects.get(code="12.02"), "territory": region.territory_a, **kw}
    incident, _ = services.incident_register(region=region.region, url=url, text=TEXT, **kw)
    return incident


def test_operator_registers_an_incident_and_a_repeat_opens_the_same_card(login, incidents_region):
    client = login(incidents_region.coordinator)
    form = {"url": "https://t.me/demo_channel/10", "text": TEXT, "author_nickname": "demo_teacher"}
    response = client.post("/staff/incidents/new/", form)
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/incidents/{incident.pk}/"
    assert incident.network == "telegram" and incident.events.first().actor == incidents_region.coordinator
    again = client.post(
        "/staff/incidents/new/", {**form, "url": "https://t.me/demo_channel/10/"}, follow=True
    )
    assert "уже зарегистрирована" in again.content.decode()
    assert Incident.objects.count() == 1


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"url": "vk.com/wall", "text": TEXT}, "https://"),
        ({"url": "", "text": TEXT}, "Вставьте ссылку"),
        ({"url": "https://vk.com/wall-1_1", "text": ""}, "Вставьте текст"),
        ({"url": "https://vk.com/wall-1_1", "text": TEXT, "published_at": "завтра"}, "ДД.ММ.ГГГГ"),
        ({"url": "https://vk.com/wall-1_1", "text": TEXT, "network": "myspace"}, "из списка"),
        ({"url": "https://vk.com/wall-1_1", "text": TEXT, "published_at": "01.01.2099 10:00"}, "в будущем"),
    ],
)
def test_bad_registration_is_a_400_in_russian_and_nothing_is_saved(login, incidents_region, form, message):
    response = login(incidents_region.executor_a).post("/staff/incidents/new/", form)
    assert response.status_code == 400 and message in response.content.decode()
    assert Incident.objects.count() == 0


def test_queues_and_filters_show_what_the_user_may_see(login, incidents_region):
    mine = _incident(incidents_region)
    other = _incident(
        incidents_region, url="https://ok.ru/group/1/topic/2", territory=incidents_region.territory_b
    )
    page = login(incidents_region.executor_a).get("/staff/incidents/?queue=all").content.decode()
    assert f"/staff/incidents/{mine.pk}/" in page and f"/staff/incidents/{other.pk}/" not in page
    coordinator = login(incidents_region.coordinator)
    page = coordinator.get("/staff/incidents/?queue=all&network=ok").content.decode()
    assert f"/staff/incidents/{other.pk}/" in page and f"/staff/incidents/{mine.pk}/" not in page
    filtered = coordinator.get(f"/staff/incidents/?queue=new&territory={incidents_region.territory_a.pk}")
    assert f"/staff/incidents/{mine.pk}/" in filtered.content.decode()
    assert f"/staff/incidents/{other.pk}/" not in filtered.content.decode()
    analyst = login(incidents_region.analyst).get("/staff/incidents/").content.decode()
    assert "/staff/incidents/new/" not in analyst and "/staff/incidents/import/" not in analyst
    assert "/staff/incidents/figures/" in analyst
    coordinator = login(incidents_region.coordinator)
    nonsense = coordinator.get("/staff/incidents/?queue=zzz&network=x&territory=abc&topic=-1&page=q")
    assert nonsense.status_code == 200
    huge = "9" * 20
    assert coordinator.get(f"/staff/incidents/?territory={huge}&topic={huge}").status_code == 200


def test_executor_takes_replies_and_closes_through_the_card(login, incidents_region):
    topic = Topic.objects.get(code="12.02")
    topic.answer_template = "Уважаемый(ая) {name}! Обращение № {number} рассмотрено."
    topic.reply_template = "Здравствуйте! {organization}: ремонт школы запланирован."
    topic.save()
    incident = _incident(incidents_region, author_nickname="demo_parent")
    client = login(incidents_region.executor_a)
    card = client.get(f"/staff/incidents/{incident.pk}/").content.decode()
    assert "Здравствуйте! Управление образования А: ремонт школы запланирован." in card
    assert "рассмотрено" not in card  # the formal letter's template is not a public comment
    action = f"/staff/incidents/{incident.pk}/action/"
    client.post(action, {"action": "take"})
    client.post(action, {"action": "comment", "text": "Согласовано с директором."})
    response = client.post(
        action,
        {
            "action": "reply",
            "text": "Ремонт кровли начнётся 5 ноября.",
            "reply_url": "https://vk.com/wall-000000_1?reply=9",
        },
    )
    assert response.status_code == 302
    client.post(action, {"action": "close"})
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED and incident.reply_url == "https://vk.com/wall-000000_1?reply=9"
    kinds = list(incident.events.values_list("kind", flat=True))
    assert kinds[-4:] == ["taken", "comment", "answered", "closed"]


def test_refused_action_explains_and_changes_nothing(login, incidents_region):
    incident = _incident(incidents_region)
    client = login(incidents_region.executor_a)
    page = client.post(
        f"/staff/incidents/{incident.pk}/action/", {"action": "reply", "text": "ок"}, follow=True
    ).content.decode()
    assert "слишком короткий" in page
    dismissed = client.post(
        f"/staff/incidents/{incident.pk}/action/", {"action": "dismiss", "text": ""}, follow=True
    )
    assert "почему публикация не требует реакции" in dismissed.content.decode()
    incident.refresh_from_db()
    assert incident.status == Status.NEW and incident.events.count() == 2


@pytest.mark.parametrize(
    ("action", "text", "message"),
    [
        ("comment", "к" * 4001, "Комментарий — не длиннее 4000 символов (сейчас 4001)."),
        ("dismiss", "р" * 2001, "Причина «не требует реакции» — не длиннее 2000 символов (сейчас 2001)."),
        ("reply", "о" * 20001, "Ответ длиннее 20000 символов."),
    ],
)
def test_too_long_texts_are_refused_with_the_limit_not_cut(login, incidents_region, action, text, message):
    incident = _incident(incidents_region)
    client = login(incidents_region.executor_a)
    page = client.post(
        f"/staff/incidents/{incident.pk}/action/", {"action": action, "text": text}, follow=True
    ).content.decode()
    assert message in page
    incident.refresh_from_db()
    assert (incident.status, incident.no_reaction_reason, incident.events.count()) == (Status.NEW, "", 2)


def test_coordinator_corrects_and_converts_to_an_appeal(login, incidents_region):
    incident = _incident(incidents_region)
    client = login(incidents_region.coordinator)
    action = f"/staff/incidents/{incident.pk}/action/"
    client.post(
        action,
        {
            "action": "correct",
            "topic": Topic.objects.get(code="12.01").pk,
            "territory": incidents_region.territory_b.pk,
            "organization": incidents_region.body_b.pk,
            "urgent": "1",
        },
    )
    incident.refresh_from_db()
    assert (incident.topic.code, incident.territory, incident.organization, incident.urgent) == (
        "12.01",
        incidents_region.territory_b,
        incidents_region.body_b,
        True,
    )
    response = client.post(action, {"action": "convert"}, follow=True)
    appeal = Appeal.objects.get()
    assert appeal.number in response.content.decode()
    incident.refresh_from_db()
    assert incident.appeal == appeal


def test_staff_of_another_organization_gets_404_and_nothing_changes(login, incidents_region):
    incident = _incident(incidents_region)
    client = login(incidents_region.executor_b)
    assert client.get(f"/staff/incidents/{incident.pk}/").status_code == 404
    assert client.post(f"/staff/incidents/{incident.pk}/action/", {"action": "take"}).status_code == 404
    assert client.get("/staff/incidents/999999/").status_code == 404
    incident.refresh_from_db()
    assert incident.status == Status.NEW and incident.events.count() == 2


def test_analyst_reads_but_may_not_act_and_anonymous_is_sent_to_login(client, login, incidents_region):
    incident = _incident(incidents_region)
    assert client.get("/staff/incidents/").status_code == 302
    analyst = login(incidents_region.analyst)
    assert analyst.get(f"/staff/incidents/{incident.pk}/").status_code == 200
    assert analyst.post(f"/staff/incidents/{incident.pk}/action/", {"action": "take"}).status_code == 403
    assert analyst.get("/staff/incidents/new/").status_code == 403
    incident.refresh_from_db()
    assert incident.status == Status.NEW


def test_import_page_reports_every_row(login, incidents_region):
    content = (
        "url,text\nhttps://vk.com/wall-000000_9,В школе холодно и нет отопления\nnot-a-link,текст\n"
    ).encode()
    response = login(incidents_region.coordinator).post(
        "/staff/incidents/import/", {"file": SimpleUploadedFile("export.csv", content)}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Принято: <strong>1</strong>" in page and "https://" in page
    bad = login(incidents_region.coordinator).post(
        "/staff/incidents/import/", {"file": SimpleUploadedFile("export.doc", b"x")}
    )
    assert bad.status_code == 400 and ".csv и .xlsx" in bad.content.decode()


def test_figures_count_reaction_times_and_the_share_in_time(login, incidents_region):
    answered = _incident(incidents_region)
    services.incident_reply(
        incident=answered, actor=incidents_region.executor_a, text="Ответ по существу дан."
    )
    _incident(incidents_region, url="https://t.me/demo/2")
    page = login(incidents_region.coordinator).get("/staff/incidents/figures/?days=7").content.decode()
    assert "Найдено: <strong>2</strong>" in page and "ВКонтакте" in page and "Telegram-канал" in page
    assert "ответ в срок: <strong>100%</strong> (1 из 1)" in page
    for column in ("Соцсеть", "Статус", "Тематика", "Территория"):  # each table says what it counts
        assert f'<th scope="col">{column}</th><th scope="col" class="num">Инцидентов</th>' in page
    assert (
        '<td>ВКонтакте</td><td class="num">1</td><td><span class="bar" style="width: 50%"></span> 50%' in page
    )
    assert login(incidents_region.coordinator).get("/staff/incidents/figures/?days=abc").status_code == 200


def test_the_analytics_dashboard_shows_incident_figures(login, incidents_region):
    answered = _incident(incidents_region)
    services.incident_reply(
        incident=answered, actor=incidents_region.executor_a, text="Ответ по существу дан."
    )
    page = login(incidents_region.analyst).get("/staff/analytics/").content.decode()
    assert "Инциденты в соцсетях" in page and "опубликован ответ: 1" in page
