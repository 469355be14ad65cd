"""Routing rules suggested by the coordinators' own choices of organization.

Where coordinators keep sending the appeals of one topic × territory to the same organization by
hand, and the rules send them elsewhere (or nowhere), a rule is proposed; one click creates it.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db import transaction

from otklik.appeals.selectors import appeal_hand_choices
from otklik.orgs.models import Organization, Region, Territory
from otklik.routing.models import RoutingRule, RuleSuggestionDismissal, Topic
from otklik.routing.services import active_rules, route, routing_rule_save

MIN_APPEALS = 3
MIN_AGREEMENT = 0.8


@dataclass(frozen=True)
class RuleSuggestion:
    region: Region
    topic: Topic
    territory: Territory
    organization: Organization  # where the coordinators sent them
    chosen: int  # appeals sent there by hand
    total: int  # appeals of the pair whose organization a coordinator chose
    current: Organization | None  # where the rules send the pair today

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.topic.pk, self.territory.pk, self.organization.pk)


def rule_suggestions(
    *, region: Region, min_appeals: int = MIN_APPEALS, min_agreement: float = MIN_AGREEMENT
) -> list[RuleSuggestion]:
    """Pairs whose hand choices agree (≥ `min_agreement` of them, ≥ `min_appeals` appeals) on an
    organization other than the one `route` gives today; dismissed ones only on new evidence.
    The most supported first."""
    votes: dict[tuple[int, int], Counter] = defaultdict(Counter)
    for choice in appeal_hand_choices(region=region):
        if choice.topic_id and choice.territory_id:
            destination = choice.organization_id or f"outside:{choice.outside}"
            votes[(choice.topic_id, choice.territory_id)][destination] += 1
    leaders = {}
    for pair, counter in votes.items():
        organization_id, chosen = counter.most_common(1)[0]
        total = sum(counter.values())
        # A body outside the system cannot be a rule's target.
        if isinstance(organization_id, int) and chosen >= min_appeals and chosen >= min_agreement * total:
            leaders[pair] = (organization_id, chosen, total)
    if not leaders:
        return []
    topics = Topic.objects.select_related("parent").in_bulk({t for t, _ in leaders})
    territories = Territory.objects.in_bulk({t for _, t in leaders})
    orgs = Organization.objects.in_bulk({o for o, _, _ in leaders.values()})
    dismissed = {
        (d.topic_id, d.territory_id, d.organization_id): d.appeals
        for d in RuleSuggestionDismissal.objects.filter(region=region)
    }
    rules = active_rules(region)
    out = []
    for (topic_id, territory_id), (organization_id, chosen, total) in leaders.items():
        if total <= dismissed.get((topic_id, territory_id, organization_id), -1):
            continue
        topic, territory = topics[topic_id], territories[territory_id]
        current = route(region=region, topic=topic, territory=territory, rules=rules).organization
        if current is not None and current.pk == organization_id:
            continue
        out.append(RuleSuggestion(region, topic, territory, orgs[organization_id], chosen, total, current))
    return sorted(out, key=lambda s: (-s.chosen, s.topic.code, s.territory.name))


@transaction.atomic
def rule_suggestion_accept(*, suggestion: RuleSuggestion, user) -> RoutingRule:
    """Create the rule «topic × territory → the organization» (with history). It is as specific as a
    rule gets; among rules of exactly this pair it is checked first."""
    same_pair = RoutingRule.objects.filter(
        region=suggestion.region, topic=suggestion.topic, territory=suggestion.territory
    ).values_list("priority", flat=True)
    priority = max(min(same_pair) - 1, 0) if same_pair else RoutingRule._meta.get_field("priority").default
    rule = RoutingRule(
        region=suggestion.region,
        topic=suggestion.topic,
        territory=suggestion.territory,
        level=RoutingRule.Level.ORGANIZATION,
        organization=suggestion.organization,
        priority=priority,
    )
    return routing_rule_save(rule=rule, user=user)


@transaction.atomic
def rule_suggestion_dismiss(*, suggestion: RuleSuggestion, user) -> RuleSuggestionDismissal:
    """Hide the suggestion until more appeals of its pair have been routed by hand."""
    dismissal, _ = RuleSuggestionDismissal.objects.update_or_create(
        region=suggestion.region,
        topic=suggestion.topic,
        territory=suggestion.territory,
        organization=suggestion.organization,
        defaults={"appeals": suggestion.total, "dismissed_by": user},
    )
    return dismissal
