"""Read-only aggregations for the ministry's dashboards. Every figure takes the same filters."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Aggregate, Count, Exists, F, FloatField, Func, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from otklik.accounts.selectors import scoped
from otklik.appeals.models import Appeal, AppealEvent, Attachment, Channel
from otklik.appeals.selectors import HAND_CHOICE
from otklik.appeals.statuses import DEADLINE_RUNNING
from otklik.kb.models import FAQ_CHANNEL, Query
from otklik.orgs.models import Organization, Territory
from otklik.orgs.selectors import subtree_q
from otklik.routing.models import DeadlinePolicy, Topic

ANALYTICS_ROLES = {"admin", "coordinator", "analyst", "executor"}
# ПОС «доля сообщений в ПОС»: the platform's own intake channels; «из региональных систем»: what other
# systems pass in. E-mail, letters, personal visits, the federal ПОС and social-media incidents are
# neither (all: denominator): a letter or a visit is the authority's traditional 59-ФЗ intake that
# staff register, not a channel of the platform the KPI promotes (the hotline is: the region runs it
# as the platform's phone line).
OWN_CHANNELS = (Channel.TELEGRAM, Channel.WEBCHAT, Channel.WEB, Channel.WIDGET, Channel.HOTLINE)
REGIONAL_CHANNELS = (Channel.API, Channel.IMPORT)


@dataclass
class Filters:
    start: date
    end: date  # inclusive
    territory_id: int | None = None
    topic_id: int | None = None  # a top-level topic: its sub-topics count too
    organization_id: int | None = None

    def shifted_year(self) -> "Filters":
        return Filters(
            self.start.replace(year=self.start.year - 1),
            self.end.replace(year=self.end.year - 1),
            self.territory_id,
            self.topic_id,
            self.organization_id,
        )


def period_bounds(filters: Filters) -> tuple[datetime, datetime]:
    """The period of `filters` as [since, until) moments in the current time zone."""
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(filters.start, time.min, tz),
        datetime.combine(filters.end + timedelta(days=1), time.min, tz),
    )


def appeals(*, user, region, filters: Filters) -> QuerySet[Appeal]:
    """Appeals the user may see (all of them for `user=None`: scheduled reports), inside the filters."""
    start, end = period_bounds(filters)
    qs = Appeal.objects.filter(region=region, registered_at__gte=start, registered_at__lt=end)
    if is_restricted(user):
        qs = scoped(qs, user=user, roles=ANALYTICS_ROLES, org_field="organization")
    if filters.territory_id:
        qs = qs.filter(territory_id=filters.territory_id)
    if filters.topic_id:
        qs = qs.filter(Q(topic_id=filters.topic_id) | Q(topic__parent_id=filters.topic_id))
    if filters.organization_id:
        # An organization stands for itself and everything below it, as on the dashboard's panels.
        qs = qs.filter(subtree_q(organization_id=filters.organization_id))
    return qs


def is_restricted(user) -> bool:
    """Whether the user sees only their own subtrees (an executor); analysts, coordinators, admins
    and the scheduled reports (`user=None`) see the whole region."""
    return user is not None and not (user.is_superuser or {"analyst", "admin", "coordinator"} & _roles(user))


def share(part: int, whole: int) -> float | None:
    """`part / whole` rounded to 3 places; None (shown «—») when there is nothing to divide by."""
    return round(part / whole, 3) if whole else None


def _roles(user) -> set[str]:
    from otklik.accounts.selectors import user_roles

    return {str(r) for r in user_roles(user=user)}


def breakdown(qs: QuerySet, field: str, labels: dict | None = None) -> list[dict]:
    """Counts and shares by one dimension, largest first."""
    rows = list(qs.values(field).annotate(n=Count("pk")).order_by("-n"))
    total = sum(r["n"] for r in rows) or 1
    return [
        {
            "key": r[field],
            "label": (labels or {}).get(r[field], r[field] or "не указано"),
            "n": r["n"],
            "share": round(r["n"] / total, 3),
        }
        for r in rows
    ]


def by_channel(qs):
    return breakdown(qs, "channel", dict(Channel.choices))


def by_topic(qs):
    names = dict(Topic.objects.filter(parent__isnull=True).values_list("pk", "name"))
    return breakdown(qs.annotate(top=Coalesce(F("topic__parent_id"), F("topic_id"))), "top", names)


def by_territory(qs):
    return breakdown(qs, "territory__name")


def by_organization(qs):
    return breakdown(qs, "organization__short_name")


class _Percentile(Aggregate):
    """PostgreSQL's ordered-set percentile: `percentile_cont(f) WITHIN GROUP (ORDER BY expr)`."""

    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, *, discrete: bool = False):
        super().__init__(expression)
        self.function = "percentile_disc" if discrete else "percentile_cont"
        self.extra["fraction"] = repr(float(fraction))


def _hours_sql():
    """Hours from registration to the answer, in SQL (PostgreSQL)."""
    return Func(
        F("answered_at"),
        F("registered_at"),
        template="EXTRACT(EPOCH FROM (%(expressions)s))::double precision / 3600.0",
        arg_joiner=" - ",
        output_field=FloatField(),
    )


# The deadline definitions every figure shares: answered (a first answer given), answered within
# the legal deadline (no later than `due_at`; an appeal without a deadline counts as in time) and
# overdue now (the deadline is running and has passed).
ANSWERED = Q(answered_at__isnull=False)
IN_TIME = ANSWERED & (Q(due_at__isnull=True) | Q(answered_at__lte=F("due_at")))


def overdue_q(now) -> Q:
    return Q(status__in=DEADLINE_RUNNING, due_at__lt=now)


def _deadline_counts(qs, now) -> dict:
    return qs.aggregate(
        answered=Count("pk", filter=ANSWERED),
        in_time=Count("pk", filter=IN_TIME),
        overdue_now=Count("pk", filter=overdue_q(now)),
    )


def response_times(qs) -> dict:
    """Hours from registration to the first answer: median and 90th percentile; deadline compliance.

    Median: the middle value (the mean of the two middle ones for an even count); 90th percentile:
    the value at 0-based position floor(0.9·n) of the sorted hours. On PostgreSQL both are computed
    by the database (percentile_cont / percentile_disc) over every answered appeal; elsewhere
    (SQLite) the hours are fetched and sorted in Python.
    """
    now = timezone.now()
    if connection.vendor == "postgresql":
        return _response_times_sql(qs, now)
    return _response_times_python(qs, now)


def _response_times_python(qs, now) -> dict:
    answered = list(
        qs.filter(answered_at__isnull=False).values_list("registered_at", "answered_at", "due_at")
    )
    hours = sorted((a - r).total_seconds() / 3600 for r, a, _ in answered)
    in_time = sum(1 for _, a, d in answered if d is None or a <= d)
    return {
        "answered": len(answered),
        "median_h": round(median(hours), 1) if hours else None,
        "p90_h": round(hours[min(len(hours) - 1, int(len(hours) * 0.9))], 1) if hours else None,
        "within_deadline_share": share(in_time, len(answered)),
        "overdue_now": qs.filter(overdue_q(now)).count(),
    }


def _percentiles_sql(qs, n: int) -> tuple[float, float]:
    """Median and 90th percentile of the answer hours of `qs`, which has `n` answered appeals."""
    # percentile_disc(f) takes the value at 1-based rank ceil(f·n); the Python path's rank is
    # floor(0.9·n) + 1 (capped at n): pass f = (rank − ½)/n so that rounding cannot move it.
    rank = min(n, int(n * 0.9) + 1)
    figures = qs.filter(answered_at__isnull=False).aggregate(
        median_h=_Percentile(_hours_sql(), 0.5),
        p90_h=_Percentile(_hours_sql(), (rank - 0.5) / n, discrete=True),
    )
    return round(float(figures["median_h"]), 1), round(float(figures["p90_h"]), 1)


def _response_times_sql(qs, now) -> dict:
    counts = _deadline_counts(qs, now)
    n = counts["answered"]
    median_h = p90_h = None
    if n:
        median_h, p90_h = _percentiles_sql(qs, n)
    return {
        "answered": n,
        "median_h": median_h,
        "p90_h": p90_h,
        "within_deadline_share": share(counts["in_time"], n),
        "overdue_now": counts["overdue_now"],
    }


def satisfaction(qs) -> dict:
    """Ratings 5…1, the satisfied (4–5) and dissatisfied (1–2) shares, escalations: one query."""
    agg = qs.aggregate(
        **{f"r{score}": Count("pk", filter=Q(rating=score)) for score in range(1, 6)},
        escalations=Count("pk", filter=Q(escalation_level__gt=0)),
    )
    dist = {score: agg[f"r{score}"] for score in range(1, 6)}
    total = sum(dist.values())
    return {
        "rated": total,
        "distribution": [(score, dist[score]) for score in range(5, 0, -1)],
        "satisfied_share": share(dist[4] + dist[5], total),
        "dissatisfied_share": share(dist[1] + dist[2], total),
        "escalations": agg["escalations"],
    }


def pos_kpis(qs, region, *, times: dict | None = None, sat: dict | None = None) -> dict:
    """The ПОС KPIs computed from the appeals of `qs`: functional, promotion (channel shares) and
    satisfaction (definitions: docs/architecture.md, «ПОС KPIs»; the others: `analytics.kpis`).

    `times` and `sat` are `response_times(qs)` and `satisfaction(qs)` when the caller has them already.
    """
    fast_track = DeadlinePolicy.objects.filter(code="fast_track").values_list("pk", flat=True).first()
    agg = qs.aggregate(
        total=Count("pk"),
        routed=Count("organization_id"),
        auto=Count("pk", filter=Q(routed_automatically=True)),
        fast=Count("pk", filter=Q(policy_id=fast_track)),
        own=Count("pk", filter=Q(channel__in=OWN_CHANNELS)),
        regional=Count("pk", filter=Q(channel__in=REGIONAL_CHANNELS)),
    )
    if times is None:
        counts = _deadline_counts(qs, timezone.now())
        within = share(counts["in_time"], counts["answered"])
    else:
        within = times["within_deadline_share"]
    sat = sat if sat is not None else satisfaction(qs)
    return _kpis(region, {**agg, "within": within, "voice": _voice_count(qs)}, sat)


def _voice_count(qs) -> int:
    """Appeals of `qs` whose citizen sent a voice message or recording with them."""
    voice = Attachment.objects.filter(
        appeal=OuterRef("pk"), from_citizen=True, content_type__startswith="audio/"
    )
    return qs.filter(Exists(voice)).count()


def _kpis(region, counts: dict, sat: dict) -> dict:
    """`pos_kpis` from counts of the appeals: total, routed, auto, fast, own, regional, within, voice."""
    topics = Topic.objects.filter(region=region, parent__isnull=False)
    total = counts["total"]
    return {
        "auto_routed_share": share(counts["auto"], counts["routed"]),
        "fast_track_share": share(counts["fast"], total),
        "topics_with_templates_share": share(topics.exclude(answer_template="").count(), topics.count()),
        "within_deadline_share": counts["within"],
        "own_channels_share": share(counts["own"], total),
        "regional_systems_share": share(counts["regional"], total),
        "voice_share": share(counts["voice"], total),
        "voice": counts["voice"],
        "satisfied_share": sat["satisfied_share"],
        "dissatisfied_share": sat["dissatisfied_share"],
    }


def hand_routed_by_month(qs, region) -> list[dict]:
    """Per month of registration (the region's time): appeals, those whose organization a
    coordinator chose or changed by hand (assigned from moderation, reassigned, redirected), share."""
    tz = ZoneInfo(region.timezone)
    by_hand = AppealEvent.objects.filter(HAND_CHOICE, appeal=OuterRef("pk"))
    rows = (
        qs.annotate(month=TruncMonth("registered_at", tzinfo=tz), by_hand=Exists(by_hand))
        .values("month")
        .annotate(n=Count("pk"), hand=Count("pk", filter=Q(by_hand=True)))
        .order_by("month")
    )
    return [
        {**r, "month": timezone.localtime(r["month"], tz).date(), "share": share(r["hand"], r["n"])}
        for r in rows
    ]


def _rows(sums: dict, labels: dict | None = None) -> list[dict]:
    """`breakdown`'s rows from counts already summed by key, largest first."""
    total = sum(sums.values()) or 1
    ordered = sorted(sums.items(), key=lambda kv: (-kv[1], str(kv[0])))
    return [
        {
            "key": key,
            "label": (labels or {}).get(key, key or "не указано"),
            "n": n,
            "share": round(n / total, 3),
        }
        for key, n in ordered
    ]


def dashboard_figures(qs, region) -> dict:
    """Everything the dashboard shows about `qs`, from one grouped scan plus one for the percentiles.

    The same figures as `by_channel`, `by_topic`, `by_territory`, `by_organization`, `response_times`,
    `satisfaction`, `pos_kpis` and `territory_map`, each of which scans the appeals by itself: at a
    million appeals a dozen scans do not fit in a second. Counts are summed in Python from the groups
    (channel × top-level topic × territory × organization: thousands, not millions).
    """
    now = timezone.now()
    fast_track = DeadlinePolicy.objects.filter(code="fast_track").values_list("pk", flat=True).first()
    # Count a NOT NULL column of the covering index (COUNT(id) would read the table); group by the
    # topic itself and fold sub-topics into their top-level topic here (a join would hide the
    # grouping statistics from the planner).
    one = "registered_at"
    groups = list(
        qs.values("channel", "topic_id", "territory_id", "organization_id")
        .annotate(
            n=Count(one),
            answered=Count(one, filter=ANSWERED),
            in_time=Count(one, filter=IN_TIME),
            overdue_now=Count(one, filter=overdue_q(now)),
            escalations=Count(one, filter=Q(escalation_level__gt=0)),
            auto=Count(one, filter=Q(routed_automatically=True)),
            fast=Count(one, filter=Q(policy_id=fast_track)),
            **{f"r{score}": Count(one, filter=Q(rating=score)) for score in range(1, 6)},
        )
        .order_by()
    )
    topic_ids = {g["topic_id"] for g in groups if g["topic_id"]}
    parents = dict(Topic.objects.filter(pk__in=topic_ids).order_by().values_list("pk", "parent_id"))
    sums: dict[str, dict] = {"channel": {}, "top": {}, "territory_id": {}, "organization_id": {}}
    totals = dict.fromkeys(
        ["n", "answered", "in_time", "overdue_now", "escalations", "auto", "fast", "routed"]
        + [f"r{score}" for score in range(1, 6)],
        0,
    )
    for g in groups:
        g["top"] = parents.get(g["topic_id"]) or g["topic_id"]
        for dim, by in sums.items():
            by[g[dim]] = by.get(g[dim], 0) + g["n"]
        for key in totals:
            totals[key] += g["n"] if key == "routed" and g["organization_id"] is not None else g.get(key, 0)
    territories = list(Territory.objects.filter(region=region))
    names = {t.pk: t.name for t in territories}
    by_territory: dict = {}
    for pk, n in sums["territory_id"].items():
        by_territory[names.get(pk)] = by_territory.get(names.get(pk), 0) + n
    org_names = dict(
        Organization.objects.filter(pk__in=[k for k in sums["organization_id"] if k])
        .order_by()
        .values_list("pk", "short_name")
    )
    by_org: dict = {}
    for pk, n in sums["organization_id"].items():
        by_org[org_names.get(pk)] = by_org.get(org_names.get(pk), 0) + n
    n, answered = totals["n"], totals["answered"]
    times = {
        "answered": answered,
        "median_h": None,
        "p90_h": None,
        "within_deadline_share": share(totals["in_time"], answered),
        "overdue_now": totals["overdue_now"],
    }
    if answered and connection.vendor == "postgresql":
        times["median_h"], times["p90_h"] = _percentiles_sql(qs, answered)
    elif answered:
        hours = _response_times_python(qs, now)
        times["median_h"], times["p90_h"] = hours["median_h"], hours["p90_h"]
    dist = {score: totals[f"r{score}"] for score in range(1, 6)}
    rated = sum(dist.values())
    sat = {
        "rated": rated,
        "distribution": [(score, dist[score]) for score in range(5, 0, -1)],
        "satisfied_share": share(dist[4] + dist[5], rated),
        "dissatisfied_share": share(dist[1] + dist[2], rated),
        "escalations": totals["escalations"],
    }
    by_channel = sums["channel"]
    kpi = _kpis(
        region,
        {
            "total": n,
            "routed": totals["routed"],
            "auto": totals["auto"],
            "fast": totals["fast"],
            "own": sum(by_channel.get(c, 0) for c in OWN_CHANNELS),
            "regional": sum(by_channel.get(c, 0) for c in REGIONAL_CHANNELS),
            "within": times["within_deadline_share"],
            "voice": _voice_count(qs),
        },
        sat,
    )
    return {
        "total": n,
        "channel": _rows(sums["channel"], dict(Channel.choices)),
        "topic": _rows(
            sums["top"], dict(Topic.objects.filter(parent__isnull=True).values_list("pk", "name"))
        ),
        "territory": _rows(by_territory),
        "organization": _rows(by_org),
        "times": times,
        "satisfaction": sat,
        "kpi": kpi,
        "map": _map_rows(territories, sums["territory_id"]),
    }


def bot(region, filters: Filters) -> dict:
    """«Бот в цифрах» and the estimate of appeals the bot prevented.

    Estimate: questions answered by the bot that were not followed by an appeal and not marked
    "did not help", times the share of questions the bot could NOT answer that became appeals (the
    conversion the answered ones would have had without the bot).
    """
    start, end = period_bounds(filters)
    qs = Query.objects.filter(region=region, created_at__gte=start, created_at__lt=end)
    agg = qs.aggregate(
        total=Count("pk"),
        faq=Count("pk", filter=Q(channel=FAQ_CHANNEL)),
        answered=Count("pk", filter=Q(decision="answered")),
        abstained=Count("pk", filter=Q(decision="abstained")),
        abstained_to_appeal=Count("pk", filter=Q(decision="abstained", became_appeal=True)),
        appeals=Count("pk", filter=Q(became_appeal=True)),
        not_helped=Count("pk", filter=Q(feedback="not_helped")),
        helped=Count("pk", filter=Q(feedback="helped")),
        resolved=Count("pk", filter=Q(decision="answered", became_appeal=False) & ~Q(feedback="not_helped")),
    )
    conversion = agg["abstained_to_appeal"] / agg["abstained"] if agg["abstained"] else 0
    total = agg["total"] or 1
    rated = (agg["helped"] + agg["not_helped"]) or 1
    from otklik.dialogue.models import Conversation, MenuOpen
    from otklik.kb.models import Article, Suggestion

    telegram = Conversation.objects.filter(region=region, channel="telegram")
    opens = MenuOpen.objects.filter(region=region, at__gte=start, at__lt=end)
    top_opened = list(
        opens.annotate(section=Coalesce(F("category__parent__title"), F("category__title")))
        .values("section")
        .annotate(n=Count("pk"))
        .order_by("-n", "section")[:5]
    )
    top_categories = list(
        qs.filter(article__isnull=False)
        .annotate(section=Coalesce(F("article__category__parent__title"), F("article__category__title")))
        .values("section")
        .annotate(n=Count("pk"))
        .order_by("-n")[:5]
    )
    return {
        **agg,
        "answered_share": round(agg["answered"] / total, 3),
        "appeal_share": round(agg["appeals"] / total, 3),
        "not_helped_share": round(agg["not_helped"] / rated, 3),
        "prevented_estimate": round(agg["resolved"] * conversion),
        "conversion": round(conversion, 3),
        "users": telegram.count(),
        "subscribers": telegram.filter(subscriptions__isnull=False).distinct().count(),
        "ready_answers": Article.objects.filter(region=region, status=Article.Status.PUBLISHED).count(),
        "suggestions": Suggestion.objects.filter(
            region=region, created_at__gte=start, created_at__lt=end
        ).count(),
        "answers_opened": opens.filter(article__isnull=False).count(),
        "top_opened": [(r["section"], r["n"]) for r in top_opened],
        "top_categories": [(r["section"], r["n"]) for r in top_categories],
    }


def territory_map(qs, region) -> list[dict]:
    """Territories with their volume and volume per 1,000 pupils, for the schematic map."""
    counts = dict(qs.values_list("territory_id").annotate(n=Count("pk")))
    return _map_rows(list(Territory.objects.filter(region=region)), counts)


def _map_rows(territories, counts: dict) -> list[dict]:
    rows = []
    for t in territories:
        n = counts.get(t.pk, 0)
        rows.append(
            {
                "territory": t,
                "n": n,
                "per_1000": round(n * 1000 / t.pupils, 2) if t.pupils else None,
                "points": " ".join(f"{x},{y}" for x, y in t.map_polygon or []),
            }
        )
    values = [r["per_1000"] or 0 for r in rows]
    low, high = min(values, default=0), max(values, default=0)
    for r in rows:
        # Colour by the position between the lowest and the highest territory, so differences show.
        level = ((r["per_1000"] or 0) - low) / (high - low) if high > low else 0.5
        r["fill"] = f"hsl(210, 70%, {round(92 - level * 55)}%)"
    return rows


def quarter_period(year: int, quarter: int) -> Filters:
    """The dates of a calendar quarter."""
    start_month = 3 * (quarter - 1) + 1
    last_month = start_month + 2
    return Filters(
        date(year, start_month, 1), date(year, last_month, calendar.monthrange(year, last_month)[1])
    )


def quarter_comparison(
    *,
    user,
    region,
    year: int,
    quarter: int,
    base_year: int | None = None,
    base_quarter: int | None = None,
    consultative: bool = False,
) -> list[dict]:
    """«Результаты по снижению обращений»: by top-level topic, a quarter against a base quarter (by
    default the same quarter a year before), with the change in cases and in per cent.

    `consultative`: only appeals whose topic is consultative (`Topic.consultative`: a question the
    knowledge base answers), the «потенциал снижения» that ready answers can take away.
    """
    base_year = base_year or year - 1
    base_quarter = base_quarter or quarter

    def counts(y: int, q: int) -> dict:
        qs = appeals(user=user, region=region, filters=quarter_period(y, q))
        if consultative:
            qs = qs.filter(topic__consultative=True)
        return {r["key"]: r["n"] for r in by_topic(qs)}

    now_counts, base_counts = counts(year, quarter), counts(base_year, base_quarter)
    keys = set(now_counts) | set(base_counts)
    names = dict(Topic.objects.filter(pk__in=[k for k in keys if k]).values_list("pk", "name"))
    rows = [
        {"label": names.get(key, "не указано"), **_change(base_counts.get(key, 0), now_counts.get(key, 0))}
        for key in keys
    ]
    rows.sort(key=lambda r: (-r["before"], -r["after"], r["label"]))
    return rows


def _change(before: int, after: int) -> dict:
    return {
        "before": before,
        "after": after,
        "change": after - before,
        "change_pct": round(100 * (after - before) / before, 1) if before else None,
    }


def quarter_total(rows: list[dict]) -> dict:
    """The «Итого» row of `quarter_comparison`: every topic's appeals together."""
    return {
        "label": "Итого",
        **_change(sum(r["before"] for r in rows), sum(r["after"] for r in rows)),
    }


def quarter_headline(total: dict, *, consultative: bool = False) -> str:
    """The sentence under the table: «Количество обращений снизилось на 25 % (с 476 до 357, на 119)»."""
    subject = "Количество обращений" + (" по консультативным тематикам" if consultative else "")
    before, after, change = total["before"], total["after"], total["change"]
    if not before and not after:
        return f"{subject}: обращений не было ни в одном из двух кварталов."
    if not change:
        return f"{subject} не изменилось ({before})."
    if not before:
        return f"{subject} выросло с 0 до {after}."
    pct = f"{abs(total['change_pct']):.1f}".replace(".", ",").removesuffix(",0")
    verb = "снизилось" if change < 0 else "выросло"
    return f"{subject} {verb} на {pct} % (с {before} до {after}, на {abs(change)})."


def daily_counts(*, region, days: int = 800, channel: str | None = None) -> list[tuple[date, int]]:
    """Appeals plus bot questions per local day, for forecasting."""
    from django.db.models.functions import TruncDate

    since = timezone.now() - timedelta(days=days)
    appeals_qs = Appeal.objects.filter(region=region, registered_at__gte=since)
    if channel:
        appeals_qs = appeals_qs.filter(channel=channel)
    counts: dict[date, int] = {}
    for day, n in appeals_qs.annotate(d=TruncDate("registered_at")).values_list("d").annotate(n=Count("pk")):
        counts[day] = counts.get(day, 0) + n
    if channel is None:
        queries = Query.objects.filter(region=region, created_at__gte=since)
        for day, n in queries.annotate(d=TruncDate("created_at")).values_list("d").annotate(n=Count("pk")):
            counts[day] = counts.get(day, 0) + n
    return sorted(counts.items())


def hour_shares(*, region, channel: str) -> dict[int, float]:
    """Share of a channel's appeals by local hour of the day."""
    from django.db.models.functions import ExtractHour

    rows = dict(
        Appeal.objects.filter(region=region, channel=channel)
        .annotate(h=ExtractHour("registered_at"))
        .values_list("h")
        .annotate(n=Count("pk"))
    )
    total = sum(rows.values())
    return {h: n / total for h, n in sorted(rows.items())} if total else {}
