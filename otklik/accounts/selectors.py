"""Who may see what. Every staff list and object lookup goes through these."""

from django.db.models import Model, Prefetch, Q, QuerySet
from django.http import Http404

from otklik.accounts.models import Citizen, CitizenIdentity, Membership, User
from otklik.accounts.roles import HOME_PRIORITY, Role
from otklik.orgs.models import Organization


def user_memberships(*, user: User) -> list[Membership]:
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_otklik_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("organization"))
        user._otklik_memberships = cached
    return cached


def user_roles(*, user: User) -> set[str]:
    roles = {m.role for m in user_memberships(user=user)}
    if user.is_authenticated and user.is_superuser:
        roles.add(Role.ADMIN)
    return roles


def user_primary_role(*, user: User) -> str | None:
    roles = user_roles(user=user)
    return next((role for role in HOME_PRIORITY if role in roles), None)


def scope_q(*, user: User, roles: set[str] | None = None, org_field: str = "") -> Q | None:
    """A filter limiting rows to the subtrees the user holds (any of) `roles` in.

    Returns None when the user is unrestricted (superuser), and a never-true filter when the
    user holds no such role. `org_field` names the organization relation on the filtered model
    ("" for Organization itself, "organization" for a model with an FK to it).
    """
    if user.is_authenticated and user.is_superuser:
        return None
    prefix = f"{org_field}__path__startswith" if org_field else "path__startswith"
    q = Q(pk__in=[])
    for membership in user_memberships(user=user):
        if roles is None or membership.role in roles:
            q |= Q(**{prefix: membership.organization.path})
    return q


def scoped(queryset: QuerySet, *, user: User, roles: set[str] | None = None, org_field: str = "") -> QuerySet:
    """Restrict a queryset to what the user may see."""
    q = scope_q(user=user, roles=roles, org_field=org_field)
    return queryset if q is None else queryset.filter(q)


def organizations_in_scope(*, user: User, roles: set[str] | None = None) -> QuerySet[Organization]:
    return scoped(Organization.objects.all(), user=user, roles=roles)


def user_can_access_org(*, user: User, org: Organization, roles: set[str] | None = None) -> bool:
    if user.is_authenticated and user.is_superuser:
        return True
    return any(
        org.path.startswith(m.organization.path)
        for m in user_memberships(user=user)
        if roles is None or m.role in roles
    )


def scoped_get_or_404[M: Model](
    queryset: QuerySet[M], *, user: User, roles: set[str] | None = None, org_field: str = "", **lookup
) -> M:
    """Fetch one object the user may see; anything else is indistinguishable from absent (404)."""
    try:
        return scoped(queryset, user=user, roles=roles, org_field=org_field).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Не найдено") from exc


def citizen_by_identity(*, channel: str, value: str) -> Citizen | None:
    identity = CitizenIdentity.objects.select_related("citizen").filter(channel=channel, value=value).first()
    return identity.citizen if identity else None


# --- The «Сотрудники» screen ---------------------------------------------------------------------


def people_organizations(*, user: User, region) -> QuerySet[Organization]:
    """The organizations of `region` whose staff `user` manages: the subtrees they administer there
    (a superuser: all of the region's)."""
    return scoped(Organization.objects.filter(region=region), user=user, roles={Role.ADMIN})


def _people_base(*, user: User, region) -> QuerySet[User]:
    orgs = people_organizations(user=user, region=region)
    held = Q(memberships__organization__in=orgs)
    if user.is_superuser:
        # Accounts with no role at all belong to no region; a superuser still needs to find them.
        held |= Q(memberships__isnull=True)
    return User.objects.filter(pk__in=User.objects.filter(held).values("pk"))


def people_for_admin(
    *, user: User, region, search: str = "", organization: Organization | None = None, role: str = ""
) -> QuerySet[User]:
    """The people an administrator sees on the «Сотрудники» screen, with the roles they hold in the
    administrator's organizations (`shown_memberships`), narrowed by search, organization (its
    subtree) and role."""
    orgs = people_organizations(user=user, region=region)
    qs = _people_base(user=user, region=region)
    if search:
        words = search.split()[:5]
        for word in words:
            qs = qs.filter(
                Q(last_name__icontains=word)
                | Q(first_name__icontains=word)
                | Q(patronymic__icontains=word)
                | Q(email__icontains=word)
                | Q(username__icontains=word)
                | Q(phone__icontains=word)
                | Q(position__icontains=word)
            )
    narrowed = Membership.objects.filter(organization__in=orgs)
    if organization is not None:
        narrowed = narrowed.filter(organization__path__startswith=organization.path)
    if role:
        narrowed = narrowed.filter(role=role)
    if organization is not None or role:
        qs = qs.filter(pk__in=narrowed.values("user_id"))
    shown = Membership.objects.filter(organization__in=orgs).select_related("organization")
    return qs.prefetch_related(
        Prefetch(
            "memberships", queryset=shown.order_by("organization__path", "role"), to_attr="shown_memberships"
        )
    ).order_by("last_name", "first_name", "patronymic", "username")


def person_for_admin_or_404(*, user: User, region, pk) -> User:
    """One person of the administrator's organizations; anyone else is indistinguishable from absent."""
    try:
        return people_for_admin(user=user, region=region).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Не найдено") from exc


def person_manageable(*, user: User, person: User, region) -> bool:
    """Whether `user` may change the person's account as a whole (personal data, switching off):
    a superuser always; an administrator when every role of the person lies in their
    organizations, so that one region cannot lock out a person another region relies on."""
    if user.is_superuser:
        return True
    if person.is_superuser:
        return False
    orgs = people_organizations(user=user, region=region)
    return not person.memberships.exclude(organization__in=orgs).exists()


def person_history(*, person: User) -> QuerySet:
    return person.staff_events.select_related("actor").order_by("-at", "-pk")
