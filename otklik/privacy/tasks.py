"""Retention deadlines: each finished appeal and closed incident gets one task at the end of its
period (a deadline is a task with `run_after`, not a sweep). The task carries the moment the object
was finished; an object reopened since has another moment (or none) and the task does nothing."""

from django.tasks import task

from otklik.privacy import services


@task()
def appeal_retention_expire(appeal_id: int, finished_at: str) -> bool:
    return services.appeal_depersonalise(appeal_id=appeal_id, finished_at=finished_at)


@task()
def incident_retention_expire(incident_id: int, closed_at: str) -> bool:
    return services.incident_depersonalise(incident_id=incident_id, closed_at=closed_at)
