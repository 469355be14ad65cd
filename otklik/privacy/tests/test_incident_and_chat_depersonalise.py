"""Incidents after closing and silent chat conversations lose who they were about."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django_tasks_db.models import DBTaskResult

from otklik.accounts.models import Citizen
from otklik.accounts.services import citizen_get_or_create
from otklik.appeals import services as appeal_services
from otklik.dialogue.models import Conversation
from otklik.incidents import services as incident_services
from otklik.incidents.models import Incident, IncidentEvent
from otklik.kb.models import Category, Query
from otklik.privacy.services import conversation_depersonalise, incident_depersonalise
from otklik.routing.models import Topic

EKB = ZoneInfo("Asia/Yekaterinburg")
FOUND = datetime(2024, 5, 6, 10, 0, tzinfo=EKB)
CLOSED = datetime(2024, 5, 8, 9, 0, tzinfo=EKB)
POST = "https://vk.com/wall-1_100"


def _closed_incident(region, capture) -> Incident:
    with time_machine.travel(FOUND, tick=False), capture(execute=True):
        incident, _ = incident_services.incident_register(
            region=region.region,
            url=POST,
            text="Учитель Петров кричит на детей, пишите мне olga.smirnova@example.ru",
            network="vk",
            author_nickname="Ольга Смирнова",
            topic=Topic.objects.get(code="12.02"),
            territory=region.territory_a,
        )
        incident_services.incident_dismiss(
            incident=incident, actor=region.coordinator, reason="Ольга Смирнова уже получила ответ в школе"
        )
    with time_machine.travel(CLOSED, tick=False), capture(execute=True):
        incident_services.incident_close(incident=incident, actor=region.coordinator)
    incident.refresh_from_db()
    return incident


def test_a_closed_incident_loses_the_author_and_the_link_after_a_year(
    region, login, django_capture_on_commit_callbacks
):
    incident = _closed_incident(region, django_capture_on_commit_callbacks)
    (task,) = DBTaskResult.objects.filter(task_path="otklik.privacy.tasks.incident_retention_expire")
    assert task.run_after == CLOSED + timedelta(days=365)
    with time_machine.travel(CLOSED + timedelta(days=364), tick=False):
        assert incident_depersonalise(incident_id=incident.pk) is False
    with time_machine.travel(CLOSED + timedelta(days=365), tick=False):
        assert task.task.call(*task.args_kwargs["args"]) is True
        assert incident_depersonalise(incident_id=incident.pk) is False  # twice: nothing more
    incident.refresh_from_db()
    assert (incident.author_nickname, incident.url) == ("", f"https://removed.invalid/incident/{incident.pk}")
    assert incident.text == "Учитель [ФИО] кричит на детей, пишите мне [e-mail]"
    assert incident.no_reaction_reason == "[ФИО] уже получила ответ в школе"
    assert (incident.status, incident.network, incident.territory, incident.found_at) == (
        "closed",
        "vk",
        region.territory_a,
        FOUND,
    )
    history = str(list(IncidentEvent.objects.filter(incident=incident).values("text", "data"))).lower()
    assert "смирнов" not in history and "vk.com/wall" not in history
    assert IncidentEvent.objects.filter(incident=incident).latest("pk").text == (
        "Ник автора и ссылка удалены, тексты обезличены по истечении срока хранения."
    )
    page = login(region.coordinator).get(f"/staff/incidents/{incident.pk}/").content.decode()
    assert (
        "Персональные данные обезличены 08.05.2025 09:00" in page
        and "ссылка удалена по сроку хранения" in page
    )
    assert "removed.invalid" not in page and "Смирнова" not in page


def test_an_open_incident_is_never_touched(region):
    with time_machine.travel(FOUND, tick=False):
        incident, _ = incident_services.incident_register(
            region=region.region, url=POST, text="Течёт крыша в школе.", author_nickname="Ольга"
        )
    with time_machine.travel(FOUND + timedelta(days=3000), tick=False):
        assert incident_depersonalise(incident_id=incident.pk) is False
    incident.refresh_from_db()
    assert (incident.author_nickname, incident.url, incident.depersonalised_at) == ("Ольга", POST, None)


LAST_SEEN = datetime(2025, 1, 15, 18, 0, tzinfo=EKB)


def _conversation(region, chat_id: str, **kw) -> Conversation:
    citizen, _ = citizen_get_or_create(channel="telegram", value=chat_id, display_name="Олег")
    conversation = Conversation.objects.create(
        region=region.region,
        channel="telegram",
        channel_user=chat_id,
        citizen=citizen,
        last_seen_at=LAST_SEEN,
        state={"flow": {"name": "ask", "draft": {"text": "Меня зовут Олег Сидоров", "phone": "89120001122"}}},
        **kw,
    )
    Query.objects.create(
        region=region.region,
        channel="telegram",
        channel_user=chat_id,
        text="Я Сидоров Олег Иванович, когда каникулы?",
        normalized="сидоров олег иванович когда каникулы",
        decision="abstained",
        created_at=LAST_SEEN,
    )
    return conversation


def test_a_silent_conversation_forgets_the_chat_id_the_draft_and_the_citizen(region):
    conversation = _conversation(region, "5550001")
    citizen_id = conversation.citizen_id
    with time_machine.travel(LAST_SEEN + timedelta(days=365), tick=False):
        assert conversation_depersonalise(conversation_id=conversation.pk) is True
        assert conversation_depersonalise(conversation_id=conversation.pk) is False
    conversation.refresh_from_db()
    assert (conversation.channel_user, conversation.state, conversation.citizen_id) == (
        f"обезличено-{conversation.pk}",
        {},
        None,
    )
    assert not Citizen.objects.filter(pk=citizen_id).exists()
    assert list(
        Query.objects.filter(region=region.region).values_list("channel_user", "text", "normalized")
    ) == [("", "Я [ФИО], когда каникулы?", "")]


def test_a_conversation_still_needed_is_kept(region):
    recent = _conversation(region, "5550002")
    Conversation.objects.filter(pk=recent.pk).update(last_seen_at=LAST_SEEN + timedelta(days=2))
    subscribed = _conversation(region, "5550003")
    subscribed.subscriptions.add(Category.objects.create(region=region.region, slug="news", title="Новости"))
    waiting = _conversation(region, "5550004")
    with time_machine.travel(LAST_SEEN - timedelta(days=1), tick=False):
        appeal_services.appeal_submit(
            region=region.region, text="Когда начнутся каникулы?", channel="telegram", citizen=waiting.citizen
        )
    with time_machine.travel(LAST_SEEN + timedelta(days=366), tick=False):
        assert [conversation_depersonalise(conversation_id=c.pk) for c in (recent, subscribed, waiting)] == [
            False,
            False,
            False,
        ]
    assert sorted(Conversation.objects.values_list("channel_user", flat=True)) == [
        "5550002",
        "5550003",
        "5550004",
    ]


def test_an_appeal_made_from_a_post_loses_its_authors_nickname_and_link(region):
    from otklik.appeals.services import appeal_redirect
    from otklik.privacy.services import appeal_depersonalise

    with time_machine.travel(FOUND, tick=False):
        incident, _ = incident_services.incident_register(
            region=region.region, url=POST, text="Течёт крыша в школе № 1.", author_nickname="mama_dashi_77"
        )
        appeal = incident_services.incident_convert(incident=incident, actor=region.coordinator)
        appeal_redirect(
            appeal=appeal, actor=region.coordinator, to="Администрация района", reason="Здание района"
        )
    assert "mama_dashi_77" in appeal.text and "wall-1_100" in appeal.text
    with time_machine.travel(FOUND + timedelta(days=1827), tick=False):
        assert appeal_depersonalise(appeal_id=appeal.pk) is True
    appeal.refresh_from_db()
    assert "mama_dashi" not in appeal.text.lower() and "wall-1_100" not in appeal.text
    assert appeal.text.startswith("Течёт крыша в школе № 1.\n\n[Публикация в соцсети: ВКонтакте, ")


def test_the_worker_keeps_a_daily_sweep_that_forgets_silent_chats(region):
    from django_tasks_db.models import DBTaskResult

    from otklik.privacy import tasks

    conversation = _conversation(region, "5550003")
    start = LAST_SEEN + timedelta(days=365)
    with time_machine.travel(start, tick=False):
        assert tasks.ensure_scheduled() is True
        assert tasks.ensure_scheduled() is False  # one sweep waits at a time
        [queued] = DBTaskResult.objects.filter(task_path=tasks.SWEEP_PATH)
        assert queued.run_after == start + timedelta(minutes=5)
        queued.delete()
        assert tasks.retention_sweep.call() == {"appeals": 0, "conversations": 1, "incidents": 0}
        [following] = DBTaskResult.objects.filter(task_path=tasks.SWEEP_PATH, status="READY")
        assert following.run_after == start + timedelta(days=1)
    conversation.refresh_from_db()
    assert conversation.channel_user == f"обезличено-{conversation.pk}"
