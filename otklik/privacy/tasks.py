"""Retention deadlines: each finished appeal and closed incident gets one task at the end of its
period (a deadline is a task with `run_after`, not a sweep). The task carries the moment the object
was finished; an object reopened since has another moment (or none) and the task does nothing.
A daily sweep (`retention_sweep`, kept scheduled by the worker) does the rest."""

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from otklik.lib import chains
from otklik.privacy import services


@task()
def appeal_retention_expire(appeal_id: int, finished_at: str) -> bool:
    return services.appeal_depersonalise(appeal_id=appeal_id, finished_at=finished_at)


@task()
def incident_retention_expire(incident_id: int, closed_at: str) -> bool:
    return services.incident_depersonalise(incident_id=incident_id, closed_at=closed_at)


SWEEP_PATH = "otklik.privacy.tasks.retention_sweep"
SWEEP_EVERY = timedelta(days=1)


@task()
def retention_sweep() -> dict:
    """Once a day, what `otklik pd_retention` does: silent chats (their period restarts with every
    message, so they have no task of their own), data finished before the tasks existed, and periods
    shortened in the settings. Schedules the next day's sweep."""
    try:
        return services.retention_run(region=None, dry_run=False, now=timezone.now())
    finally:
        chains.arm(retention_sweep, run_after=timezone.now() + SWEEP_EVERY)


def ensure_scheduled() -> bool:
    """Queue the daily sweep unless one is waiting (called when the worker starts)."""
    return chains.arm(retention_sweep, run_after=timezone.now() + timedelta(minutes=5))
