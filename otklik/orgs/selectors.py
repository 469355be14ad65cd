from django.db.models import Q, QuerySet

from otklik.orgs.models import Organization, Region


def region_named(code: str | None) -> Region | None:
    """The region with `code`, or with no code the only region; None when there is no such region
    or there are several (the caller says which, in its own words)."""
    regions = Region.objects.filter(code=code) if code else Region.objects.all()
    return regions.get() if regions.count() == 1 else None


def organization_subtree(*, org: Organization) -> QuerySet[Organization]:
    """The organization and everything below it."""
    return Organization.objects.filter(path__startswith=org.path)


def subtree_q(*, organization_id: int, org_field: str = "organization") -> Q:
    """Rows whose organization (`org_field`; "" for Organization itself) is the given one or lies
    below it; none for an unknown id."""
    path = Organization.objects.filter(pk=organization_id).values_list("path", flat=True).first()
    lookup = f"{org_field}__path__startswith" if org_field else "path__startswith"
    return Q(**{lookup: path}) if path else Q(pk__in=[])


def organization_ancestors(*, org: Organization) -> list[Organization]:
    """Ancestors from the top (ministry) down to the direct parent."""
    ids = org.lineage_ids[:-1]
    by_id = Organization.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def organization_escalation_target(*, org: Organization) -> Organization | None:
    """Where a poorly rated answer goes: the parent, or nothing above the ministry."""
    return org.parent


def region_default() -> Region | None:
    return Region.objects.order_by("pk").first()
