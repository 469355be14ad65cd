"""«Организацию выбрал или изменил координатор вручную» per month, next to the automatic share."""

from datetime import UTC, date, datetime

from otklik.analytics import selectors as s
from otklik.appeals.models import Appeal, AppealEvent
from otklik.appeals.statuses import Status
from otklik.routing.models import DeadlinePolicy


def _appeal(region, n, at, *events):
    appeal = Appeal.objects.create(
        region=region.region,
        number=f"H-{n}",
        channel="web",
        text="текст обращения",
        policy=DeadlinePolicy.objects.get(code="fz59"),
        status=Status.ASSIGNED,
        registered_at=at,
    )
    for kind, data in events:
        AppealEvent.objects.create(appeal=appeal, kind=kind, at=at, data=data)
    return appeal


def _fixture(region):
    feb = datetime(2026, 2, 10, 10, 0, tzinfo=UTC)
    # 20:00 UTC on 28 February is 1 March in the region (UTC+5).
    mar = datetime(2026, 2, 28, 20, 0, tzinfo=UTC)
    auto = ("routed", {"organization": region.body_a.code, "automatic": True, "by_hand": False})
    rules = ("routed", {"organization": region.body_a.code, "automatic": False, "by_hand": False})
    hand = ("routed", {"organization": region.school_a.code, "automatic": False, "by_hand": True})
    _appeal(region, 1, feb, auto)
    _appeal(region, 2, feb, auto, hand)  # routed by the rules, then reassigned
    _appeal(region, 3, feb, rules)  # staff-confirmed topic routed by the rules: not by hand
    _appeal(region, 4, feb, auto)
    _appeal(region, 5, mar, hand, hand)  # counted once
    _appeal(region, 6, mar, ("redirected", {"to": "Роспотребнадзор"}))
    _appeal(region, 7, mar)


def test_share_per_month_counts_each_appeal_with_a_hand_choice_once(region):
    _fixture(region)
    rows = s.hand_routed_by_month(Appeal.objects.filter(region=region.region), region.region)
    assert rows == [
        {"month": date(2026, 2, 1), "n": 4, "hand": 1, "share": 0.25},
        {"month": date(2026, 3, 1), "n": 3, "hand": 2, "share": 0.667},
    ]


def test_dashboard_shows_it_next_to_the_automatic_share(region, login):
    _fixture(region)
    page = login(region.analyst).get("/staff/analytics/", {"from": "2026-02-01", "to": "2026-03-31"})
    text = page.content.decode()
    assert "Направлено автоматически" in text
    assert (
        "Организацию выбрал или изменил координатор вручную, по месяцам: "
        "02.2026 — 25% (1 из 4); 03.2026 — 67% (2 из 3)" in text
    )
