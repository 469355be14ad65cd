"""The web loop: public form → routed → answered in the workspace → rated 2 → escalated → answered again."""

import time

import pytest
from django.core import mail, signing
from django.test import Client

from otklik.accounts.roles import Role
from otklik.appeals.models import Appeal
from otklik.appeals.statuses import Status
from otklik.routing.models import Topic
from otklik.testing import APPEAL_TEXT as TEXT
from otklik.testing import make_staff, run_due_tasks


def _form(**extra):
    return {
        "author_name": "Иванова Анна Сергеевна",
        "contact_email": "anna@example.ru",
        "text": TEXT,
        "consent": "on",
        "website": "",
        "started": signing.dumps(time.time() - 30),
        **extra,
    }


def _submit(client, region, **extra):
    Topic.objects.filter(code="12.01").update(keywords=["холодно", "отопление", "куртки", "классах"])
    response = client.post("/appeal/new/", _form(territory=region.territory_a.pk, **extra))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Appeal.objects.get(), response["Location"]


def test_web_form_registers_routes_and_shows_status(
    client, region, settings, django_capture_on_commit_callbacks
):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    with django_capture_on_commit_callbacks(execute=True):
        appeal, location = _submit(client, region)
    assert appeal.status == Status.ASSIGNED and appeal.organization == region.body_a
    page = client.get(location).content.decode()
    assert appeal.number in page and "Обращение зарегистрировано" in page
    assert client.get(f"/appeal/{appeal.number}/?s=wrong").status_code == 404
    assert client.get(f"/appeal/{appeal.number}/?s=²").status_code == 404
    assert client.get(f"/appeal/{appeal.number}/").status_code == 404


def test_widget_records_the_organization_whose_site_embeds_it(client, region):
    url = f"/appeal/widget/?org={region.school_a.code}"
    assert client.get(url).status_code == 200
    response = client.post(url, _form(territory=region.territory_a.pk))
    appeal = Appeal.objects.get()
    # The confirmation is shown inside the frame (the status page refuses framing).
    assert response.status_code == 200 and appeal.number in response.content.decode()
    assert (appeal.channel, appeal.widget_organization) == ("widget", region.school_a)


@pytest.mark.parametrize("query", ["", "?org=NO-SUCH-CODE"])
def test_widget_without_a_known_organization_still_registers_the_appeal(client, region, query):
    response = client.post(f"/appeal/widget/{query}", _form(territory=region.territory_a.pk))
    assert response.status_code == 200
    assert Appeal.objects.get().widget_organization is None


def test_web_form_ignores_a_widget_organization(client, region):
    response = client.post(f"/appeal/new/?org={region.school_a.code}", _form(territory=region.territory_a.pk))
    assert response.status_code == 302
    assert Appeal.objects.get().widget_organization is None


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"consent": ""}, "согласия"),
        ({"text": ""}, "Опишите ваш вопрос"),
        ({"text": "я" * 20001}, "длиннее 20 000"),
        ({"contact_email": "not-an-email"}, "адрес электронной почты"),
        ({"website": "http://spam"}, "автоматическую рассылку"),
        # Signed when the test runs, not when it is collected (minutes earlier in a long run).
        ({"started": lambda: signing.dumps(time.time() + 100)}, "слишком быстро"),
        ({"started": "forged"}, "Форма устарела"),
        ({"territory": "999999"}, "из списка"),
    ],
)
def test_bad_web_form_input_is_explained_and_nothing_registered(client, region, extra, message):
    extra = {key: value() if callable(value) else value for key, value in extra.items()}
    response = client.post("/appeal/new/", _form(**extra))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Appeal.objects.count() == 0


def test_widget_form_is_framed_by_other_sites_and_submitted_without_cookies(region, settings):
    """In a frame of another site browsers send no cookies, so the widget cannot rely on CSRF."""
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    framed = Client(enforce_csrf_checks=True)
    page = framed.get("/appeal/widget/")
    assert page.status_code == 200 and "X-Frame-Options" not in page.headers
    framed.cookies.clear()
    response = framed.post("/appeal/widget/", _form(territory=region.territory_a.pk))
    appeal = Appeal.objects.get()
    text = response.content.decode()
    assert response.status_code == 200 and "X-Frame-Options" not in response.headers
    assert appeal.channel == "widget" and "Обращение зарегистрировано" in text
    assert f"/appeal/{appeal.number}/?s={appeal.secret}" in text and 'target="_blank"' in text
    # the site's own form keeps both protections
    own = Client(enforce_csrf_checks=True)
    assert own.get("/appeal/new/").headers["X-Frame-Options"] == "DENY"
    assert own.post("/appeal/new/", _form(territory=region.territory_a.pk)).status_code == 403
    assert Appeal.objects.count() == 1


def test_the_same_form_sent_twice_is_one_appeal_and_an_edited_one_another(client, region):
    Topic.objects.filter(code="12.01").update(keywords=["холодно", "отопление"])
    form = _form(territory=region.territory_a.pk)
    first = client.post("/appeal/new/", form)
    again = client.post("/appeal/new/", form)  # a double click, a reload after sending
    appeal = Appeal.objects.get()
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] and appeal.number in again["Location"]
    edited = client.post("/appeal/new/", {**form, "text": TEXT + " Просим проверить и другие классы."})
    assert edited.status_code == 302 and Appeal.objects.count() == 2


def test_whole_loop_through_the_web(client, region, settings, django_capture_on_commit_callbacks):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    with django_capture_on_commit_callbacks(execute=True):
        appeal, status_url = _submit(client, region)
        client.force_login(region.executor_a)
        assert appeal.number in client.get("/staff/appeals/?queue=new").content.decode()
        taken = client.post(f"/staff/appeals/{appeal.number}/action/", {"action": "take"}, follow=True)
        assert "Обращение взято в работу." in taken.content.decode()  # says what happened
        answered = client.post(
            f"/staff/appeals/{appeal.number}/action/",
            {"action": "answer", "text": "Отопление восстановлено, температура в классах 20 °C."},
            follow=True,
        )
        assert "Ответ дан заявителю." in answered.content.decode()
    run_due_tasks()
    assert mail.outbox[-1].subject == f"Ответ на обращение {appeal.number}"
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(status_url.split("&")[0], {"rating": "2", "comment": "Всё ещё холодно"})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.status, appeal.organization) == (Status.ASSIGNED, region.ministry)
    client.force_login(region.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/staff/appeals/{appeal.number}/action/",
            {"action": "answer", "text": "Министерство проверило школу: котёл заменён, контроль до марта."},
        )
    appeal.refresh_from_db()
    assert appeal.status == Status.ANSWERED and "котёл заменён" in appeal.answer_text
    public = client.get(status_url).content.decode()
    assert "Передано в вышестоящую организацию" in public
    assert "Внутренний комментарий" not in public


def test_executor_of_another_body_gets_404_and_changes_nothing(client, region, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    appeal, _ = _submit(client, region)
    client.force_login(region.executor_b)
    assert client.get(f"/staff/appeals/{appeal.number}/").status_code == 404
    assert client.post(f"/staff/appeals/{appeal.number}/action/", {"action": "take"}).status_code == 404
    assert appeal.number not in client.get("/staff/appeals/?queue=all").content.decode()
    appeal.refresh_from_db()
    assert appeal.status == Status.ASSIGNED


def test_hostile_workspace_filters_show_the_page(client, region):
    client.force_login(region.coordinator)
    huge = "9" * 20
    response = client.get("/staff/appeals/", {"topic": huge, "territory": huge, "organization": huge})
    assert response.status_code == 200


def test_the_import_is_linked_only_for_those_who_may_import(client, region):
    client.force_login(region.executor_a)
    assert "/staff/appeals/import/" not in client.get("/staff/appeals/").content.decode()
    assert client.get("/staff/appeals/import/").status_code == 403
    client.force_login(region.coordinator)
    assert "/staff/appeals/import/" in client.get("/staff/appeals/").content.decode()


def test_workspace_needs_a_staff_role(client, region):
    from otklik.accounts.models import User

    client.force_login(User.objects.create_user("norole", password="x" * 12))
    assert client.get("/staff/appeals/").status_code == 403


def test_bad_workspace_actions_are_explained(client, region, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    appeal, _ = _submit(client, region)
    client.force_login(region.executor_a)
    for data in (
        {"action": "answer", "text": ""},
        {"action": "answer", "text": "ok"},
        {"action": "fly"},
        {"action": "assign", "organization": "x"},
        {"action": "extend", "days": "abc", "text": "x"},
    ):
        response = client.post(f"/staff/appeals/{appeal.number}/action/", data, follow=True)
        assert response.status_code == 200
        assert 'class="error"' in response.content.decode() or "messages" in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == Status.ASSIGNED and appeal.answer_text == ""


def test_coordinator_merges_a_repeat_into_the_main_appeal(client, region, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    main, _ = _submit(client, region)
    repeat, _ = _submit_another(client, region)
    client.force_login(region.coordinator)
    page = client.get(f"/staff/appeals/{repeat.number}/").content.decode()
    assert 'name="into"' in page
    response = client.post(
        f"/staff/appeals/{repeat.number}/action/",
        {"action": "merge", "into": main.number.lower()},
        follow=True,
    )
    assert response.status_code == 200
    assert f"Обращение объединено с обращением {main.number} как повтор." in response.content.decode()
    repeat.refresh_from_db()
    assert repeat.status == Status.MERGED and repeat.duplicate_of_id == main.pk
    assert repeat.events.filter(kind="merged").count() == 1
    main.refresh_from_db()
    assert main.status == Status.ASSIGNED


def test_merge_is_refused_for_unknown_numbers_and_for_executors(client, region, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    main, _ = _submit(client, region)
    repeat, _ = _submit_another(client, region)
    client.force_login(region.coordinator)
    response = client.post(
        f"/staff/appeals/{repeat.number}/action/", {"action": "merge", "into": "DO-1999-000001"}, follow=True
    )
    assert "не найдено" in response.content.decode()
    client.force_login(region.executor_a)
    response = client.post(
        f"/staff/appeals/{repeat.number}/action/", {"action": "merge", "into": main.number}, follow=True
    )
    assert "недоступно" in response.content.decode()
    repeat.refresh_from_db()
    assert repeat.status == Status.ASSIGNED and repeat.events.filter(kind="merged").count() == 0


def _submit_another(client, region):
    before = set(Appeal.objects.values_list("pk", flat=True))
    response = client.post(
        "/appeal/new/",
        _form(territory=region.territory_a.pk, author_name="Петров Пётр", contact_email="p@example.ru"),
    )
    assert response.status_code == 302
    return Appeal.objects.exclude(pk__in=before).get(), response["Location"]


def test_moderation_appeal_shows_its_registration_term_to_the_coordinator(client, region, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 1.01
    appeal, _ = _submit(client, region)
    assert appeal.status == Status.MODERATION and appeal.moderation_due_at is not None
    client.force_login(region.coordinator)
    card = client.get(f"/staff/appeals/{appeal.number}/").content.decode()
    assert "направить до" in card
    assert appeal.topic_suggested_id  # its confidence in per cent, as the executors' one
    assert f"уверенность {round(appeal.topic_confidence * 100)}%" in card
    assert "срок направления исполнителю" in client.get("/staff/appeals/?queue=moderation").content.decode()


def test_the_applicant_reads_what_happens_in_plain_words_not_the_workspace_terms(client, region, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 1.01
    appeal, location = _submit(client, region)
    page = client.get(location).content.decode()
    assert appeal.status == Status.MODERATION and "Специалист определяет, какая организация" in page
    assert "координатор" not in page.lower() and "уверенно" not in page
    assert 'href="/privacy/"' in client.get("/appeal/new/").content.decode()  # before the consent
    client.force_login(region.coordinator)
    queue = client.get("/staff/appeals/?queue=moderation").content.decode()
    assert "направить до" in queue
    assert appeal.topic_id is None and "предложена, не подтверждена" in queue  # not shown as settled


def test_returned_queue_and_filters_narrow_the_workspace(client, region, settings):
    from otklik.appeals import services

    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    appeal, _ = _submit(client, region)
    other, _ = _submit_another(client, region)
    services.appeal_return(appeal=appeal, actor=region.executor_a, reason="Не наша территория")
    client.force_login(region.coordinator)
    returned = client.get("/staff/appeals/", {"queue": "returned"}).content.decode()
    assert appeal.number in returned and other.number not in returned
    everything = {"queue": "all"}
    assert other.number in client.get("/staff/appeals/", everything).content.decode()
    by_channel = client.get("/staff/appeals/", {**everything, "channel": "hotline"}).content.decode()
    assert appeal.number not in by_channel and other.number not in by_channel
    by_territory = client.get(
        "/staff/appeals/", {**everything, "territory": region.territory_b.pk}
    ).content.decode()
    assert other.number not in by_territory
    group = Topic.objects.get(code="12.01").parent
    by_topic = client.get("/staff/appeals/", {**everything, "topic": group.pk}).content.decode()
    assert other.number in by_topic
    junk = client.get(
        "/staff/appeals/", {**everything, "topic": "abc", "channel": "<script>", "territory": "-1"}
    )
    assert junk.status_code == 200 and other.number in junk.content.decode()


def test_answer_with_a_file_reaches_the_citizen_and_a_bad_file_sends_nothing(client, region, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from otklik.appeals.tests.test_intake import PNG

    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    appeal, status_url = _submit(client, region)
    client.force_login(region.executor_a)
    action = f"/staff/appeals/{appeal.number}/action/"
    bad = SimpleUploadedFile("letter.png", b"MZ\x90\x00 not an image")
    response = client.post(
        action, {"action": "answer", "text": "Ответ по существу " * 3, "files": [bad]}, follow=True
    )
    assert "letter.png" in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == Status.ASSIGNED and appeal.answer_text == "" and not appeal.attachments.exists()
    good = SimpleUploadedFile("schedule.png", PNG)
    client.post(action, {"action": "answer", "text": "Ответ по существу " * 3, "files": [good]})
    appeal.refresh_from_db()
    assert appeal.status == Status.ANSWERED
    file = appeal.attachments.get()
    assert (file.from_citizen, file.event.kind) == (False, "answered")
    client.logout()
    page = client.get(status_url).content.decode()
    assert "schedule.png" in page
    download = f"/appeal/{appeal.number}/files/{file.pk}/"
    assert client.get(download, {"s": appeal.secret}).status_code == 200
    assert client.get(download, {"s": "wrong"}).status_code == 404
    assert client.get(download).status_code == 404


def test_the_card_shows_whom_to_call_executor_and_coordinator(client, region, settings):
    from otklik.appeals.services import appeal_assign

    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    appeal, _ = _submit(client, region)
    region.body_a.phone, region.body_a.email = "+7 (343) 000-00-01", "uo-a@example.ru"
    region.body_a.save()
    client.force_login(region.executor_a)
    card = client.get(f"/staff/appeals/{appeal.number}/").content.decode()
    # Routed automatically: the organization's contacts, and the nearest coordinator up the tree.
    assert 'тел. <a href="tel:+7 (343) 000-00-01">' in card and "mailto:uo-a@example.ru" in card
    assert f"Координатор: {region.coordinator}" in card
    region.executor_a.phone, region.executor_a.email = "+7 900 000-00-02", "ivanov@example.ru"
    region.executor_a.save()
    other = make_staff(region.ministry, Role.COORDINATOR, "second_coordinator", email="c2@example.ru")
    appeal_assign(appeal=appeal, organization=region.body_a, topic=appeal.topic, actor=other)
    client.post(f"/staff/appeals/{appeal.number}/action/", {"action": "take"})
    card = client.get(f"/staff/appeals/{appeal.number}/").content.decode()
    assert "mailto:ivanov@example.ru" in card  # the executor in charge, not the organization
    assert f"Координатор: {other}" in card and "mailto:c2@example.ru" in card  # who chose by hand


def test_a_voice_recording_sent_with_the_form_plays_in_the_staff_card(client, region, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    recording = b"ID3\x04\x00" + b"\x00" * 60
    appeal, _ = _submit(client, region, attachment=SimpleUploadedFile("запись.mp3", recording))
    file = appeal.attachments.get()
    assert (file.content_type, file.from_citizen) == ("audio/mpeg", True)
    client.force_login(region.executor_a)
    card = client.get(f"/staff/appeals/{appeal.number}/").content.decode()
    download = f"/staff/appeals/{appeal.number}/files/{file.pk}/"
    assert f'<audio controls preload="none" src="{download}"' in card
    response = client.get(download)
    assert response["Content-Type"] == "audio/mpeg" and b"".join(response.streaming_content) == recording


def test_executor_records_the_outcome_with_the_answer_and_a_forged_one_is_refused(client, region, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    appeal, _ = _submit(client, region)
    client.force_login(region.executor_a)
    action = f"/staff/appeals/{appeal.number}/action/"
    assert 'name="outcome"' in client.get(f"/staff/appeals/{appeal.number}/").content.decode()
    client.post(action, {"action": "answer", "text": "Ответ по существу " * 3, "outcome": "won"})
    appeal.refresh_from_db()
    assert appeal.status == Status.ASSIGNED and appeal.outcome == ""
    client.post(action, {"action": "answer", "text": "Ответ по существу " * 3, "outcome": "supported"})
    appeal.refresh_from_db()
    assert (appeal.status, appeal.outcome) == (Status.ANSWERED, "supported")


def test_answer_template_of_the_topic_comes_filled_in(client, region, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    appeal, _ = _submit(client, region)
    topic = appeal.topic or appeal.topic_suggested
    topic.answer_template = "Уважаемый(ая) {name}! Ваше обращение № {number} от {date} рассмотрено. {другое}"
    topic.save()
    client.force_login(region.executor_a)
    page = client.get(f"/staff/appeals/{appeal.number}/").content.decode()
    assert f"Уважаемый(ая) Иванова Анна Сергеевна! Ваше обращение № {appeal.number} от " in page
    assert "{name}" not in page and "{другое}" in page


def _answered_on_the_web(client, region):
    appeal, status_url = _submit(client, region)
    client.force_login(region.executor_a)
    client.post(f"/staff/appeals/{appeal.number}/action/", {"action": "take"})
    client.post(
        f"/staff/appeals/{appeal.number}/action/",
        {"action": "answer", "text": "Отопление восстановлено, температура в классах 20 °C."},
    )
    client.logout()
    return appeal, status_url.split("&")[0]


def test_a_rated_answer_cannot_be_rated_again_by_a_direct_post(client, region, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    appeal, status_url = _answered_on_the_web(client, region)
    assert client.post(status_url, {"rating": "5"}).status_code == 302
    response = client.post(status_url, {"rating": "1", "comment": "Передумал"})
    assert response.status_code == 400
    assert "Вы уже оценили этот ответ: 5 из 5." in response.content.decode()
    appeal.refresh_from_db()
    assert (appeal.status, appeal.rating, appeal.organization, appeal.escalation_level) == (
        Status.CLOSED,
        5,
        region.body_a,
        0,
    )
    assert appeal.events.filter(kind="rated").count() == 1


def test_a_too_long_redirect_is_refused_with_its_limit_not_cut(client, region, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    appeal, _ = _submit(client, region)
    client.force_login(region.coordinator)
    response = client.post(
        f"/staff/appeals/{appeal.number}/action/",
        {"action": "redirect", "to": "Администрация города", "text": "п" * 2001},
        follow=True,
    )
    assert "Причина переадресации — не длиннее 2000 символов (сейчас 2001)." in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == Status.ASSIGNED and not appeal.events.filter(kind="redirected").exists()


def test_home_pages_say_what_waits_in_the_queues_with_links(client, region, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 1.01
    _submit(client, region)
    client.force_login(region.coordinator)
    page = client.get("/staff/").content.decode()
    assert '<a href="/staff/appeals/?queue=moderation">На модерации</a>: <strong>1</strong>' in page
    client.force_login(region.executor_a)
    page = client.get("/staff/").content.decode()
    assert '<a href="/staff/appeals/?queue=new">Новые</a>: <strong>0</strong>' in page
    assert "queue=moderation" not in page
