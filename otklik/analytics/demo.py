"""The demo's «карта болей», computed from the demo appeals and questions."""

from otklik.analytics.services import painmap_rebuild

ORDER = 60


def seed(ctx) -> None:
    ctx.say(f"Карта болей: проблем {painmap_rebuild(region=ctx.region)}.")
