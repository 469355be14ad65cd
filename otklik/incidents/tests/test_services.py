"""Incident registration, the reaction deadline and its tasks, staff work and conversion, on a frozen clock."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult

from otklik.appeals.models import Appeal, Channel, Notification
from otklik.incidents import services
from otklik.incidents.models import Incident
from otklik.incidents.services import IncidentError
from otklik.incidents.statuses import Status
from otklik.routing.models import Topic
from otklik.testing import run_due_tasks

EKB = ZoneInfo("Asia/Yekaterinburg")
TEXT = (
    "В школе № 1 Северного района течёт крыша, в кабинете ремонт не делали три года. Куда смотрит управление?"
)
URL = "https://vk.com/wall-000000_123"
FRIDAY = datetime(2026, 10, 30, 16, 0, tzinfo=EKB)


def _register(region, **kw):
    defaults = {
        "region": region.region,
        "url": URL,
        "text": TEXT,
        "author_nickname": "demo_parent_01",
        "topic": Topic.objects.get(code="12.02"),
        "territory": region.territory_a,
    }
    return services.incident_register(**{**defaults, **kw})


def _kinds(incident) -> list[str]:
    return list(incident.events.order_by("at", "pk").values_list("kind", flat=True))


def test_registration_routes_and_sets_an_8_working_hour_deadline_over_the_weekend(
    incidents_region, django_capture_on_commit_callbacks
):
    with time_machine.travel(FRIDAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        incident, created = _register(incidents_region)
    assert created and incident.status == Status.NEW and incident.network == "vk"
    assert incident.organization == incidents_region.body_a
    assert incident.policy.code == "incident" and not incident.urgent
    # 2 office hours on Friday, 6 on Monday 02.11 (Saturday 31.10 is a day off)
    assert incident.due_at == datetime(2026, 11, 2, 15, 0, tzinfo=EKB)
    assert _kinds(incident) == ["registered", "routed"]
    scheduled = sorted(
        DBTaskResult.objects.filter(task_path__contains="incident_deadline").values_list(
            "task_path", "run_after"
        )
    )
    assert scheduled == [
        ("otklik.incidents.tasks.incident_deadline_check", datetime(2026, 11, 2, 15, 0, tzinfo=EKB)),
        ("otklik.incidents.tasks.incident_deadline_reminder", datetime(2026, 11, 2, 13, 0, tzinfo=EKB)),
    ]


def test_urgent_incident_has_two_hours_on_the_clock(incidents_region):
    saturday = datetime(2026, 10, 31, 22, 30, tzinfo=EKB)
    with time_machine.travel(saturday, tick=False):
        incident, _ = _register(incidents_region, urgent=True)
    assert incident.policy.code == "incident_urgent"
    assert incident.due_at == datetime(2026, 11, 1, 0, 30, tzinfo=EKB)


def test_topic_and_territory_are_suggested_from_the_text(incidents_region):
    incident, _ = _register(incidents_region, topic=None, territory=None)
    assert incident.topic is None and incident.topic_suggested is not None
    assert incident.territory == incidents_region.territory_a  # «Северного района» found in the text
    assert _kinds(incident)[:2] == ["registered", "topic_suggested"]


def test_the_same_post_twice_is_one_incident_with_a_repeat_event(incidents_region):
    first, created = _register(incidents_region, url="http://m.vk.com/wall-000000_123/")
    again, created_again = _register(
        incidents_region, url="https://VK.com/wall-000000_123#reply", text="другое"
    )
    assert created and not created_again and again.pk == first.pk
    assert first.url == URL
    assert Incident.objects.count() == 1
    again.refresh_from_db()
    assert again.mentions == 2 and again.text == TEXT
    assert _kinds(again)[-1] == "repeat"


@pytest.mark.parametrize(
    ("kw", "field", "message"),
    [
        ({"url": "vk.com"}, "url", "https://"),
        ({"url": "javascript:alert(1)"}, "url", "https://"),
        ({"text": "   "}, "text", "текст"),
        ({"network": "myspace"}, "network", "Социальная сеть"),
        ({"published_at": datetime(2030, 1, 1, tzinfo=UTC)}, "published_at", "в будущем"),
        (
            {"author_nickname": "н" * 201},
            "author_nickname",
            "Ник автора — не длиннее 200 символов (сейчас 201).",
        ),
    ],
)
def test_bad_input_is_refused_in_russian(incidents_region, kw, field, message):
    with pytest.raises(IncidentError) as refused:
        _register(incidents_region, **kw)
    assert message in " ".join(refused.value.message_dict[field])
    assert Incident.objects.count() == 0


def test_reminder_then_escalation_to_coordinators_when_the_deadline_is_missed(
    incidents_region, django_capture_on_commit_callbacks
):
    with time_machine.travel(FRIDAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        incident, _ = _register(incidents_region)
        services.incident_take(incident=incident, actor=incidents_region.executor_a)
    with time_machine.travel(datetime(2026, 11, 2, 13, 30, tzinfo=EKB), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert run_due_tasks() == 1
    incident.refresh_from_db()
    assert _kinds(incident)[-1] == "reminder" and not incident.overdue
    with time_machine.travel(datetime(2026, 11, 2, 15, 1, tzinfo=EKB), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            run_due_tasks()
    incident.refresh_from_db()
    assert incident.overdue and _kinds(incident)[-1] == "overdue"
    escalation = Notification.objects.get(recipient="coordinator@example.ru")
    assert escalation.appeal is None and f"№{incident.pk}" in escalation.subject


def test_a_stale_task_does_nothing_after_the_public_reply(
    incidents_region, django_capture_on_commit_callbacks
):
    with time_machine.travel(FRIDAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        incident, _ = _register(incidents_region)
    with time_machine.travel(datetime(2026, 11, 2, 10, 0, tzinfo=EKB), tick=False):
        services.incident_reply(
            incident=incident,
            actor=incidents_region.executor_a,
            text="Здравствуйте! Ремонт кровли школы включён в план, работы начнутся на этой неделе.",
            reply_url="https://vk.com/wall-000000_123?reply=456",
        )
    with time_machine.travel(datetime(2026, 11, 3, 9, 0, tzinfo=EKB), tick=False):
        assert run_due_tasks() == 2
    incident.refresh_from_db()
    assert incident.status == Status.ANSWERED and not incident.overdue
    assert "overdue" not in _kinds(incident) and "reminder" not in _kinds(incident)
    assert Notification.objects.count() == 0


def test_marking_urgent_moves_the_deadline_and_the_old_tasks_go_stale(
    incidents_region, django_capture_on_commit_callbacks
):
    with time_machine.travel(FRIDAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        incident, _ = _register(incidents_region)
    with time_machine.travel(datetime(2026, 10, 30, 16, 30, tzinfo=EKB), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.incident_update(incident=incident, actor=incidents_region.coordinator, urgent=True)
    assert incident.due_at == datetime(2026, 10, 30, 18, 0, tzinfo=EKB)  # 2 h from when it was found
    with time_machine.travel(datetime(2026, 11, 3, 9, 0, tzinfo=EKB), tick=False):
        assert run_due_tasks() == 4
    assert _kinds(incident).count("overdue") == 1 and _kinds(incident).count("reminder") == 1
    assert "corrected" in _kinds(incident)


def test_workspace_actions_are_events_and_wrong_steps_are_refused(incidents_region):
    executor = incidents_region.executor_a
    incident, _ = _register(incidents_region)
    services.incident_take(incident=incident, actor=executor)
    services.incident_comment(incident=incident, actor=executor, text="Уточняю у директора школы.")
    services.incident_dismiss(incident=incident, actor=executor, reason="Реклама репетитора, вопроса нет.")
    services.incident_reopen(incident=incident, actor=executor)
    with pytest.raises(IncidentError, match="короткий"):
        services.incident_reply(incident=incident, actor=executor, text="Ок")
    services.incident_reply(incident=incident, actor=executor, text="Спасибо, ремонт запланирован на ноябрь.")
    with pytest.raises(IncidentError, match="Нельзя перевести"):
        services.incident_take(incident=incident, actor=executor)
    services.incident_close(incident=incident, actor=executor)
    assert _kinds(incident)[2:] == ["taken", "comment", "no_reaction", "reopened", "answered", "closed"]
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED and incident.executor == executor and incident.answered_at


def test_conversion_registers_a_linked_appeal_once(incidents_region):
    incident, _ = _register(incidents_region)
    appeal = services.incident_convert(incident=incident, actor=incidents_region.coordinator)
    assert appeal.channel == Channel.INCIDENT and appeal.is_anonymous
    assert (appeal.external_source, appeal.external_id) == ("incident", str(incident.pk))
    assert URL in appeal.text and appeal.organization == incidents_region.body_a
    assert list(appeal.incidents.all()) == [incident]
    assert appeal.events.filter(kind="comment", text__contains=f"№{incident.pk}").exists()
    assert _kinds(incident)[-1] == "converted"
    with pytest.raises(IncidentError, match="уже оформлен"):
        services.incident_convert(incident=incident, actor=incidents_region.coordinator)
    assert Appeal.objects.count() == 1
