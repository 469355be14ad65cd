"""The demo topic tree from routing/demo/topics.yaml."""

from pathlib import Path

from otklik.routing.topics_io import topics_import, topics_parse

ORDER = 30
TOPICS = Path(__file__).parent / "demo" / "topics.yaml"


def seed(ctx) -> None:
    rows = topics_parse(content=TOPICS.read_bytes(), filename=TOPICS.name)
    result = topics_import(region=ctx.region, rows=rows)
    ctx.say(f"Тематики: {result.created}.")
