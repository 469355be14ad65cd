"""Background work of incidents: the reaction deadline's reminder and missed-deadline check, and
publishing the public reply in VK, and polling the watched VK walls."""

from django.tasks import task

from otklik.incidents import publishing, services


@task()
def incident_deadline_reminder(incident_id: int, due_at: str) -> bool:
    return services.incident_deadline_remind(incident_id=incident_id, due_at=due_at)


@task()
def incident_deadline_check(incident_id: int, due_at: str) -> bool:
    return services.incident_deadline_missed(incident_id=incident_id, due_at=due_at)


@task()
def incident_reply_deliver(publication_id: int) -> str:
    return publishing.reply_publication_deliver(publication_id=publication_id)


@task()
def vk_source_poll(source_id: int, scheduled_for: str) -> str:
    """Read a watched VK wall once and schedule the next poll (`collector.vk_source_poll`)."""
    from otklik.incidents import collector

    return collector.vk_source_poll(source_id=source_id, scheduled_for=scheduled_for)
