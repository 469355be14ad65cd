"""Routing is data plus one function: `route` finds who answers a topic in a territory."""

from dataclasses import dataclass

from django.db import transaction
from django.forms.models import model_to_dict

from otklik.orgs.models import Organization, Region, Territory
from otklik.routing.models import RoutingRule, RoutingRuleChange, Topic


@dataclass(frozen=True)
class Route:
    organization: Organization | None
    rule: RoutingRule | None
    reason: str


def ministry_of(region: Region) -> Organization | None:
    """The top body of the region's organization tree (the ministry)."""
    return (
        Organization.objects.filter(region=region, parent__isnull=True, is_active=True).order_by("pk").first()
    )


def _municipal_body(territory: Territory | None) -> Organization | None:
    if territory is None:
        return None
    return (
        Organization.objects.filter(
            territory=territory, kind=Organization.Kind.MUNICIPAL_BODY, is_active=True
        )
        .order_by("pk")
        .first()
    )


def _target(rule: RoutingRule, territory: Territory | None) -> Organization | None:
    if rule.level == RoutingRule.Level.ORGANIZATION:
        return rule.organization
    if rule.level == RoutingRule.Level.MINISTRY:
        return ministry_of(rule.region)
    return _municipal_body(territory)


def active_rules(region: Region) -> list[RoutingRule]:
    """The region's active rules in the order `route` tries them."""
    return list(
        RoutingRule.objects.filter(region=region, is_active=True)
        .select_related("organization", "region")
        .order_by("priority", "pk")
    )


def route(
    *,
    region: Region,
    topic: Topic | None,
    territory: Territory | None,
    rules: list[RoutingRule] | None = None,
) -> Route:
    """The organization that answers `topic` in `territory`, by the most specific active rule.

    Specificity: the topic itself before its ancestors before "any topic"; within that, the
    territory before "any territory". A rule that points to the territory's municipal body cannot
    apply while the territory is unknown, so the search goes on to a broader rule. `rules`
    (`active_rules(region)`) saves the query when many pairs are routed at once.
    """
    if rules is None:
        rules = active_rules(region)
    chain: list[Topic | None] = []
    node = topic
    while node is not None:
        chain.append(node)
        node = node.parent
    chain.append(None)
    for topic_level in chain:
        topic_id = topic_level.pk if topic_level else None
        for territory_id in ([territory.pk] if territory else []) + [None]:
            for rule in rules:
                if rule.topic_id == topic_id and rule.territory_id == territory_id:
                    org = _target(rule, territory)
                    if org is not None:
                        return Route(org, rule, f"правило: {rule}")
    return Route(None, None, "нет подходящего правила")


def _log(rule: RoutingRule, user, action: str) -> None:
    snapshot = model_to_dict(
        rule, fields=["topic", "territory", "level", "organization", "policy", "is_active"]
    )
    RoutingRuleChange.objects.create(
        rule_id_ref=rule.pk, region=rule.region, user=user, action=action, snapshot=snapshot
    )


@transaction.atomic
def routing_rule_save(*, rule: RoutingRule, user) -> RoutingRule:
    """Create or change a rule, keeping its history."""
    action = "изменено" if rule.pk else "создано"
    rule.changed_by = user
    rule.full_clean()
    rule.save()
    _log(rule, user, action)
    return rule


@transaction.atomic
def routing_rule_delete(*, rule: RoutingRule, user) -> None:
    _log(rule, user, "удалено")
    rule.delete()


@transaction.atomic
def topic_reply_template_set(*, topic: Topic, text: str) -> Topic:
    """Set the topic's public-reply template for social-media incidents (empty: use the section's)."""
    from otklik.routing.replies import validate_reply_template

    text = (text or "").strip()
    validate_reply_template(text)
    topic.reply_template = text
    topic.save(update_fields=["reply_template", "updated_at"])
    return topic
