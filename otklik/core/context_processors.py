from django.conf import settings

from otklik.accounts.selectors import user_primary_role, user_roles


def site(request):
    user = getattr(request, "user", None)
    roles = user_roles(user=user) if user is not None and user.is_authenticated else set()
    return {
        "OTKLIK_VERSION": settings.VERSION,
        "user_roles": roles,
        # Only a monitoring operator: no appeals workspace and no analytics (they would answer 403).
        "monitor_only": roles == {"monitor"} and not user.is_superuser,
        "primary_role": user_primary_role(user=user) if roles else None,
    }
