"""The appeals panel of the coordinators' and executors' home pages: what waits for them now."""

from otklik.accounts.roles import Role
from otklik.appeals import selectors
from otklik.core.staff_home import register_panel

# The queues each role works from, in the order of their day.
ROLE_QUEUES = {
    Role.COORDINATOR: ["moderation", "returned", "due_soon", "overdue"],
    Role.EXECUTOR: ["new", "mine", "due_soon", "overdue"],
}


def _panel(user, region, keys: list[str]) -> dict:
    return {
        "template": "appeals/_panel_queues.html",
        "title": "Обращения",
        "queues": [
            (key, selectors.QUEUES[key], selectors.appeal_queue(user=user, queue=key, region=region).count())
            for key in keys
        ],
    }


@register_panel(Role.COORDINATOR, Role.ADMIN)
def coordinator_panel(user, region) -> dict:
    return _panel(user, region, ROLE_QUEUES[Role.COORDINATOR])


@register_panel(Role.EXECUTOR)
def executor_panel(user, region) -> dict:
    return _panel(user, region, ROLE_QUEUES[Role.EXECUTOR])
