"""The home-page panel of the staff of organizations asked to spread a piece of news."""

from otklik.accounts.roles import Role
from otklik.core.staff_home import register_panel
from otklik.publics import selectors


@register_panel(Role.ADMIN, Role.COORDINATOR, Role.EXECUTOR)
def assignments_panel(user, region) -> dict | None:
    targets = list(selectors.assignments_received(user=user, region=region)[:20])
    if not targets:
        return None
    return {
        "template": "publics/_panel_assignments.html",
        "title": "Задачи на распространение",
        "targets": targets,
    }
