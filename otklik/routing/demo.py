"""The demo topic tree (routing/demo/topics.yaml) and routing rules (routing/demo/routing.yaml)."""

from pathlib import Path

import yaml

from otklik.routing.models import RoutingRule, Topic
from otklik.routing.services import routing_rule_save
from otklik.routing.topics_io import topics_import, topics_parse

ORDER = 30
DEMO = Path(__file__).parent / "demo"


def _defaults(data) -> list[dict]:
    default = data.get("default") or [{"level": "municipal_body"}, {"level": "ministry"}]
    if isinstance(default, dict):
        default = [{"level": default.get("level", "municipal_body")}, {"level": "ministry"}]
    return default


def seed(ctx) -> None:
    topics_file = DEMO / "topics.yaml"
    result = topics_import(
        region=ctx.region, rows=topics_parse(content=topics_file.read_bytes(), filename=topics_file.name)
    )
    rules_file = DEMO / "routing.yaml"
    data = yaml.safe_load(rules_file.read_text(encoding="utf-8")) if rules_file.exists() else {}
    topics = {t.code: t for t in Topic.objects.filter(region=ctx.region)}
    admin = ctx.users.get("admin")
    count = 0
    for rule in data.get("rules") or []:
        topic = topics.get(str(rule.get("topic")))
        if topic is None or rule.get("level") not in RoutingRule.Level.values:
            continue
        routing_rule_save(rule=RoutingRule(region=ctx.region, topic=topic, level=rule["level"]), user=admin)
        count += 1
    for priority, rule in enumerate(_defaults(data), start=200):
        routing_rule_save(
            rule=RoutingRule(region=ctx.region, level=rule["level"], priority=priority), user=admin
        )
        count += 1
    ctx.say(f"Тематики: {result.created}; правил маршрутизации: {count}.")
