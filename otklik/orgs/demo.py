"""Demo region, territories and the organization tree from orgs/demo/region.yaml, loaded by the
same import a new region uses (`orgs.transfer`)."""

from pathlib import Path

from otklik.orgs.transfer import region_import, region_parse

ORDER = 10
DATA = Path(__file__).parent / "demo" / "region.yaml"


def seed(ctx) -> None:
    result = region_import(region_parse(DATA.read_bytes()))
    ctx.region = result.region
    ctx.territories.update({t.code: t for t in ctx.region.territories.all()})
    ctx.orgs.update({o.code: o for o in ctx.region.organizations.all()})
    ctx.say(f"Регион: {ctx.region.name}, территорий {len(ctx.territories)}, организаций {len(ctx.orgs)}.")
