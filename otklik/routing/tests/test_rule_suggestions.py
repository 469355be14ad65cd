"""Rule suggestions from the coordinators' hand choices of organization: which pairs qualify, the
screen's buttons (a rule with history that routes the next appeal; a dismissal until new evidence)
and who may use them."""

import pytest
from django.utils.html import strip_tags

from otklik.accounts.roles import Role
from otklik.appeals.services import appeal_assign, appeal_redirect, appeal_submit
from otklik.orgs.models import Organization
from otklik.routing.models import RoutingRule, RoutingRuleChange, RuleSuggestionDismissal, Topic
from otklik.routing.suggestions import rule_suggestions
from otklik.testing import make_org, make_region, make_staff

URL = "/staff/topics/rules/suggestions/"
TEXT = "Прошу разобраться с вопросом в нашей школе, ситуация не меняется."


def _submit(region, territory, code, **kw):
    appeal, _ = appeal_submit(
        region=region.region,
        text=TEXT,
        channel="web",
        territory=territory,
        topic=Topic.objects.get(code=code),
        **kw,
    )
    return appeal


def _by_hand(region, territory, code, organization, settings):
    """An appeal waiting in moderation that a coordinator sends to `organization`."""
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 1.1
    appeal = _submit(region, territory, code)
    assert appeal.status == "moderation"
    return appeal_assign(appeal=appeal, organization=organization, actor=region.coordinator)


@pytest.fixture
def history(region, settings):
    """Rules send everything to the territory's municipal body. Hand choices:
    12.01 × A: 3 of 3 to school A (plus 2 routed by the rules, which are not choices) → qualifies;
    12.02 × A: 2 of 2 to school A → below N; 12.01 × B: 3 of 4 to school B → below 80 %;
    12.02 × B: 3 of 3 to body B, where the rule sends them anyway → nothing to suggest."""
    r = region
    for _ in range(3):
        _by_hand(r, r.territory_a, "12.01", r.school_a, settings)
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    for _ in range(2):
        assert _submit(r, r.territory_a, "12.01").organization == r.body_a
    for _ in range(2):
        _by_hand(r, r.territory_a, "12.02", r.school_a, settings)
    for _ in range(3):
        _by_hand(r, r.territory_b, "12.01", r.school_b, settings)
    _by_hand(r, r.territory_b, "12.01", r.ministry, settings)
    for _ in range(3):
        _by_hand(r, r.territory_b, "12.02", r.body_b, settings)
    return r


def test_only_the_pair_with_enough_agreeing_hand_choices_against_the_rule_is_suggested(history):
    suggestions = rule_suggestions(region=history.region)
    assert [
        (s.topic.code, s.territory, s.organization, s.chosen, s.total, s.current) for s in suggestions
    ] == [("12.01", history.territory_a, history.school_a, 3, 3, history.body_a)]


def test_reassignment_and_redirect_count_as_hand_choices(region, settings):
    r = region
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    for _ in range(2):  # routed by the rules to body A, then reassigned by a coordinator
        appeal = _submit(r, r.territory_a, "12.02")
        appeal_assign(appeal=appeal, organization=r.school_a, actor=r.coordinator)
    appeal = _submit(r, r.territory_a, "12.02")
    appeal_redirect(appeal=appeal, actor=r.coordinator, to=r.school_a.name, reason="")
    assert [(s.organization, s.chosen, s.total) for s in rule_suggestions(region=r.region)] == [
        (r.school_a, 3, 3)
    ]
    appeal = _submit(r, r.territory_a, "12.02")  # a redirect outside the system disagrees with both
    appeal_redirect(appeal=appeal, actor=r.coordinator, to="Роспотребнадзор", reason="")
    assert rule_suggestions(region=r.region) == []


def test_no_rule_at_all_is_a_disagreement(region, settings):
    RoutingRule.objects.filter(region=region.region).delete()
    for _ in range(3):
        _by_hand(region, region.territory_a, "12.01", region.school_a, settings)
    [suggestion] = rule_suggestions(region=region.region)
    assert suggestion.current is None


def test_create_writes_a_rule_with_history_that_routes_the_next_appeal(history, login, settings):
    client = login(history.coordinator)
    page = " ".join(strip_tags(client.get(URL).content.decode()).split())
    assert "Тема 12.01 Температурный режим и отопление, территория Северный район" in page
    assert "координаторы направили 3 из 3 обращений в Школа № 1 (А)" in page
    assert "сейчас правило направляет в Управление образования А" in page
    key = {"topic": Topic.objects.get(code="12.01").pk, "territory": history.territory_a.pk}
    response = client.post(URL + "create/", {**key, "organization": history.school_a.pk})
    assert response.status_code == 302
    rule = RoutingRule.objects.get(
        region=history.region, topic_id=key["topic"], territory=history.territory_a
    )
    assert (rule.level, rule.organization, rule.is_active, rule.changed_by) == (
        "organization",
        history.school_a,
        True,
        history.coordinator,
    )
    change = RoutingRuleChange.objects.get(rule_id_ref=rule.pk)
    assert (change.action, change.user, change.snapshot["organization"]) == (
        "создано",
        history.coordinator,
        history.school_a.pk,
    )
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    assert _submit(history, history.territory_a, "12.01").organization == history.school_a
    assert _submit(history, history.territory_b, "12.01").organization == history.body_b
    assert rule_suggestions(region=history.region) == []


def test_new_rule_is_checked_before_an_older_rule_of_the_same_pair(history, login, settings):
    topic = Topic.objects.get(code="12.01")
    RoutingRule.objects.create(
        region=history.region,
        topic=topic,
        territory=history.territory_a,
        level="organization",
        organization=history.body_a,
        priority=50,
    )
    client = login(history.coordinator)
    client.post(
        URL + "create/",
        {"topic": topic.pk, "territory": history.territory_a.pk, "organization": history.school_a.pk},
    )
    assert RoutingRule.objects.get(organization=history.school_a).priority == 49
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    assert _submit(history, history.territory_a, "12.01").organization == history.school_a


def test_dismissal_hides_the_suggestion_until_new_evidence(history, login, settings):
    client = login(history.coordinator)
    topic = Topic.objects.get(code="12.01")
    key = {"topic": topic.pk, "territory": history.territory_a.pk, "organization": history.school_a.pk}
    assert client.post(URL + "dismiss/", key).status_code == 302
    assert RuleSuggestionDismissal.objects.get().appeals == 3
    assert rule_suggestions(region=history.region) == []
    assert "Предложений нет" in client.get(URL).content.decode()
    assert not RoutingRule.objects.filter(topic=topic, territory=history.territory_a).exists()
    assert client.post(URL + "create/", key).status_code == 404  # a hidden suggestion cannot be accepted
    _by_hand(history, history.territory_a, "12.01", history.school_a, settings)
    assert [(s.chosen, s.total) for s in rule_suggestions(region=history.region)] == [(4, 4)]


@pytest.mark.parametrize("who", ["executor_a", "analyst", "editor"])
def test_outsiders_get_403_and_nothing_changes(history, login, who):
    client = login(getattr(history, who))
    key = {
        "topic": Topic.objects.get(code="12.01").pk,
        "territory": history.territory_a.pk,
        "organization": history.school_a.pk,
    }
    rules = RoutingRule.objects.count()
    assert client.get(URL).status_code == 403
    assert client.post(URL + "create/", key).status_code == 403
    assert client.post(URL + "dismiss/", key).status_code == 403
    assert RoutingRule.objects.count() == rules and not RuleSuggestionDismissal.objects.exists()


def test_coordinator_of_another_region_sees_only_their_region(history, login):
    other = make_region()
    coordinator = make_staff(make_org(other, Organization.Kind.MINISTRY), Role.COORDINATOR)
    client = login(coordinator)
    page = client.get(URL)
    assert page.status_code == 200 and "Предложений нет" in page.content.decode()
    assert client.get(f"{URL}?region={history.region.code}").status_code == 400


def test_coordinator_of_another_subtree_does_not_see_or_accept_it(history, login):
    coordinator_b = make_staff(history.body_b, Role.COORDINATOR)
    client = login(coordinator_b)
    assert "Предложений нет" in client.get(URL).content.decode()
    key = {
        "topic": Topic.objects.get(code="12.01").pk,
        "territory": history.territory_a.pk,
        "organization": history.school_a.pk,
    }
    assert client.post(URL + "create/", key).status_code == 404
    assert not RoutingRule.objects.filter(organization=history.school_a).exists()


def test_topics_screen_links_to_suggestions_for_coordinators_only(history, login):
    assert URL in login(history.coordinator).get("/staff/topics/").content.decode()
    assert URL not in login(history.executor_a).get("/staff/topics/").content.decode()
