"""Letters and personal visits in the channel breakdowns and the ПОС channel KPIs.

Fixture (4 appeals): web form, hotline (own channels), letter, personal visit (neither own nor
regional systems). Own channels 2 of 4 = 0.5; regional systems 0 of 4."""

from datetime import UTC, datetime

from otklik.analytics import selectors as s
from otklik.analytics.tests.test_dashboard import _appeal
from otklik.appeals.models import Appeal


def test_letters_and_visits_are_in_the_breakdowns_but_not_own_channels(region):
    at = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    for n, channel in enumerate(["web", "hotline", "post", "visit"]):
        _appeal(region, f"C{n}", channel=channel, registered_at=at)
    qs = Appeal.objects.all()
    kpi = s.pos_kpis(qs, region.region)
    assert (kpi["own_channels_share"], kpi["regional_systems_share"]) == (0.5, 0.0)
    assert sorted((r["label"], r["n"]) for r in s.by_channel(qs)) == [
        ("веб-форма", 1),
        ("горячая линия", 1),
        ("личный приём", 1),
        ("письмо (почта)", 1),
    ]
    figures = s.dashboard_figures(qs, region.region)
    assert figures["kpi"]["own_channels_share"] == 0.5
    assert {r["label"] for r in figures["channel"]} >= {"личный приём", "письмо (почта)"}
