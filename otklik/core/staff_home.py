"""What each role's home page shows. Apps add panels by registering a function here."""

from collections.abc import Callable

from django.db.models import Count

from otklik.accounts.selectors import organizations_in_scope, user_memberships
from otklik.orgs.models import Organization, Territory

# role -> list of functions(user, region) -> dict with "title", "template" and their own context
PANELS: dict[str, list[Callable]] = {}


def register_panel(*roles: str):
    def decorator(func: Callable) -> Callable:
        for role in roles:
            PANELS.setdefault(role, []).append(func)
        return func

    return decorator


def home_context(*, user, role: str | None, region=None) -> dict:
    """The home page of a staff member in `region` (the request's)."""
    memberships = user_memberships(user=user)
    scope = organizations_in_scope(user=user)
    by_kind = dict(scope.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    kinds = [
        (label, by_kind.get(value, 0)) for value, label in Organization.Kind.choices if by_kind.get(value)
    ]
    panels = [panel(user, region) for panel in PANELS.get(role or "", [])]
    return {
        "role": role,
        "memberships": memberships,
        "scope_count": scope.count(),
        "scope_kinds": kinds,
        "panels": [p for p in panels if p],
        "territories": Territory.objects.filter(region=region).order_by("name")
        if role in {"admin", "analyst"}
        else [],
    }
