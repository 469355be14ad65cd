"""Staff register letters, personal visits and e-mails (the hotline form for every offline channel):
terms from the receipt date, the letter's details, scans; the appeal's kind (59-ФЗ art. 4) in the
workspace, the API and imports; answers sent by post."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from otklik.appeals import services
from otklik.appeals.api import token_create
from otklik.appeals.models import Appeal, AppealEvent, Notification
from otklik.appeals.statuses import Status
from otklik.routing.models import Topic
from otklik.testing import APPEAL_TEXT as TEXT

EKB = ZoneInfo("Asia/Yekaterinburg")
PDF = b"%PDF-1.4\n" + b"\x00" * 64
REGISTER = "/staff/appeals/register/"
# Monday 19.10.2026, 10:00 in the region (Yekaterinburg)
MONDAY = datetime(2026, 10, 19, 10, 0, tzinfo=EKB)


def _letter(region, **extra):
    return {
        "channel": "post",
        "received_on": "2026-10-16",  # the Friday before
        "incoming_number": "17/3",
        "incoming_date": "2026-10-14",
        "author_name": "Петрова Мария Ивановна",
        "postal_address": "454000, г. Челябинск, ул. Кирова, д. 1, кв. 2",
        "territory": region.territory_a.pk,
        "topic": Topic.objects.get(code="12.02").pk,
        "text": TEXT,
        **extra,
    }


@time_machine.travel(MONDAY, tick=False)
def test_a_letter_received_on_friday_and_registered_on_monday_counts_from_receipt(client, region):
    client.force_login(region.coordinator)
    scan = SimpleUploadedFile("скан.pdf", PDF)
    response = client.post(REGISTER, _letter(region, files=[scan]))
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/appeals/{appeal.number}/"
    assert (appeal.channel, appeal.kind, appeal.incoming_number) == ("post", "statement", "17/3")
    assert appeal.incoming_date.isoformat() == "2026-10-14"
    assert appeal.postal_address.startswith("454000") and not appeal.is_anonymous
    assert appeal.received_at == datetime(2026, 10, 16, tzinfo=EKB) and appeal.registered_at == MONDAY
    # 16.10 + 30 days = 15.11, a Sunday: the end of Monday 16.11 (registered on the 19th it would be 18.11)
    assert appeal.due_at == datetime(2026, 11, 16, 23, 59, 59, tzinfo=EKB)
    assert (appeal.status, appeal.organization) == (Status.ASSIGNED, region.body_a)
    registered = appeal.events.get(kind="registered")
    assert registered.actor == region.coordinator
    assert registered.text.endswith(
        "канал: письмо (почта). Поступило 16.10.2026. Письмо № 17/3 от 14.10.2026."
    )
    # registered within 3 working days of receipt (Fri → Wed 21.10): nothing late
    assert not appeal.events.filter(kind="registered_late").exists()
    file = appeal.attachments.get()
    assert (file.content_type, file.from_citizen, file.name) == ("application/pdf", True, "скан.pdf")
    assert not Notification.objects.exists()  # no e-mail, no Telegram: nothing to send electronically
    card = client.get(f"/staff/appeals/{appeal.number}/").content.decode()
    assert "поступило 16.10.2026" in card and "№ 17/3 от 14.10.2026" in card and "ул. Кирова" in card


@time_machine.travel(MONDAY, tick=False)
def test_a_letter_registered_after_three_working_days_is_recorded_as_late(client, region):
    client.force_login(region.coordinator)
    client.post(REGISTER, _letter(region, received_on="12.10.2026", incoming_date=""))
    appeal = Appeal.objects.get()
    # 12.10 + 30 days = 11.11, a Wednesday
    assert appeal.due_at == datetime(2026, 11, 11, 23, 59, 59, tzinfo=EKB)
    late = appeal.events.get(kind="registered_late")
    assert not late.public
    assert late.text == "Поступило 12.10.2026, зарегистрировать следовало до 15.10.2026."


@time_machine.travel(MONDAY, tick=False)
def test_a_personal_visit_needs_the_visitors_consent_and_keeps_the_kind(client, region):
    client.force_login(region.executor_a)
    visit = {
        "channel": "visit",
        "kind": "complaint",
        "author_name": "Сидоров Олег",
        "contact_phone": "+7 900 000-00-00",
        "text": TEXT,
    }
    refused = client.post(REGISTER, visit)
    assert refused.status_code == 400 and "Без согласия заявителя" in refused.content.decode()
    assert Appeal.objects.count() == 0
    response = client.post(REGISTER, {**visit, "consent": "on"}, follow=True)
    appeal = Appeal.objects.get()
    page = response.content.decode()
    assert "Обращение с личного приёма зарегистрировано" in page
    assert f"/appeal/{Appeal.objects.get().number}/?s={Appeal.objects.get().secret}" in page
    assert (appeal.channel, appeal.kind, appeal.received_at) == ("visit", "complaint", MONDAY)
    assert appeal.events.get(kind="registered").data["kind"] == "complaint"
    assert appeal.due_at == datetime(2026, 11, 18, 23, 59, 59, tzinfo=EKB)


@time_machine.travel(MONDAY, tick=False)
def test_an_e_mail_to_the_office_is_registered_by_staff_and_answered_by_e_mail(
    client, region, django_capture_on_commit_callbacks
):
    client.force_login(region.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            REGISTER,
            {"channel": "email", "contact_email": "Anna@Example.ru", "kind": "proposal", "text": TEXT},
        )
    appeal = Appeal.objects.get()
    assert (appeal.channel, appeal.kind, appeal.contact_email) == ("email", "proposal", "anna@example.ru")
    assert Notification.objects.get(appeal=appeal).recipient == "anna@example.ru"


def test_the_hotline_page_preselects_the_call_and_the_register_page_takes_the_channel(client, region):
    client.force_login(region.coordinator)
    hotline = client.get("/staff/appeals/hotline/").content.decode()
    assert '<option value="hotline" selected>' in hotline and "Регистрация звонка" in hotline
    letter = client.get(REGISTER, {"channel": "post"}).content.decode()
    assert '<option value="post" selected>' in letter and "Регистрация обращения" in letter
    assert '<option value="api"' not in letter  # only offline channels are registrable by staff
    workspace = client.get("/staff/appeals/").content.decode()
    assert f'href="{REGISTER}?channel=post"' in workspace


@time_machine.travel(MONDAY, tick=False)
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"received_on": "2026-10-20"}, "Дата поступления не может быть позже сегодняшнего дня."),
        ({"received_on": "32.13.2026"}, "Дата поступления — в формате ДД.ММ.ГГГГ."),
        ({"incoming_date": "2026-10-17"}, "Дата письма не может быть позже даты его поступления."),
        ({"text": ""}, "Запишите суть обращения."),
        ({"text": "коротко"}, "Опишите вопрос подробнее"),
        ({"channel": "api"}, "Выберите канал поступления из списка."),
        ({"kind": "просьба"}, "Вид обращения — предложение, заявление или жалоба."),
        ({"files": [SimpleUploadedFile("вирус.pdf", b"MZ\x90\x00" * 10)]}, "только фотографии"),
        ({"files": [SimpleUploadedFile("пусто.pdf", b"")]}, "Файл пуст."),
        ({"incoming_number": "9" * 101}, "Номер письма длиннее 100 символов."),
    ],
)
def test_bad_registrations_are_refused_with_a_russian_message(client, region, change, message):
    client.force_login(region.coordinator)
    response = client.post(REGISTER, _letter(region, **change))
    assert response.status_code == 400 and message in response.content.decode()
    assert Appeal.objects.count() == 0 and not AppealEvent.objects.exists()


def test_too_many_scans_are_refused(client, region):
    client.force_login(region.coordinator)
    scans = [SimpleUploadedFile(f"{n}.pdf", PDF) for n in range(6)]
    response = client.post(REGISTER, _letter(region, received_on="", incoming_date="", files=scans))
    assert response.status_code == 400 and "Не больше 5 файлов." in response.content.decode()
    assert Appeal.objects.count() == 0


def test_the_service_refuses_a_receipt_in_the_future(region):
    with time_machine.travel(MONDAY, tick=False):
        with pytest.raises(services.AppealError, match="не может быть позже сегодняшнего дня"):
            services.appeal_submit(
                region=region.region,
                text=TEXT,
                channel="post",
                received_at=datetime(2026, 10, 20, tzinfo=EKB),
            )
    assert Appeal.objects.count() == 0


def _letter_appeal(region, **extra) -> Appeal:
    appeal, _ = services.appeal_submit(
        region=region.region,
        text=TEXT,
        channel="post",
        topic=Topic.objects.get(code="12.02"),
        territory=region.territory_a,
        author_name="Петрова Мария",
        postal_address="454000, г. Челябинск, ул. Кирова, д. 1",
        actor=region.coordinator,
        **extra,
    )
    return appeal


def test_changing_the_kind_is_an_internal_event_and_a_list_filter(client, region):
    appeal = _letter_appeal(region)
    client.force_login(region.coordinator)
    action = f"/staff/appeals/{appeal.number}/action/"
    client.post(action, {"action": "kind", "kind": "complaint"})
    appeal.refresh_from_db()
    assert appeal.kind == "complaint"
    event = appeal.events.get(kind="kind_changed")
    assert (event.public, event.actor, event.text) == (False, region.coordinator, "заявление → жалоба.")
    assert event.data == {"old": "statement", "new": "complaint"}
    card = client.get(f"/staff/appeals/{appeal.number}/").content.decode()
    assert "Изменён вид обращения" in card and "Вид обращения: <strong>жалоба</strong>" in card
    complaints = client.get("/staff/appeals/", {"queue": "all", "kind": "complaint"}).content.decode()
    proposals = client.get("/staff/appeals/", {"queue": "all", "kind": "proposal"}).content.decode()
    assert appeal.number in complaints and appeal.number not in proposals
    # the same kind again and an unknown kind change nothing
    same = client.post(action, {"action": "kind", "kind": "complaint"}, follow=True).content.decode()
    bad = client.post(action, {"action": "kind", "kind": "petition"}, follow=True).content.decode()
    assert "Вид обращения уже «жалоба»." in same and "предложение, заявление или жалоба" in bad
    assert appeal.events.filter(kind="kind_changed").count() == 1
    # the citizen's status page does not show the internal qualification
    client.logout()
    page = client.get(f"/appeal/{appeal.number}/", {"s": appeal.secret}).content.decode()
    assert "Изменён вид обращения" not in page and "жалоба" not in page


def test_an_analyst_cannot_change_the_kind(client, region):
    appeal = _letter_appeal(region)
    client.force_login(region.analyst)
    response = client.post(f"/staff/appeals/{appeal.number}/action/", {"action": "kind", "kind": "complaint"})
    appeal.refresh_from_db()
    assert response.status_code == 403 and appeal.kind == "statement"
    assert not appeal.events.filter(kind="kind_changed").exists()


def test_an_answer_sent_by_post_is_recorded_for_the_citizen(client, region):
    appeal = _letter_appeal(region)
    client.force_login(region.executor_a)
    card = client.get(f"/staff/appeals/{appeal.number}/").content.decode()
    assert '<input type="checkbox" name="by_post" checked>' in card  # no e-mail, no Telegram
    client.post(
        f"/staff/appeals/{appeal.number}/action/",
        {"action": "answer", "text": "Ответ по существу " * 3, "outcome": "supported", "by_post": "on"},
    )
    appeal.refresh_from_db()
    assert appeal.status == Status.ANSWERED
    posted = appeal.events.get(kind="posted")
    assert posted.public and posted.actor == region.executor_a and "Кирова" not in posted.text
    assert not appeal.events.filter(kind="not_delivered").exists()
    assert not Notification.objects.filter(appeal=appeal).exists()
    client.logout()
    page = client.get(f"/appeal/{appeal.number}/", {"s": appeal.secret}).content.decode()
    assert "Ответ направлен почтой" in page and "Кирова" not in page


def test_an_answer_reaching_nobody_is_flagged_and_post_needs_an_address(region):
    appeal = _letter_appeal(region)
    services.appeal_answer(appeal=appeal, actor=region.executor_a, text="Ответ по существу " * 3)
    flagged = appeal.events.get(kind="not_delivered")
    assert not flagged.public and "направьте ответ письмом" in flagged.text
    by_phone, _ = services.appeal_submit(
        region=region.region,
        text=TEXT,
        channel="hotline",
        author_name="Иван",
        topic=Topic.objects.get(code="12.02"),
        territory=region.territory_a,
    )
    with pytest.raises(services.AppealError, match="нет почтового адреса"):
        services.appeal_answer(
            appeal=by_phone, actor=region.executor_a, text="Ответ по существу " * 3, by_post=True
        )
    by_phone.refresh_from_db()
    assert by_phone.status == Status.ASSIGNED and not by_phone.events.filter(kind="posted").exists()


def test_api_takes_and_shows_the_kind_and_refuses_an_unknown_one(client, region, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    token = token_create(organization=region.ministry, name="ПОС")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def post(body):
        return client.post("/api/v1/appeals", json.dumps(body), content_type="application/json", **auth)

    bad = post({"text": TEXT, "kind": "жалоба"})
    assert bad.status_code == 400 and "complaint" in bad.json()["fields"]["kind"][0]
    assert Appeal.objects.count() == 0
    created = post(
        {"text": TEXT, "kind": "complaint", "topic": "12.02", "territory": region.territory_a.code}
    )
    assert created.status_code == 201 and created.json()["kind"] == "complaint"
    assert created.json()["received_at"] == created.json()["registered_at"]
    plain = post({"text": TEXT + " ещё", "topic": "12.02", "territory": region.territory_a.code})
    assert plain.json()["kind"] == "statement"
    number = plain.json()["number"]

    def patch(body):
        return client.patch(
            f"/api/v1/appeals/{number}", json.dumps(body), content_type="application/json", **auth
        )

    changed = patch({"action": "kind", "kind": "proposal"})
    assert changed.status_code == 200 and changed.json()["kind"] == "proposal"
    assert (
        Appeal.objects.get(number=number).events.get(kind="kind_changed").text == "заявление → предложение."
    )
    refused = patch({"action": "kind", "kind": 3})
    assert refused.status_code == 400 and "fields" in refused.json()
    assert Appeal.objects.get(number=number).kind == "proposal"


def test_import_reads_the_kind_column(client, region):
    rows = [f"1;{TEXT};Жалоба", f"2;{TEXT} ещё раз;", f"3;{TEXT} и снова;просьба"]
    content = ("Номер;Текст;Вид обращения\n" + "\n".join(rows)).encode()
    client.force_login(region.coordinator)
    page = client.post(
        "/staff/appeals/import/", {"source": "import", "file": SimpleUploadedFile("x.csv", content)}
    ).content.decode()
    assert "вид обращения «просьба» не распознан" in page
    kinds = dict(Appeal.objects.values_list("external_id", "kind"))
    assert kinds == {"1": "complaint", "2": "statement"}
