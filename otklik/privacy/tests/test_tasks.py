"""The retention deadline as a task: queued when an appeal is answered or closed, stale once reopened."""

from datetime import UTC, timedelta

import time_machine
from django_tasks_db.models import DBTaskResult

from otklik.appeals.statuses import Status
from otklik.privacy.tests.base import ANSWERED, EXPIRES, RATED, full_appeal, snapshot

TASK = "otklik.privacy.tasks.appeal_retention_expire"


def _scheduled(appeal):
    return list(
        DBTaskResult.objects.filter(task_path=TASK, args_kwargs__args__0=appeal.pk)
        .order_by("run_after")
        .values_list("run_after", "args_kwargs")
    )


def _run(result_args):
    from otklik.privacy import tasks

    return tasks.appeal_retention_expire.call(*result_args["args"])


def test_answer_and_closing_each_queue_the_end_of_the_period(region, django_capture_on_commit_callbacks):
    appeal = full_appeal(region, django_capture_on_commit_callbacks)
    assert _scheduled(appeal) == [
        (
            ANSWERED + timedelta(days=1827),
            {"args": [appeal.pk, ANSWERED.astimezone(UTC).isoformat()], "kwargs": {}},
        ),
        (EXPIRES, {"args": [appeal.pk, RATED.astimezone(UTC).isoformat()], "kwargs": {}}),
    ]
    answered_task, closed_task = _scheduled(appeal)
    with time_machine.travel(EXPIRES, tick=False):
        # The answer's task is stale: the appeal was closed later, the period counts from the closing.
        assert _run(answered_task[1]) is False
        assert _run(closed_task[1]) is True
    appeal.refresh_from_db()
    assert appeal.contact_email == "" and appeal.depersonalised_at == EXPIRES


def test_the_task_of_an_appeal_reopened_since_does_nothing(region, django_capture_on_commit_callbacks):
    # Answered (the task is queued), then rated 1: escalated to the ministry, under consideration again.
    appeal = full_appeal(region, django_capture_on_commit_callbacks, rating=1)
    assert (appeal.status, appeal.closed_at, appeal.organization) == (Status.ASSIGNED, None, region.ministry)
    ((run_after, args),) = _scheduled(appeal)
    assert run_after == ANSWERED + timedelta(days=1827)
    before = snapshot(appeal)
    with time_machine.travel(run_after + timedelta(days=1), tick=False):
        assert _run(args) is False
    assert snapshot(appeal) == before


def test_a_period_lengthened_after_scheduling_holds_the_task_back(
    region, django_capture_on_commit_callbacks, settings
):
    appeal = full_appeal(region, django_capture_on_commit_callbacks)
    settings.PD_RETENTION_APPEAL_DAYS = 3000
    before = snapshot(appeal)
    with time_machine.travel(EXPIRES, tick=False):
        assert _run(_scheduled(appeal)[-1][1]) is False
    assert snapshot(appeal) == before


def test_a_disabled_class_queues_nothing(region, django_capture_on_commit_callbacks, settings):
    settings.PD_RETENTION_APPEAL_DAYS = None
    appeal = full_appeal(region, django_capture_on_commit_callbacks)
    assert _scheduled(appeal) == []
