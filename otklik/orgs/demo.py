"""Demo region, territories and the organization tree from orgs/demo/region.yaml."""

from pathlib import Path

import yaml

from otklik.orgs.models import Region, Territory
from otklik.orgs.services import organization_create

ORDER = 10
DATA = Path(__file__).parent / "demo" / "region.yaml"


def seed(ctx) -> None:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    r = data["region"]
    ctx.region = Region.objects.create(
        code=r["code"],
        name=r["name"],
        short_name=r.get("short_name", ""),
        timezone=r["timezone"],
        appeal_prefix=r["appeal_prefix"],
    )
    for t in data["territories"]:
        ctx.territories[t["code"]] = Territory.objects.create(
            region=ctx.region,
            code=t["code"],
            name=t["name"],
            kind=t.get("kind", "municipal_district"),
            population=t.get("population", 0),
            pupils=t.get("pupils", 0),
            children_preschool=t.get("children_preschool", 0),
            map_polygon=t.get("polygon", []),
            aliases=t.get("aliases", []),
        )
    # Parents are listed before their children in the file; keep that order.
    for o in data["organizations"]:
        ctx.orgs[o["code"]] = organization_create(
            region=ctx.region,
            code=o["code"],
            name=o["name"],
            kind=o["kind"],
            short_name=o.get("short_name", ""),
            parent=ctx.orgs.get(o.get("parent")),
            territory=ctx.territories.get(o.get("territory")),
            email=o.get("email", ""),
            phone=o.get("phone", ""),
            address=o.get("address", ""),
        )
    ctx.say(f"Регион: {ctx.region.name}, территорий {len(ctx.territories)}, организаций {len(ctx.orgs)}.")
