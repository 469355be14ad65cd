"""Periodic chains (`lib/chains.arm`): one waiting link per task and arguments, and a forked chain
becomes one again at its next link."""

from datetime import timedelta

import time_machine
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from otklik.analytics.tasks import weekly_report_send
from otklik.lib import chains
from otklik.privacy import tasks as privacy_tasks
from otklik.testing import run_due_tasks


def _waiting(task, *args) -> int:
    return sum(
        r.args_kwargs["args"] == list(args)
        for r in DBTaskResult.objects.filter(task_path=task.module_path, status="READY")
    )


def test_two_workers_starting_at_once_leave_one_chain(region):
    sweep = privacy_tasks.retention_sweep
    # Both workers looked before either queued: two links wait.
    sweep.enqueue()
    sweep.enqueue()
    assert _waiting(sweep) == 2
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert run_due_tasks(max_rounds=1) == 2
    # The first link to finish queued tomorrow's sweep; the second found it waiting.
    [following] = DBTaskResult.objects.filter(task_path=sweep.module_path, status="READY")
    assert following.run_after == start + timedelta(days=1)


def test_a_worker_starting_while_a_link_runs_does_not_fork_the_chain(region):
    sweep = privacy_tasks.retention_sweep
    running = sweep.enqueue()
    DBTaskResult.objects.filter(pk=running.id).update(status="RUNNING")  # another worker holds it
    assert privacy_tasks.ensure_scheduled() is True  # nothing waits: this worker arms it
    assert sweep.call() is not None  # the running link ends and would queue its successor
    assert _waiting(sweep) == 1


def test_links_with_other_arguments_are_other_chains(region):
    later = timezone.now() + timedelta(days=3)
    assert chains.arm(weekly_report_send, 1, run_after=later) is True
    assert chains.arm(weekly_report_send, 2, run_after=later) is True
    assert chains.arm(weekly_report_send, 1, run_after=later) is False
    assert (_waiting(weekly_report_send, 1), _waiting(weekly_report_send, 2)) == (1, 1)
