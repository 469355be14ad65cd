from django.conf import settings

from otklik.accounts.roles import Role
from otklik.accounts.selectors import user_memberships, user_primary_role, user_roles
from otklik.core import accessibility

# Sections of the main menu and the roles their pages let in (the views check the same sets:
# appeals and incidents `selectors.STAFF_ROLES`, analytics `ANALYTICS_ROLES`, routing `READERS`,
# people `accounts.staff_views.ADMINS`),
# so that the menu never shows a link its reader would meet as a 403.
MENU_SECTIONS = {
    "appeals": {Role.ADMIN, Role.COORDINATOR, Role.EXECUTOR, Role.ANALYST},
    "incidents": {Role.ADMIN, Role.COORDINATOR, Role.EXECUTOR, Role.ANALYST, Role.MONITOR},
    "analytics": {Role.ADMIN, Role.COORDINATOR, Role.EXECUTOR, Role.ANALYST},
    "topics": {Role.ADMIN, Role.COORDINATOR, Role.EDITOR, Role.ANALYST, Role.EXECUTOR},
    # Госпаблики: posts and templates for administrators and coordinators (`publics.services.POST_ROLES`),
    # distribution tasks received for executors too (`ASSIGNEE_ROLES`).
    "publics": {Role.ADMIN, Role.COORDINATOR, Role.EXECUTOR},
    "publics_posts": {Role.ADMIN, Role.COORDINATOR},
    "people": {Role.ADMIN},
}


def site(request):
    user = getattr(request, "user", None)
    roles = user_roles(user=user) if user is not None and user.is_authenticated else set()
    resolved = getattr(request, "_otklik_region", None)  # set by RegionMiddleware
    region = resolved.region if resolved else None
    if roles and region is not None and not user.is_superuser:
        # The menu of the region being served: a role held in another region opens nothing here.
        roles = {str(m.role) for m in user_memberships(user=user) if m.organization.region_id == region.pk}
    display = accessibility.parse(request.COOKIES.get(accessibility.COOKIE))
    return {
        "a11y_on": accessibility.is_on(display),
        "a11y_classes": accessibility.html_classes(display),
        "region": region,
        "region_choices": resolved.choices if resolved else [],
        "region_chosen": resolved.chosen if resolved else True,
        "region_staff": bool(roles),
        "OTKLIK_VERSION": settings.VERSION,
        "user_roles": roles,
        "menu": {name for name, allowed in MENU_SECTIONS.items() if roles & allowed},
        "primary_role": user_primary_role(user=user) if roles else None,
    }
