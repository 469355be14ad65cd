"""Background work of госпаблики: a post at its time, retries of VK's transient refusals, reminders of
distribution tasks. All are tasks with `run_after`; none is a periodic sweep."""

from django.tasks import task

from otklik.publics import services


@task()
def post_publish_due(post_id: int, publish_at: str) -> str:
    return services.post_publish_due(post_id=post_id, publish_at=publish_at)


@task()
def post_target_deliver(target_id: int) -> str:
    return services.post_target_deliver(target_id=target_id)


@task()
def assignment_remind(assignment_id: int, due_at: str) -> int:
    return services.assignment_remind(assignment_id=assignment_id, due_at=due_at)
