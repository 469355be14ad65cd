from django.core.exceptions import ValidationError
from django.db import transaction

from otklik.orgs.models import Organization, Region, Territory


def _path_for(org: Organization) -> str:
    return f"{org.parent.path if org.parent_id else '/'}{org.pk}/"


@transaction.atomic
def organization_create(
    *,
    region: Region,
    code: str,
    name: str,
    kind: str,
    parent: Organization | None = None,
    territory: Territory | None = None,
    short_name: str = "",
    email: str = "",
    phone: str = "",
    address: str = "",
) -> Organization:
    """Create an organization under `parent` and give it its place in the tree."""
    if parent is not None and parent.region_id != region.pk:
        raise ValidationError("Вышестоящая организация должна быть из того же региона.")
    org = Organization(
        region=region,
        code=code,
        name=name,
        kind=kind,
        parent=parent,
        territory=territory,
        short_name=short_name,
        email=email,
        phone=phone,
        address=address,
    )
    org.full_clean(exclude=["path"])
    org.save()
    org.path = _path_for(org)
    org.save(update_fields=["path"])
    return org


@transaction.atomic
def organization_save(*, org: Organization) -> Organization:
    """Save an edited organization (admin) and keep the paths of it and its subtree right."""
    if org.parent_id:
        if org.pk and f"/{org.pk}/" in org.parent.path:
            raise ValidationError("Организация не может подчиняться сама себе или своему подразделению.")
        if org.parent.region_id != org.region_id:
            raise ValidationError("Вышестоящая организация должна быть из того же региона.")
    old_path = (
        Organization.objects.filter(pk=org.pk).values_list("path", flat=True).first() if org.pk else None
    )
    org.save()
    new_path = _path_for(org)
    if new_path != org.path or old_path != new_path:
        org.path = new_path
        org.save(update_fields=["path"])
        if old_path and old_path != new_path:
            for child in Organization.objects.filter(path__startswith=old_path).exclude(pk=org.pk):
                child.path = new_path + child.path[len(old_path) :]
                child.save(update_fields=["path"])
    return org
