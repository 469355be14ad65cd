"""The satisfaction-survey panel of the dashboard: figures of the dashboard's period only."""

from datetime import UTC, datetime

from otklik.accounts.roles import Role
from otklik.surveys import selectors
from otklik.surveys.models import Survey
from otklik.surveys.tests.base import answer, make_poll
from otklik.testing import make_staff

IN_PERIOD = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
BEFORE = datetime(2025, 12, 31, 10, 0, tzinfo=UTC)
PERIOD = {"from": "2026-01-01", "to": "2026-06-30"}


def _surveys(personas):
    """Satisfaction of body A: 5, 4, 2 in the period and 1 before it; a poll answered 5 in the period."""
    satisfaction = make_poll(personas.body_a, kind=Survey.Kind.SATISFACTION, title="Удовлетворённость А")
    for scale, at in [(5, IN_PERIOD), (4, IN_PERIOD), (2, IN_PERIOD), (1, BEFORE)]:
        answer(satisfaction, "Да", ["Сайт"], scale, now=at)
    poll = make_poll(personas.ministry, title="Опрос о питании")
    answer(poll, "Да", ["Сайт"], 5, now=IN_PERIOD)
    return satisfaction


def test_panel_counts_satisfaction_answers_of_the_period_with_average_and_share_of_4_5(client, region):
    survey = _surveys(region)
    client.force_login(region.coordinator)
    page = client.get("/staff/analytics/", PERIOD).content.decode()
    panel = page[page.index("<h2>Опросы удовлетворённости</h2>") : page.index("<h2>Показатели ПОС</h2>")]
    assert "Ответов за период: <strong>3</strong>" in panel
    assert "средняя оценка: <strong>3,67</strong> из 5" in panel and "оценок 4–5: 66,7%" in panel
    assert f"/staff/surveys/{survey.pk}/results/?from=2026-01-01&amp;to=2026-06-30" in panel
    assert "Опрос о питании" not in panel
    earlier = client.get("/staff/analytics/", {"from": "2025-07-01", "to": "2025-12-31"}).content.decode()
    assert (
        "Ответов за период: <strong>1</strong>" in earlier
        and "средняя оценка: <strong>1</strong> из 5" in earlier
    )


def test_staff_see_only_the_satisfaction_surveys_of_their_scope(region):
    _surveys(region)
    since, until = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)
    mine = selectors.satisfaction_figures(user=region.coordinator, since=since, until=until)
    assert (mine["responses"], [r["survey"].title for r in mine["rows"]]) == (3, ["Удовлетворённость А"])
    outsider = make_staff(region.body_b, Role.COORDINATOR)
    theirs = selectors.satisfaction_figures(user=outsider, since=since, until=until)
    assert theirs == {"rows": [], "responses": 0, "average": None, "high_share": None}
