"""The whole appeal loop at the service level, on a frozen clock."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django_tasks_db.models import DBTaskResult

from otklik.appeals import services
from otklik.appeals.models import Appeal, AppealEvent, Notification
from otklik.appeals.statuses import Status
from otklik.routing.models import Topic
from otklik.testing import APPEAL_TEXT as TEXT
from otklik.testing import run_due_tasks

EKB = ZoneInfo("Asia/Yekaterinburg")


def _run_worker():
    run_due_tasks()


def test_submit_with_known_topic_routes_to_the_territory_body_with_a_59fz_deadline(
    region, django_capture_on_commit_callbacks
):
    topic = Topic.objects.get(code="12.02")
    with time_machine.travel(datetime(2025, 12, 2, 10, 0, tzinfo=EKB), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            appeal, created = services.appeal_submit(
                region=region.region,
                text=TEXT,
                channel="web",
                topic=topic,
                territory=region.territory_a,
                author_name="Иванова Анна",
                contact_email="Anna@example.ru",
            )
    assert created
    assert appeal.number == f"TO-2025-{1:06d}"
    assert appeal.status == Status.ASSIGNED
    assert appeal.organization == region.body_a
    assert appeal.policy.code == "fz59"
    # 02.12.2025 + 30 days = 01.01.2026, a holiday: the deadline moves to the end of 12.01.2026 local time
    assert appeal.due_at == datetime(2026, 1, 12, 23, 59, 59, tzinfo=EKB)
    kinds = list(appeal.events.values_list("kind", flat=True))
    assert kinds == ["registered", "routed"]
    scheduled = sorted(
        DBTaskResult.objects.filter(task_path__contains="appeal_deadline").values_list(
            "task_path", "run_after"
        )
    )
    assert [run_after for _, run_after in scheduled if "check" in _] == [appeal.due_at]
    assert Notification.objects.get(appeal=appeal).recipient == "anna@example.ru"


def test_urgent_topic_gets_the_24_hour_fast_track(region):
    topic = Topic.objects.get(code="12.01")
    topic.urgent = True
    topic.save()
    with time_machine.travel(datetime(2026, 1, 9, 15, 0, tzinfo=UTC), tick=False):
        appeal, _ = services.appeal_submit(
            region=region.region, text=TEXT, channel="telegram", topic=topic, territory=region.territory_a
        )
    assert appeal.policy.code == "fast_track"
    assert appeal.due_at == datetime(2026, 1, 10, 15, 0, tzinfo=UTC)


def test_pos_style_message_has_ten_working_days(region):
    with time_machine.travel(datetime(2025, 12, 29, 12, 0, tzinfo=EKB), tick=False):
        appeal, _ = services.appeal_submit(
            region=region.region,
            text=TEXT,
            channel="widget",
            topic=Topic.objects.get(code="12.02"),
            territory=region.territory_a,
        )
    assert appeal.due_at == datetime(2026, 1, 22, 23, 59, 59, tzinfo=EKB)


def test_unsure_topic_waits_for_the_coordinator(region, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.99
    appeal, _ = services.appeal_submit(
        region=region.region, text="Хочу узнать про что-нибудь важное", channel="web"
    )
    assert appeal.status == Status.MODERATION
    assert appeal.is_anonymous
    assert appeal.events.filter(kind="anonymous").exists()
    services.appeal_assign(
        appeal=appeal,
        organization=region.body_b,
        actor=region.coordinator,
        topic=Topic.objects.get(code="12.02"),
    )
    appeal.refresh_from_db()
    assert (appeal.status, appeal.organization, appeal.routed_automatically) == (
        Status.ASSIGNED,
        region.body_b,
        False,
    )


def test_same_external_id_is_not_registered_twice(region):
    first, created = services.appeal_submit(
        region=region.region, text=TEXT, channel="pos", external_source="pos", external_id="166835024"
    )
    again, created_again = services.appeal_submit(
        region=region.region, text=TEXT, channel="pos", external_source="pos", external_id="166835024"
    )
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert Appeal.objects.count() == 1


@pytest.mark.parametrize(
    ("text", "channel", "message"),
    [
        ("", "web", "подробнее"),
        ("коротко", "web", "подробнее"),
        ("я" * 20001, "web", "длиннее"),
        (TEXT, "pigeon", "канал"),
    ],
)
def test_bad_submissions_are_refused_in_russian(region, text, channel, message):
    with pytest.raises(services.AppealError) as err:
        services.appeal_submit(region=region.region, text=text, channel=channel)
    assert message in str(err.value)
    assert Appeal.objects.count() == 0


def test_full_loop_answer_low_rating_escalation_and_second_answer(region, django_capture_on_commit_callbacks):
    topic = Topic.objects.get(code="12.02")
    with django_capture_on_commit_callbacks(execute=True):
        appeal, _ = services.appeal_submit(
            region=region.region,
            text=TEXT,
            channel="web",
            topic=topic,
            territory=region.territory_a,
            contact_email="anna@example.ru",
            author_name="Иванова Анна",
        )
        services.appeal_take(appeal=appeal, actor=region.executor_a)
        services.appeal_answer(
            appeal=appeal,
            actor=region.executor_a,
            text="Отопление в школе восстановлено 14 ноября, температура проверена.",
        )
    _run_worker()
    assert [m.subject for m in mail.outbox] == [
        f"Обращение {appeal.number} зарегистрировано",
        f"Ответ на обращение {appeal.number}",
    ]
    appeal.refresh_from_db()
    assert appeal.events.filter(kind="delivered").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_rate(appeal=appeal, rating=2, comment="В классах по-прежнему холодно")
    appeal.refresh_from_db()
    assert (appeal.status, appeal.organization, appeal.escalation_level) == (
        Status.ASSIGNED,
        region.ministry,
        1,
    )
    assert appeal.executor is None
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_answer(
            appeal=appeal,
            actor=region.coordinator,
            text="Министерство провело проверку: в школе заменён котёл, контроль до марта.",
        )
        services.appeal_rate(appeal=appeal, rating=5)
    appeal.refresh_from_db()
    assert appeal.status == Status.CLOSED and appeal.rating == 5
    story = list(appeal.events.values_list("kind", flat=True))
    assert story == [
        "registered",
        "routed",
        "taken",
        "answered",
        "delivered",
        "rated",
        "escalated",
        "taken",
        "answered",
        "rated",
        "closed",
    ]


def test_refused_transitions_change_nothing(region):
    appeal, _ = services.appeal_submit(
        region=region.region,
        text=TEXT,
        channel="web",
        citizen=region.citizen,
        topic=Topic.objects.get(code="12.02"),
        territory=region.territory_a,
    )
    with pytest.raises(services.AppealError):
        services.appeal_rate(appeal=appeal, rating=1)
    with pytest.raises(services.AppealError):
        services.appeal_answer(appeal=appeal, actor=region.executor_a, text="ок")
    appeal.refresh_from_db()
    assert appeal.status == Status.ASSIGNED
    assert AppealEvent.objects.filter(appeal=appeal).count() == 2


def test_missed_deadline_is_marked_and_an_extension_makes_old_checks_stale(
    region, django_capture_on_commit_callbacks
):
    with time_machine.travel(datetime(2026, 2, 2, 9, 0, tzinfo=EKB), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            appeal, _ = services.appeal_submit(
                region=region.region,
                text=TEXT,
                channel="web",
                topic=Topic.objects.get(code="12.02"),
                territory=region.territory_a,
            )
    old_due = appeal.due_at
    assert old_due == datetime(2026, 3, 4, 23, 59, 59, tzinfo=EKB)
    with time_machine.travel(datetime(2026, 3, 3, 9, 0, tzinfo=EKB), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.appeal_take(appeal=appeal, actor=region.executor_a)
            services.appeal_extend(
                appeal=appeal, actor=region.executor_a, days=30, reason="Запрошены сведения"
            )
        _run_worker()  # the reminder scheduled for the old deadline finds it moved and does nothing
    appeal.refresh_from_db()
    assert appeal.due_at == datetime(2026, 4, 3, 23, 59, 59, tzinfo=EKB)
    assert not appeal.events.filter(kind="reminder").exists()
    with pytest.raises(services.AppealError):
        services.appeal_extend(appeal=appeal, actor=region.executor_a, days=10, reason="ещё раз")
    with time_machine.travel(datetime(2026, 4, 4, 9, 0, tzinfo=EKB), tick=False):
        _run_worker()
    appeal.refresh_from_db()
    assert appeal.overdue is True
    assert list(appeal.events.filter(kind__in=["reminder", "overdue"]).values_list("kind", flat=True)) == [
        "reminder",
        "overdue",
    ]


def test_appeal_waiting_for_a_coordinator_has_a_registration_term_of_three_working_days(
    region, settings, django_capture_on_commit_callbacks
):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.99
    region.coordinator.email = "coord@example.ru"
    region.coordinator.save()
    # Friday before the Victory Day weekend: 9–10 May off, 11 May a transferred holiday.
    with time_machine.travel(datetime(2026, 5, 8, 10, 0, tzinfo=EKB), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            appeal, _ = services.appeal_submit(
                region=region.region, text="Хочу узнать про что-нибудь важное", channel="web"
            )
    assert appeal.status == Status.MODERATION
    assert appeal.moderation_due_at == datetime(2026, 5, 14, 23, 59, 59, tzinfo=EKB)
    with time_machine.travel(datetime(2026, 5, 14, 23, 0, tzinfo=EKB), tick=False):
        _run_worker()
    assert not appeal.events.filter(kind="moderation_overdue").exists()
    with time_machine.travel(datetime(2026, 5, 15, 9, 0, tzinfo=EKB), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            _run_worker()
        _run_worker()  # delivers the e-mail queued by the check
    assert appeal.events.filter(kind="moderation_overdue").count() == 1
    assert [m.to for m in mail.outbox if "ждёт направления" in m.subject] == [["coord@example.ru"]]


def test_routed_appeal_never_gets_a_registration_alarm(region, settings, django_capture_on_commit_callbacks):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.99
    with time_machine.travel(datetime(2026, 5, 8, 10, 0, tzinfo=EKB), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            appeal, _ = services.appeal_submit(
                region=region.region, text="Хочу узнать про что-нибудь важное", channel="web"
            )
            services.appeal_assign(
                appeal=appeal,
                organization=region.body_b,
                actor=region.coordinator,
                topic=Topic.objects.get(code="12.02"),
            )
    with time_machine.travel(datetime(2026, 5, 20, 9, 0, tzinfo=EKB), tick=False):
        _run_worker()
    assert not appeal.events.filter(kind="moderation_overdue").exists()


def test_redirect_after_seven_days_is_recorded_as_late(region, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.99
    with time_machine.travel(datetime(2026, 5, 8, 10, 0, tzinfo=EKB), tick=False):
        late, _ = services.appeal_submit(
            region=region.region, text="Вопрос про ЖКХ и трубы во дворе", channel="web"
        )
        timely, _ = services.appeal_submit(
            region=region.region, text="Вопрос про дороги и ямы во дворе", channel="web"
        )
    with time_machine.travel(datetime(2026, 5, 12, 10, 0, tzinfo=EKB), tick=False):
        services.appeal_redirect(
            appeal=timely, actor=region.coordinator, to="Администрация города", reason=""
        )
    with time_machine.travel(datetime(2026, 5, 16, 10, 0, tzinfo=EKB), tick=False):
        services.appeal_redirect(appeal=late, actor=region.coordinator, to="Администрация города", reason="")
    assert late.events.get(kind="redirected").data.get("late") is True
    assert "позже срока (15.05.2026)" in late.events.filter(kind="comment").get().text
    assert "late" not in timely.events.get(kind="redirected").data


def _routed(region, **kw):
    """An appeal with a known topic, routed to municipal body A."""
    topic = Topic.objects.get(code="12.02")
    appeal, _ = services.appeal_submit(
        region=region.region, text=TEXT, topic=topic, territory=region.territory_a, **kw
    )
    return appeal


def test_taking_into_work_tells_a_telegram_citizen_but_sends_no_email(region):
    by_bot = _routed(region, channel="telegram", citizen=region.citizen)
    by_mail = _routed(region, channel="web", contact_email="anna@example.ru")
    before = Notification.objects.count()
    services.appeal_take(appeal=by_bot, actor=region.executor_a)
    services.appeal_take(appeal=by_mail, actor=region.executor_a)
    new = list(Notification.objects.order_by("pk")[before:])
    assert [(n.appeal_id, n.channel, n.recipient) for n in new] == [(by_bot.pk, "telegram", "100500")]
    assert new[0].subject == f"Обращение {by_bot.number} в работе"


def test_an_answer_given_straight_away_is_one_message_not_two(region):
    appeal = _routed(region, channel="telegram", citizen=region.citizen)
    before = Notification.objects.count()
    services.appeal_answer(
        appeal=appeal, actor=region.executor_a, text="Отопление включено, температура в норме."
    )
    assert [n.subject for n in Notification.objects.order_by("pk")[before:]] == [
        f"Ответ на обращение {appeal.number}"
    ]


def test_widget_organization_is_kept_for_widget_and_chat_appeals_of_its_region_only(region):
    from otklik.testing import make_org, make_region

    def submit(channel, org):
        appeal, _ = services.appeal_submit(
            region=region.region, text=TEXT, channel=channel, widget_organization=org
        )
        return appeal.widget_organization

    foreign = make_org(make_region(), "school")
    assert submit("widget", region.school_b) == region.school_b
    assert submit("webchat", region.school_b) == region.school_b  # the chat shown as a widget
    assert submit("web", region.school_b) is None
    assert submit("telegram", region.school_b) is None
    assert submit("widget", foreign) is None


def _answered(region, organization=None):
    appeal = _routed(region, channel="telegram", citizen=region.citizen)
    if organization is not None:
        services.appeal_assign(appeal=appeal, organization=organization, actor=region.coordinator)
    services.appeal_answer(
        appeal=appeal, actor=region.executor_a, text="Отопление в школе восстановлено 14 ноября."
    )
    return appeal


def test_a_second_rating_of_the_same_answer_is_refused_and_changes_nothing(region):
    appeal = _answered(region, organization=region.ministry)
    services.appeal_rate(appeal=appeal, rating=5)
    with pytest.raises(services.AppealError) as err:
        services.appeal_rate(appeal=appeal, rating=1, comment="Передумал")
    assert "Вы уже оценили этот ответ: 5 из 5" in str(err.value)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.rating, appeal.rating_comment) == (Status.CLOSED, 5, "")
    assert appeal.events.filter(kind="rated").count() == 1


def test_a_low_first_rating_escalates_once_and_the_new_answer_may_be_rated_again(region):
    appeal = _answered(region)
    services.appeal_rate(appeal=appeal, rating=1)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.organization, appeal.escalation_level) == (
        Status.ASSIGNED,
        region.ministry,
        1,
    )
    with pytest.raises(services.AppealError, match="уже оценили"):
        services.appeal_rate(appeal=appeal, rating=2)
    appeal.refresh_from_db()
    assert (appeal.escalation_level, appeal.rating) == (1, 1)
    services.appeal_answer(
        appeal=appeal, actor=region.coordinator, text="Министерство проверило: котёл заменён, тепло есть."
    )
    services.appeal_rate(appeal=appeal, rating=4)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.rating) == (Status.CLOSED, 4)
    assert appeal.events.filter(kind="rated").count() == 2


@pytest.mark.parametrize(
    ("step", "field", "message"),
    [
        (
            lambda a, r: services.appeal_redirect(appeal=a, actor=r.coordinator, to="А" * 301, reason=""),
            "to",
            "не длиннее 300 символов",
        ),
        (
            lambda a, r: services.appeal_redirect(
                appeal=a, actor=r.coordinator, to="Администрация", reason="п" * 2001
            ),
            "reason",
            "не длиннее 2000 символов",
        ),
        (
            lambda a, r: services.appeal_return(appeal=a, actor=r.executor_a, reason="п" * 2001),
            "reason",
            "не длиннее 2000 символов",
        ),
        (
            lambda a, r: services.appeal_request_info(appeal=a, actor=r.executor_a, question="в" * 4001),
            "question",
            "не длиннее 4000 символов",
        ),
        (
            lambda a, r: services.appeal_comment(appeal=a, actor=r.executor_a, text="к" * 4001),
            "text",
            "не длиннее 4000 символов",
        ),
    ],
)
def test_too_long_texts_are_refused_with_the_limit_never_cut(region, step, field, message):
    appeal = _routed(region, channel="web")
    events_before = appeal.events.count()
    with pytest.raises(services.AppealError) as err:
        step(appeal, region)
    assert message in " ".join(err.value.message_dict[field])
    appeal.refresh_from_db()
    assert appeal.status == Status.ASSIGNED and appeal.events.count() == events_before


def test_a_too_long_rating_comment_is_refused_and_the_answer_stays_unrated(region):
    appeal = _answered(region)
    with pytest.raises(services.AppealError) as err:
        services.appeal_rate(appeal=appeal, rating=1, comment="х" * 4001)
    assert err.value.message_dict["comment"] == [
        "Комментарий к оценке — не длиннее 4000 символов (сейчас 4001)."
    ]
    appeal.refresh_from_db()
    assert (appeal.status, appeal.rating, appeal.escalation_level) == (Status.ANSWERED, None, 0)
