"""The moderation card suggests the organizations coordinators chose for similar appeals: from the
region's history, refitted as it grows, nothing on a cold start, each a one-click assignment."""

from django.utils.html import strip_tags

from otklik.appeals import executors
from otklik.appeals.models import Appeal
from otklik.appeals.services import appeal_assign, appeal_submit
from otklik.routing.models import Topic

HEATING = "В классах холодно, не работает отопление, дети сидят в куртках. Случай {}."
REPAIR = "В школе течёт крыша и нужен ремонт спортзала, штукатурка падает. Случай {}."


def _submit(region, text, territory, code, n):
    appeal, _ = appeal_submit(
        region=region.region,
        text=text.format(n),
        channel="web",
        territory=territory,
        topic=Topic.objects.get(code=code),
    )
    return appeal


def _history(region, settings, n: int):
    """`n` appeals with an organization: heating in A goes to school A (a coordinator's choice),
    repairs in A to body A and everything in B to body B (by the rules)."""
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    plan = [
        (HEATING, region.territory_a, "12.01"),
        (REPAIR, region.territory_a, "12.02"),
        (HEATING, region.territory_b, "12.01"),
    ]
    for i in range(n):
        text, territory, code = plan[i % 3]
        appeal = _submit(region, text, territory, code, i)
        if code == "12.01" and territory == region.territory_a:
            appeal_assign(appeal=appeal, organization=region.school_a, actor=region.coordinator)


def _waiting(region, settings, text=HEATING, territory=None):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 1.1
    appeal = _submit(region, text, territory or region.territory_a, "12.01", "новый")
    assert appeal.status == "moderation"
    return appeal


def test_cold_start_suggests_nothing(region, settings, login):
    _history(region, settings, executors.MIN_HISTORY - 1)
    appeal = _waiting(region, settings)
    assert executors.suggest_executors(appeal=appeal) == []
    page = login(region.coordinator).get(f"/staff/appeals/{appeal.number}/").content.decode()
    assert "Обычно такие обращения направляют" not in page
    # Nothing to go by: the coordinator chooses; the first organization is not picked for them.
    assert '<option value="" selected>— выберите организацию —</option>' in page


def test_suggests_the_organization_chosen_for_the_topic_and_territory(region, settings):
    _history(region, settings, 36)
    heating_a = executors.suggest_executors(appeal=_waiting(region, settings))
    assert len(heating_a) == 3
    assert heating_a[0][0] == region.school_a
    assert [p for _, p in heating_a] == sorted((p for _, p in heating_a), reverse=True)
    assert 0.5 < heating_a[0][1] <= 1.0
    assert executors.suggest_executors(appeal=_waiting(region, settings, REPAIR))[0][0] == region.body_a
    heating_b = _waiting(region, settings, territory=region.territory_b)
    assert executors.suggest_executors(appeal=heating_b)[0][0] == region.body_b


def test_card_offers_one_click_assignment(region, settings, login):
    _history(region, settings, 36)
    appeal = _waiting(region, settings)
    client = login(region.coordinator)
    page = " ".join(strip_tags(client.get(f"/staff/appeals/{appeal.number}/").content.decode()).split())
    assert "Обычно такие обращения направляют" in page
    assert f"Направить: {region.school_a} уверенность" in page  # schools are not in the select
    html = client.get(f"/staff/appeals/{appeal.number}/").content.decode()
    # Schools are not in the select: it starts at the likeliest listed one (body B, 0.24, before
    # body A, 0.05), not at the first organization of the list.
    select = html[html.index('<select id="org"') : html.index("</select>", html.index('<select id="org"'))]
    assert f'<option value="{region.body_b.pk}" selected>' in select and select.count(" selected>") == 1
    assert "— выберите организацию —" not in html
    response = client.post(
        f"/staff/appeals/{appeal.number}/action/", {"action": "assign", "organization": region.school_a.pk}
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.status, appeal.organization, appeal.topic.code) == ("assigned", region.school_a, "12.01")
    assert appeal.events.filter(kind="routed", data__by_hand=True).count() == 1


def test_no_suggestions_once_routed_or_for_an_executor(region, settings, login):
    _history(region, settings, 36)
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    routed = _submit(region, HEATING, region.territory_a, "12.01", "x")
    page = login(region.coordinator).get(f"/staff/appeals/{routed.number}/").content.decode()
    assert "Обычно такие обращения направляют" not in page
    waiting = _waiting(region, settings)
    Appeal.objects.filter(pk=waiting.pk).update(organization=region.body_a)  # visible to executor A
    page = login(region.executor_a).get(f"/staff/appeals/{waiting.number}/").content.decode()
    assert "Обычно такие обращения направляют" not in page
    assert login(region.executor_b).get(f"/staff/appeals/{waiting.number}/").status_code == 404


def test_router_is_kept_and_refitted_when_history_grows_by_a_tenth(region, settings, monkeypatch):
    _history(region, settings, 40)
    appeal = _waiting(region, settings)
    executors.suggest_executors(appeal=appeal)
    first = executors._models.get(region.region.pk)
    assert first["history"] == 40
    monkeypatch.setattr(executors._models, "check_every_s", -1)
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    for i in range(14):  # 54 = 40 · 1.1 + 10: not yet
        _submit(region, REPAIR, region.territory_b, "12.02", 100 + i)
    assert executors._models.get(region.region.pk)["router"] is first["router"]
    _submit(region, REPAIR, region.territory_b, "12.02", 200)
    refitted = executors._models.get(region.region.pk)
    assert refitted["router"] is not first["router"] and refitted["history"] == 55


def test_first_suggestion_at_the_threshold(region, settings):
    _history(region, settings, executors.MIN_HISTORY)
    assert executors.suggest_executors(appeal=_waiting(region, settings))[0][0] == region.school_a


def test_a_demo_region_learns_from_its_synthetic_history_a_real_one_does_not(region, settings):
    _history(region, settings, 36)
    appeal = _waiting(region, settings)
    Appeal.objects.update(is_synthetic=True)  # a demo installation: nothing but labelled demo appeals
    assert executors.suggest_executors(appeal=appeal)[0][0] == region.school_a
    executors.reset()
    Appeal.objects.filter(pk=appeal.pk).update(is_synthetic=False)  # the first real appeal arrives
    assert executors.suggest_executors(appeal=appeal) == []  # one real appeal: below the threshold


def test_suggestions_follow_the_coordinators_current_practice(region, settings):
    """Heating in territory A went to school A until the coordinators began sending it to body A:
    a new appeal is suggested where such appeals go now, not where most of them went."""
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 1.1  # every appeal waits for a coordinator
    for i in range(70):
        appeal = _submit(region, HEATING, region.territory_a, "12.01", i)
        chosen = region.school_a if i < 40 else region.body_a
        appeal_assign(appeal=appeal, organization=chosen, actor=region.coordinator)
    executors.reset()
    suggested = executors.suggest_executors(appeal=_waiting(region, settings))
    assert executors._models.get(region.region.pk)["router"].follows_practice
    assert suggested[0][0] == region.body_a and suggested[1][0] == region.school_a
