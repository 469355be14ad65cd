"""The region a request is served for: the one resolver every view asks (docs/architecture.md, "Regions").

Staff are served in a region of their memberships (a superuser in any), the one picked last with the
switcher (`?region=CODE`, kept in the session) or their first. Citizens are served in the region they
picked (`?region=CODE`, kept in the session), else that of the embedding organization
(`?org=CODE`, the widgets), else the one whose site address this is (`Region.hosts`), else the one
remembered in the session, else the first. With one region there is nothing to choose and nothing
to configure.
"""

from dataclasses import dataclass, field

from django.core.exceptions import DisallowedHost
from django.http import Http404

from otklik.accounts.selectors import user_memberships
from otklik.orgs.models import Organization, Region

PARAM = "region"
SESSION_KEY = "otklik_region"


class RegionNotFound(Exception):
    """A `?region=` naming no region (or one the staff member does not work in)."""

    def __init__(self, code: str, *, staff: bool = False):
        self.code = code
        self.message = (
            f"Регион «{code}» вам недоступен: выберите один из регионов, в которых вы работаете."
            if staff
            else f"Регион «{code}» не найден. Выберите регион из списка."
        )
        super().__init__(self.message)


@dataclass
class Resolved:
    region: Region | None
    # The regions the requester may switch between; more than one shows a switcher or picker.
    choices: list[Region] = field(default_factory=list)
    # Picked (by address, widget, session or the only region) rather than defaulted to the first.
    chosen: bool = True


def staff_regions(*, user) -> list[Region]:
    """The regions a staff member works in: all for a superuser, else those of their memberships."""
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return list(Region.objects.order_by("pk"))
    ids = {m.organization.region_id for m in user_memberships(user=user)}
    return list(Region.objects.filter(pk__in=ids).order_by("pk")) if ids else []


def holds_role_in(*, user, region: Region, roles: set[str]) -> bool:
    """Whether the user holds one of `roles` in an organization of `region` (a superuser: always)."""
    return user.is_superuser or any(
        str(m.role) in roles and m.organization.region_id == region.pk for m in user_memberships(user=user)
    )


def _code(value: str | None) -> str:
    return (value or "").strip()[:20]


def _host(request) -> str:
    try:
        return request.get_host().rsplit(":", 1)[0].lower()
    except DisallowedHost:
        return ""


def _remember(request, region: Region) -> None:
    session = getattr(request, "session", None)
    if session is not None and session.get(SESSION_KEY) != region.code:
        session[SESSION_KEY] = region.code


def _from_session(request, by_code: dict[str, Region]) -> Region | None:
    session = getattr(request, "session", None)
    return by_code.get(session.get(SESSION_KEY, "")) if session is not None else None


def _resolve_staff(request, regions: list[Region]) -> Resolved:
    by_code = {r.code: r for r in regions}
    code = _code(request.GET.get(PARAM))
    if code:
        if code not in by_code:
            raise RegionNotFound(code, staff=True)
        _remember(request, by_code[code])
        return Resolved(by_code[code], regions)
    return Resolved(_from_session(request, by_code) or regions[0], regions)


def _resolve_citizen(request) -> Resolved:
    regions = list(Region.objects.order_by("pk"))
    if not regions:
        return Resolved(None, [])
    if len(regions) == 1:
        return Resolved(regions[0], regions)
    by_code = {r.code: r for r in regions}
    code = _code(request.GET.get(PARAM))
    if code:
        if code not in by_code:
            raise RegionNotFound(code)
        _remember(request, by_code[code])
        return Resolved(by_code[code], regions)
    org = _code(request.GET.get("org"))
    if org:
        region_id = Organization.objects.filter(code=org).values_list("region_id", flat=True).first()
        found = next((r for r in regions if r.pk == region_id), None)
        if found is not None:
            return Resolved(found, regions)
    host = _host(request)
    found = next((r for r in regions if host and host in r.host_names), None)
    if found is not None:
        return Resolved(found, regions)
    remembered = _from_session(request, by_code)
    if remembered is not None:
        return Resolved(remembered, regions)
    return Resolved(regions[0], regions, chosen=False)


def resolve(request) -> Resolved:
    """The region of this request and the choice around it (computed once per request)."""
    cached = getattr(request, "_otklik_region", None)
    if cached is None:
        user = getattr(request, "user", None)
        staff = staff_regions(user=user) if user is not None else []
        cached = _resolve_staff(request, staff) if staff else _resolve_citizen(request)
        request._otklik_region = cached
    return cached


def request_region(request) -> Region:
    """The region to serve this request in; 404 on an installation with no region yet."""
    region = resolve(request).region
    if region is None:
        raise Http404("Регион не настроен")
    return region


def embedding_organization(request, region: Region) -> Organization | None:
    """The organization whose site embeds a widget (`?org=<its code>` in the frame's address), if it
    is an active organization of `region`: appeals through its widgets are counted for it."""
    code = (request.GET.get("org") or "").strip()[:40]
    if not code:
        return None
    return Organization.objects.filter(region=region, code=code, is_active=True).first()
