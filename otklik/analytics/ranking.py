"""«Рейтинг исполнителей»: the organizations that answer appeals, side by side, ranked by the share
of answers given within the legal deadline (definitions: docs/architecture.md, «Executor ranking»).

One grouped query over the filtered appeals, medians included on PostgreSQL: the figures are summed
by the database, never row by row, so the page stays fast at a million appeals.
"""

from statistics import median

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from otklik.analytics.selectors import (
    ANSWERED,
    IN_TIME,
    _hours_sql,
    _Percentile,
    overdue_q,
    share,
)
from otklik.analytics.summaries import Share
from otklik.appeals.statuses import Status
from otklik.orgs.models import Organization

# Below this many appeals in the period an organization's shares say little: it is listed with its
# figures but gets no place.
MIN_APPEALS = 5
TOO_FEW = "мало обращений"

# Column key → heading; every key is a valid `?sort=` value (`-key`: descending).
COLUMNS = {
    "place": "Место",
    "name": "Организация",
    "received": "Поступило",
    "answered": "Отвечено",
    "in_time_share": "Ответов в срок",
    "overdue_now": "Просрочено сейчас",
    "median_h": "Медиана ответа, ч",
    "satisfied_share": "Оценок 4–5",
    "dissatisfied_share": "Оценок 1–2",
    "escalations": "Эскалаций",
    "redirected": "Переадресовано",
}
DEFAULT_SORT = "place"
SHARE_COLUMNS = {"in_time_share", "satisfied_share", "dissatisfied_share"}


def parse_sort(value: str | None) -> tuple[str, bool, bool]:
    """`?sort=` → (column key, descending, whether the value was understood). An empty value is the
    default order; anything that is not a column (or `-column`) falls back to it, flagged."""
    raw = (value or "").strip()
    descending = raw.startswith("-")
    key = raw.removeprefix("-")
    if not raw:
        return DEFAULT_SORT, False, True
    if key not in COLUMNS:
        return DEFAULT_SORT, False, False
    return key, descending, True


def organization_ranking(
    qs, *, sort: str = DEFAULT_SORT, descending: bool = False, min_appeals: int = MIN_APPEALS
) -> list[dict]:
    """One row per organization that appeals of `qs` are assigned to (appeals still without one are
    left out), in the order of `sort`.

    Place: by the share of answers within the deadline, highest first; equal shares share the place
    (1, 2, 2, 4) and are listed by fewer overdue now, then by name. An organization with fewer than
    `min_appeals` appeals, or without a single answer yet (its share is «—»), gets no place and comes
    after the ranked ones. Sorting by another column keeps this order among equal values; empty
    values («—») go last either way.
    """
    one = "registered_at"  # a NOT NULL column of the covering index, as in `dashboard_figures`
    # PostgreSQL takes the median in the same scan (percentile_cont skips the unanswered: NULL hours).
    postgres = connection.vendor == "postgresql"
    in_sql = {"median_sql": _Percentile(_hours_sql(), 0.5)} if postgres else {}
    groups = (
        qs.filter(organization_id__isnull=False)
        .values("organization_id")
        .annotate(
            received=Count(one),
            answered=Count(one, filter=ANSWERED),
            in_time=Count(one, filter=IN_TIME),
            overdue_now=Count(one, filter=overdue_q(timezone.now())),
            rated=Count(one, filter=Q(rating__gte=1, rating__lte=5)),
            satisfied=Count(one, filter=Q(rating__in=[4, 5])),
            dissatisfied=Count(one, filter=Q(rating__in=[1, 2])),
            escalations=Count(one, filter=Q(escalation_level__gt=0)),
            redirected=Count(one, filter=Q(status=Status.REDIRECTED)),
            **in_sql,
        )
        .order_by()
    )
    groups = list(groups)
    if postgres:
        medians = {g["organization_id"]: g.pop("median_sql") for g in groups}
        medians = {pk: round(float(h), 1) for pk, h in medians.items() if h is not None}
    else:
        medians = _median_hours(qs)
    names = {
        pk: short or name
        for pk, short, name in Organization.objects.filter(pk__in=[g["organization_id"] for g in groups])
        .order_by()
        .values_list("pk", "short_name", "name")
    }
    rows = []
    for g in groups:
        pk = g["organization_id"]
        rows.append(
            {
                **g,
                "name": names.get(pk, "—"),
                "in_time_share": share(g["in_time"], g["answered"]),
                "median_h": medians.get(pk),
                "satisfied_share": share(g["satisfied"], g["rated"]),
                "dissatisfied_share": share(g["dissatisfied"], g["rated"]),
                "too_few": g["received"] < min_appeals,
                "place": None,
            }
        )
    ranked = [r for r in rows if not r["too_few"] and r["in_time_share"] is not None]
    ranked.sort(key=lambda r: (-r["in_time_share"], r["overdue_now"], r["name"].casefold()))
    for r in ranked:
        r["place"] = 1 + sum(1 for other in ranked if other["in_time_share"] > r["in_time_share"])
    unranked = sorted(
        (r for r in rows if r["place"] is None), key=lambda r: (-r["received"], r["name"].casefold())
    )
    ordered = ranked + unranked
    if sort == DEFAULT_SORT and not descending:
        return ordered
    present = [r for r in ordered if r[sort] is not None]
    # sort() is stable, also with reverse=True: equal values keep the default order.
    present.sort(key=lambda r: r[sort].casefold() if sort == "name" else r[sort], reverse=descending)
    return present + [r for r in ordered if r[sort] is None]


def _median_hours(qs) -> dict[int, float]:
    """Per organization, the median of the hours from registration to the first answer, in Python:
    SQLite (demo, tests) has no percentile aggregate, as in `selectors.response_times`."""
    hours: dict[int, list[float]] = {}
    answered = qs.filter(ANSWERED, organization_id__isnull=False)
    for pk, registered, answered_at in answered.values_list(
        "organization_id", "registered_at", "answered_at"
    ).iterator():
        hours.setdefault(pk, []).append((answered_at - registered).total_seconds() / 3600)
    return {pk: round(median(values), 1) for pk, values in hours.items()}


def table_cells(row: dict) -> list:
    """A ranking row as the cells of the page and the exports, in the order of `COLUMNS`: shares as
    `Share`, «—» where there is no value, «мало обращений» instead of a place when there are too few."""
    place = row["place"] if row["place"] is not None else (TOO_FEW if row["too_few"] else "—")
    cells = [place] + [
        Share(row[key]) if key in SHARE_COLUMNS and row[key] is not None else row[key]
        for key in list(COLUMNS)[1:]
    ]
    return ["—" if v is None else v for v in cells]
