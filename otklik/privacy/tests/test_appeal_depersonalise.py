"""`privacy.services.appeal_depersonalise` on a finished appeal full of personal data."""

from datetime import date, timedelta

import pytest
import time_machine

from otklik.accounts.models import Citizen, CitizenIdentity
from otklik.analytics import selectors as analytics
from otklik.appeals import services as appeal_services
from otklik.appeals.models import Appeal, AppealEvent, Attachment, Notification
from otklik.appeals.services import AppealError
from otklik.appeals.statuses import Status
from otklik.privacy.services import REMOVED_FILE, appeal_depersonalise
from otklik.privacy.tests.base import EXPIRES, RATED, TRACES, all_text, files_on_disk, full_appeal, snapshot

RETENTION_EVENT = "Персональные данные обезличены по истечении срока хранения."


def _figures(region):
    """What the dashboard shows for 2020 (the satisfaction, the channels, the voice share …)."""
    qs = analytics.appeals(
        user=None, region=region.region, filters=analytics.Filters(date(2020, 1, 1), date(2020, 12, 31))
    )
    return analytics.dashboard_figures(qs, region.region)


def test_a_full_appeal_loses_every_trace_of_the_person_and_keeps_its_statistics(
    region, django_capture_on_commit_callbacks
):
    appeal = full_appeal(region, django_capture_on_commit_callbacks)
    citizen_id = appeal.citizen_id
    files = files_on_disk(appeal)
    assert len(files) == 3 and all(f.exists() for f in files)
    assert all(trace in all_text(appeal) for trace in TRACES)
    with time_machine.travel(EXPIRES + timedelta(minutes=1), tick=False):
        before = _figures(region)
        with django_capture_on_commit_callbacks(execute=True):
            assert appeal_depersonalise(appeal_id=appeal.pk) is True
        after = _figures(region)

    assert after == before
    assert before["kpi"]["voice"] == 1
    appeal.refresh_from_db()
    assert (appeal.author_name, appeal.contact_email, appeal.contact_phone, appeal.postal_address) == (
        "",
        "",
        "",
        "",
    )
    assert appeal.citizen_id is None
    assert appeal.depersonalised_at == EXPIRES + timedelta(minutes=1)
    # What the figures and the archival record need stays.
    assert (appeal.status, appeal.rating, appeal.outcome, appeal.channel, appeal.kind) == (
        Status.CLOSED,
        4,
        "supported",
        "telegram",
        "statement",
    )
    assert (appeal.topic.code, appeal.territory, appeal.organization) == (
        "12.01",
        region.territory_a,
        region.body_a,
    )
    assert appeal.closed_at == RATED
    assert appeal.text == (
        "Здравствуйте! Меня зовут [ФИО], мой телефон [телефон]. "
        "В школе № 1 Северного района с октября холодно в классах, дети сидят в куртках."
    )
    assert appeal.answer_text == "Уважаемая [ФИО]! Отопление в школе № 1 включено в полную силу."
    assert "[ФИО]" in appeal.rating_comment and "[телефон]" in appeal.rating_comment
    # The place stays for the map of problems: without the person, and a point no finer than 0.01°.
    assert appeal.place.startswith("Школа № 1, вход со двора;") and "[телефон]" in appeal.place
    assert (appeal.latitude, appeal.longitude) == (56.84, 60.6)
    found = [trace for trace in TRACES if trace in all_text(appeal)]
    assert found == []
    # Files: gone from the disk; rows kept with their type and size (the voice share counts them).
    assert [f.exists() for f in files] == [False, False, False]
    assert list(
        Attachment.objects.filter(appeal=appeal).order_by("pk").values_list("file", "name", "content_type")
    ) == [
        ("", REMOVED_FILE, "image/png"),
        ("", REMOVED_FILE, "audio/ogg"),
        ("", REMOVED_FILE, "image/png"),
    ]
    # The citizen and their Telegram id are destroyed: no other appeal or chat needs them.
    assert not Citizen.objects.filter(pk=citizen_id).exists()
    assert not CitizenIdentity.objects.filter(value="77700777").exists()
    assert set(Notification.objects.filter(appeal=appeal).values_list("recipient", flat=True)) == {""}
    last = AppealEvent.objects.filter(appeal=appeal).latest("pk")
    assert (last.kind, last.text, last.data, last.actor_id, last.get_label()) == (
        "depersonalised",
        RETENTION_EVENT,
        {"by": "retention"},
        None,
        "Персональные данные обезличены",
    )


def test_running_twice_changes_nothing_more(region, django_capture_on_commit_callbacks):
    appeal = full_appeal(region, django_capture_on_commit_callbacks)
    with time_machine.travel(EXPIRES, tick=False):
        assert appeal_depersonalise(appeal_id=appeal.pk) is True
        first = snapshot(appeal)
    with time_machine.travel(EXPIRES + timedelta(days=30), tick=False):
        assert appeal_depersonalise(appeal_id=appeal.pk) is False
    assert snapshot(appeal) == first


def test_inside_the_period_nothing_changes(region, django_capture_on_commit_callbacks):
    appeal = full_appeal(region, django_capture_on_commit_callbacks)
    before = snapshot(appeal)
    with time_machine.travel(EXPIRES - timedelta(seconds=1), tick=False):
        assert appeal_depersonalise(appeal_id=appeal.pk) is False
    assert snapshot(appeal) == before
    assert all(f.exists() for f in files_on_disk(appeal))


def test_an_open_appeal_is_never_touched(region, django_capture_on_commit_callbacks):
    # Rated 1: escalated to the ministry, under consideration again.
    appeal = full_appeal(region, django_capture_on_commit_callbacks, rating=1)
    assert appeal.status == Status.ASSIGNED
    before = snapshot(appeal)
    with time_machine.travel(EXPIRES + timedelta(days=3650), tick=False):
        assert appeal_depersonalise(appeal_id=appeal.pk) is False
    assert snapshot(appeal) == before


def test_disabled_period_keeps_everything(region, django_capture_on_commit_callbacks, settings):
    appeal = full_appeal(region, django_capture_on_commit_callbacks)
    settings.PD_RETENTION_APPEAL_DAYS = None
    before = snapshot(appeal)
    with time_machine.travel(EXPIRES + timedelta(days=3650), tick=False):
        assert appeal_depersonalise(appeal_id=appeal.pk) is False
    assert snapshot(appeal) == before


def test_an_answer_never_rated_goes_after_the_period_from_the_answer(
    region, django_capture_on_commit_callbacks
):
    """Nothing closes an appeal whose answer is never rated: its period counts from the answer."""
    appeal = full_appeal(region, django_capture_on_commit_callbacks)
    Appeal.objects.filter(pk=appeal.pk).update(status=Status.ANSWERED, closed_at=None, rating=None)
    with time_machine.travel(appeal.answered_at + timedelta(days=1827), tick=False):
        assert appeal_depersonalise(appeal_id=appeal.pk) is True
    appeal.refresh_from_db()
    assert appeal.status == Status.ANSWERED and appeal.contact_email == ""
    with pytest.raises(AppealError, match="оценить ответ уже нельзя"):
        appeal_services.appeal_rate(appeal=appeal, rating=1)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.rating) == (Status.ANSWERED, None)


def test_the_citizen_stays_while_another_live_appeal_needs_them(region, django_capture_on_commit_callbacks):
    appeal = full_appeal(region, django_capture_on_commit_callbacks)
    citizen = appeal.citizen
    with time_machine.travel(EXPIRES, tick=False):
        other, _ = appeal_services.appeal_submit(
            region=region.region,
            text="Снова холодно в классах школы № 1.",
            channel="telegram",
            citizen=citizen,
        )
        assert appeal_depersonalise(appeal_id=appeal.pk) is True
    other.refresh_from_db()
    assert other.citizen_id == citizen.pk
    assert CitizenIdentity.objects.filter(citizen=citizen, value="77700777").exists()
    appeal.refresh_from_db()
    assert appeal.citizen_id is None


def test_a_citizens_demand_needs_a_finished_appeal_and_a_reason(region, django_capture_on_commit_callbacks):
    appeal = full_appeal(region, django_capture_on_commit_callbacks)
    before = snapshot(appeal)
    with pytest.raises(AppealError, match="Укажите основание"):
        appeal_depersonalise(appeal_id=appeal.pk, actor=region.coordinator, reason="  ")
    with pytest.raises(AppealError, match="не длиннее 2000"):
        appeal_depersonalise(appeal_id=appeal.pk, actor=region.coordinator, reason="я" * 2001)
    assert snapshot(appeal) == before
    with time_machine.travel(RATED + timedelta(days=40), tick=False):
        assert appeal_depersonalise(
            appeal_id=appeal.pk, actor=region.coordinator, reason="Заявление Ивановой М. П. от 20.04.2020"
        )
    last = AppealEvent.objects.filter(appeal=appeal).latest("pk")
    assert (last.kind, last.actor, last.data) == ("depersonalised", region.coordinator, {"by": "request"})
    assert last.text == (
        "Персональные данные обезличены по запросу гражданина (152-ФЗ, ст. 21). Основание: Заявление [ФИО] от 20.04.2020"
    )
    with pytest.raises(AppealError, match="уже обезличены"):
        appeal_depersonalise(appeal_id=appeal.pk, actor=region.coordinator, reason="ещё раз")
