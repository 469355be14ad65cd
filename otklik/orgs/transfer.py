"""A region's structure as one YAML file: the region, its territories and its organization tree.

This is how a new region joins an installation (`otklik region import region.yaml`) and how a
region's structure moves to another installation (`otklik region export`); the demo region is
loaded the same way. The format is the demo's `orgs/demo/region.yaml`: `region` (code, name,
short_name, timezone, appeal_prefix), `territories` (code, name, kind, population, pupils,
children_preschool, aliases, polygon) and `organizations` (code, name, kind, short_name, parent,
territory, email, phone, address), parents before their children. Staff accounts are not part of
it: they are personal data and are created in the administration.

Importing again updates by code: nothing is deleted, and an organization keeps its place unless
the file gives it another parent. Everything is checked before anything is written; a file with
any problem changes nothing and every problem is reported.
"""

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from otklik.lib.spreadsheet import FileProblems
from otklik.orgs.models import Organization, Region, Territory
from otklik.orgs.services import organization_create, organization_save

MAX_BYTES = 5 * 1024 * 1024
REGION_FIELDS = ("code", "name", "short_name", "timezone", "appeal_prefix")
TERRITORY_NUMBERS = ("population", "pupils", "children_preschool")


class RegionFileError(FileProblems):
    """The region file cannot be imported; `problems` lists every reason in Russian."""


@dataclass
class RegionImport:
    region: Region
    region_created: bool
    territories: int
    organizations_created: int
    organizations_updated: int


def _text(item: dict, key: str, limit: int) -> str:
    value = item.get(key)
    return "" if value is None else str(value).strip()[:limit]


def region_parse(content: bytes) -> dict:
    """The file's data, checked: a `RegionFileError` lists every problem in Russian."""
    if not content:
        raise RegionFileError(["Файл пуст."])
    if len(content) > MAX_BYTES:
        raise RegionFileError(["Файл больше 5 МБ."])
    try:
        data = yaml.safe_load(content.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise RegionFileError(["Файл не в кодировке UTF-8."]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (строка {mark.line + 1})" if mark else ""
        raise RegionFileError([f"Файл не читается как YAML{where}."]) from None
    if not isinstance(data, dict) or not isinstance(data.get("region"), dict):
        raise RegionFileError(["В файле нет раздела region с кодом, названием и часовым поясом региона."])
    problems: list[str] = []
    region = data["region"]
    for key in ("code", "name", "timezone", "appeal_prefix"):
        if not _text(region, key, 400):
            problems.append(f"region: не заполнено поле {key}.")
    try:
        if _text(region, "timezone", 64):
            ZoneInfo(_text(region, "timezone", 64))
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            f"region: неизвестный часовой пояс «{_text(region, 'timezone', 64)}» (пример: Europe/Moscow)."
        )
    territories = data.get("territories") or []
    organizations = data.get("organizations") or []
    if not isinstance(territories, list) or not isinstance(organizations, list):
        raise RegionFileError([*problems, "territories и organizations должны быть списками."])
    territory_codes: set[str] = set()
    kinds = set(Territory.Kind.values)
    for n, t in enumerate(territories, 1):
        where = f"territories, {n}-я"
        if not isinstance(t, dict) or not _text(t, "code", 20) or not _text(t, "name", 200):
            problems.append(f"{where}: нужны code и name.")
            continue
        if _text(t, "code", 20) in territory_codes:
            problems.append(f"{where}: код {t['code']} повторяется.")
        territory_codes.add(_text(t, "code", 20))
        if t.get("kind") and t["kind"] not in kinds:
            problems.append(f"{where}: неизвестный вид «{t['kind']}» (можно: {', '.join(sorted(kinds))}).")
        for key in TERRITORY_NUMBERS:
            value = t.get(key, 0)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                problems.append(f"{where}: {key} должно быть целым неотрицательным числом.")
    org_codes: set[str] = set()
    org_kinds = set(Organization.Kind.values)
    for n, o in enumerate(organizations, 1):
        where = f"organizations, {n}-я"
        if not isinstance(o, dict) or not _text(o, "code", 40) or not _text(o, "name", 400):
            problems.append(f"{where}: нужны code и name.")
            continue
        code = _text(o, "code", 40)
        if code in org_codes:
            problems.append(f"{where}: код {code} повторяется.")
        if o.get("kind") not in org_kinds:
            problems.append(
                f"{where} ({code}): вид «{o.get('kind')}» неизвестен (можно: {', '.join(sorted(org_kinds))})."
            )
        parent = _text(o, "parent", 40)
        if parent and parent not in org_codes:
            problems.append(f"{where} ({code}): вышестоящая {parent} должна стоять в файле раньше.")
        if o.get("territory") and _text(o, "territory", 20) not in territory_codes:
            problems.append(f"{where} ({code}): территории {o['territory']} нет в файле.")
        if _text(o, "email", 254):
            try:
                validate_email(_text(o, "email", 254))
            except ValidationError:
                problems.append(f"{where} ({code}): неверный e-mail.")
        org_codes.add(code)
    if problems:
        raise RegionFileError(problems)
    return data


@transaction.atomic
def region_import(data: dict) -> RegionImport:
    """Create or update the region of `data` (checked by `region_parse`), its territories and its
    organizations, by code."""
    r = data["region"]
    fields = {key: _text(r, key, 200) for key in REGION_FIELDS if key != "code"}
    region, created = Region.objects.get_or_create(code=_text(r, "code", 20), defaults=fields)
    if not created:
        for key, value in fields.items():
            if value:
                setattr(region, key, value)
        region.save()
    territories = {}
    for t in data.get("territories") or []:
        territories[_text(t, "code", 20)], _ = Territory.objects.update_or_create(
            region=region,
            code=_text(t, "code", 20),
            defaults={
                "name": _text(t, "name", 200),
                "kind": t.get("kind") or Territory.Kind.MUNICIPAL_DISTRICT,
                **{key: t.get(key, 0) for key in TERRITORY_NUMBERS},
                "map_polygon": t.get("polygon") or [],
                "aliases": [str(a)[:200] for a in t.get("aliases") or []],
            },
        )
    orgs: dict[str, Organization] = {}
    created_n = updated_n = 0
    for o in data.get("organizations") or []:
        code = _text(o, "code", 40)
        values = {
            "name": _text(o, "name", 400),
            "kind": o["kind"],
            "short_name": _text(o, "short_name", 200),
            "territory": territories.get(_text(o, "territory", 20)),
            "email": _text(o, "email", 254),
            "phone": _text(o, "phone", 40),
            "address": _text(o, "address", 400),
        }
        parent = orgs.get(_text(o, "parent", 40))
        existing = Organization.objects.filter(code=code).first()
        if existing is None:
            orgs[code] = organization_create(region=region, code=code, parent=parent, **values)
            created_n += 1
            continue
        if existing.region_id != region.pk:
            raise RegionFileError([f"Организация с кодом {code} уже есть в регионе «{existing.region}»."])
        for key, value in values.items():
            setattr(existing, key, value)
        existing.parent = parent
        orgs[code] = organization_save(org=existing)
        updated_n += 1
    return RegionImport(region, created, len(territories), created_n, updated_n)


def region_export(region: Region) -> str:
    """The region's structure in the import format (territories and organizations, tree order)."""
    territories = [
        {
            "code": t.code,
            "name": t.name,
            "kind": t.kind,
            **{key: getattr(t, key) for key in TERRITORY_NUMBERS},
            **({"aliases": t.aliases} if t.aliases else {}),
            **({"polygon": t.map_polygon} if t.map_polygon else {}),
        }
        for t in region.territories.order_by("code")
    ]
    organizations = []
    for o in region.organizations.select_related("parent", "territory").order_by("path"):
        item = {"code": o.code, "name": o.name, "kind": o.kind}
        for key, value in (
            ("short_name", o.short_name),
            ("parent", o.parent.code if o.parent_id else ""),
            ("territory", o.territory.code if o.territory_id else ""),
            ("email", o.email),
            ("phone", o.phone),
            ("address", o.address),
        ):
            if value:
                item[key] = value
        organizations.append(item)
    data = {
        "region": {key: getattr(region, key) for key in REGION_FIELDS},
        "territories": territories,
        "organizations": organizations,
    }
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)
