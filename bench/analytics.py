"""Dashboard queries at a million appeals on PostgreSQL, each beside the equivalent hand-written SQL.

    DATABASE_URL=postgres://otklik:otklik@127.0.0.1:54340/otklik_bench \\
        .venv/bin/python bench/analytics.py [--n 1000000] [--days 730] [--spb ../shared/data/appeals_spb/appeals.csv]
        [--no-spb] [--repeat 3] [--reset] [--out result.json]

Needs an EMPTY PostgreSQL database (or `--reset`, which drops and recreates its `public` schema: every
table in that database is lost). Steps, all timed:

1. `migrate`, then the demo region, its territories and organizations, the demo staff (an analyst
   among them), the demo topic tree and routing rules — the same `seed` functions `otklik seed_demo`
   uses (no demo appeals).
2. N synthetic appeals (`is_synthetic`), spread over the last `--days` days with the demo's
   seasonality, channel mix, routing, deadlines, answer times, ratings and escalations, written with
   PostgreSQL COPY (no ORM saves).
3. The 59,889 real Saint Petersburg appeals of `../shared/data/appeals_spb/appeals.csv` (read from
   there, never copied into the repository): district → a territory of the bench region, category →
   top-level topic, reason → sub-topic, executor_org_any → an organization under the ministry,
   created_at → registered_at (Moscow time), final_status → status. The file has no answer time, so
   `answered_at` stays empty (they count in volumes, not in response times); «Пользователь
   удовлетворен» is recorded as rating 5. The data are of Oct 2020 – Apr 2021; they are moved by
   whole years (`--spb-shift-years`, default: as far as still lies in the past) so that they fall
   inside the dashboard's default period.
4. VACUUM ANALYZE, then for the whole region as an analyst: every dashboard selector (and
   `dashboard_figures`, the one grouped scan the page now uses for all of them) for the default
   period (the last 365 days) and for the previous calendar year, each beside an equivalent raw SQL
   query (median of `--repeat` runs, after one warm-up), and the whole `/staff/analytics/` page
   through the Django test Client.

Prints JSON: rows loaded, load seconds, per query {selector_ms, raw_sql_ms, under_1s}, view_ms.
"""

import argparse
import csv
import json
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from io import StringIO
from itertools import islice
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SPB_DEFAULT = ROOT.parent / "shared" / "data" / "appeals_spb" / "appeals.csv"
LIMIT_MS = 1000

# The columns written by COPY (everything NOT NULL without a database default, plus what analytics reads).
COLUMNS = [
    "region_id",
    "number",
    "channel",
    "policy_id",
    "is_anonymous",
    "author_name",
    "contact_email",
    "contact_phone",
    "postal_address",
    "text",
    "territory_id",
    "topic_suggested_id",
    "topic_confidence",
    "topic_id",
    "organization_id",
    "status",
    "routed_automatically",
    "registered_at",
    "due_at",
    "extensions",
    "answered_at",
    "closed_at",
    "answer_text",
    "rating",
    "rating_comment",
    "escalation_level",
    "overdue",
    "external_source",
    "external_id",
    "secret",
    "is_synthetic",
    "created_at",
    "updated_at",
    "outcome",
]
SPB_STATUS = {
    "Рассмотрение": "in_work",
    "Промежуточный ответ": "in_work",
    "Получен ответ": "answered",
    "Модерация": "moderation",
}


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "otklik.settings")
    import django

    django.setup()


def _prepare(reset: bool) -> None:
    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass('orgs_region') IS NOT NULL")
        exists = cur.fetchone()[0]
        if exists and not reset:
            cur.execute("SELECT count(*) FROM orgs_region")
            if cur.fetchone()[0]:
                sys.exit(
                    "В базе уже есть данные. Бенчмарк работает на пустой базе PostgreSQL; "
                    "--reset удалит и пересоздаст схему public этой базы (все таблицы)."
                )
        if reset:
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)


def _seed_region():
    """Region, territories, organizations, staff, topics and routing: the demo seeding, minus appeals."""
    from otklik.accounts import demo as accounts_demo
    from otklik.core.demo import DemoContext
    from otklik.orgs import demo as orgs_demo
    from otklik.routing import demo as routing_demo

    ctx = DemoContext(rng=random.Random(7), stdout=StringIO())
    for module in (orgs_demo, accounts_demo, routing_demo):
        module.seed(ctx)
    return ctx


class _DueCache:
    """answer_due per (policy, local day) as an offset: the production calendar once per day, not per row."""

    def __init__(self, tz_name: str):
        self.tz_name, self.tz, self.cache = tz_name, ZoneInfo(tz_name), {}

    def __call__(self, policy, at: datetime) -> datetime:
        from otklik.routing.deadlines import answer_due

        if policy.answer_unit == "hours":
            return at + timedelta(hours=policy.answer_amount)
        day = at.astimezone(self.tz).date()
        key = (policy.pk, day)
        if key not in self.cache:
            noon = datetime.combine(day, dtime(12), self.tz)
            self.cache[key] = answer_due(policy=policy, start_at=noon, tz_name=self.tz_name) - noon
        return at + self.cache[key]


def _copy(rows, chunk: int = 50_000) -> int:
    """COPY rows in chunks; a chunk is built before its COPY starts (building may query the database)."""
    from django.db import connection

    n = 0
    rows = iter(rows)
    while batch := list(islice(rows, chunk)):
        with connection.cursor() as cur:
            with cur.cursor.copy(f"COPY appeals_appeal ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in batch:
                    copy.write_row(row)
        n += len(batch)
    return n


def _synthetic_rows(ctx, n: int, days: int):
    """N appeals like the demo's (appeals/demo.py), generated in memory for COPY."""
    from django.utils import timezone

    from otklik.appeals.demo import CHANNELS, PROFILES, RATINGS, _weight
    from otklik.routing.models import DeadlinePolicy, Topic
    from otklik.routing.services import route

    rng = random.Random(20261129)
    region = ctx.region
    tz = ZoneInfo(region.timezone)
    due = _DueCache(region.timezone)
    topics = list(Topic.objects.filter(region=region, parent__isnull=False).select_related("parent"))
    by_top: dict[str, list] = {}
    for t in topics:
        by_top.setdefault(t.parent.code, []).append(t)
    tops = [code for code in PROFILES if code in by_top]
    territories = list(ctx.territories.values())
    t_weights = [t.population or 1 for t in territories]
    policies = {p.code: p for p in DeadlinePolicy.objects.all()}
    routes: dict = {}
    now = timezone.now()
    today = timezone.localdate(now, timezone=tz)
    day_list = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    day_weights = [(0.35 if d.weekday() >= 5 else 1.0) for d in day_list]
    channels, channel_w = [c for c, _ in CHANNELS], [w for _, w in CHANNELS]
    ratings, rating_w = [r for r, _ in RATINGS], [w for _, w in RATINGS]
    picked_days = rng.choices(range(len(day_list)), weights=day_weights, k=n)
    topic_weight_cache: dict[int, list[float]] = {}
    prefix = region.appeal_prefix
    pos_channels = {"telegram", "pos", "widget", "incident"}
    for seq, di in enumerate(picked_days, start=1):
        day = day_list[di]
        if di not in topic_weight_cache:
            topic_weight_cache[di] = [_weight(day, PROFILES[c][0]) for c in tops]
        top = rng.choices(tops, weights=topic_weight_cache[di])[0]
        topic = rng.choice(by_top[top])
        territory = rng.choices(territories, weights=t_weights)[0]
        channel = rng.choices(channels, weights=channel_w)[0]
        at = datetime.combine(day, dtime(rng.randrange(8, 22), rng.randrange(60), rng.randrange(60)), tz)
        if at > now:
            at = now - timedelta(minutes=rng.randrange(1, 600))
        key = (topic.pk, territory.pk)
        if key not in routes:
            routes[key] = route(region=region, topic=topic, territory=territory).organization
        org = routes[key]
        policy = policies["fast_track" if topic.urgent else ("pos" if channel in pos_channels else "fz59")]
        due_at = due(policy, at)
        duration = (
            timedelta(hours=rng.uniform(4, 24))
            if policy.code == "fast_track"
            else timedelta(days=min(60.0, rng.lognormvariate(2.0, 0.6)))
        )
        answered_at = at + duration
        rating = closed_at = None
        escalation = 0
        org_id = org.pk if org else None
        if answered_at < now:
            status, overdue = "answered", answered_at > due_at
            if rng.random() < 0.62:
                rating = rng.choices(ratings, weights=rating_w)[0]
                rated = answered_at + timedelta(hours=rng.uniform(2, 72))
                if rating <= 2 and org is not None and org.parent_id:
                    escalation, org_id, status = 1, org.parent_id, "closed"
                    closed_at = rated + timedelta(days=5)
                else:
                    status, closed_at = "closed", rated
                if closed_at > now:
                    status, closed_at = "answered", None
        else:
            answered_at = None
            status = "in_work" if at + duration / 5 < now else "assigned"
            overdue = due_at < now
        yield (
            region.pk,
            f"{prefix}-B{seq:08d}",
            channel,
            policy.pk,
            rng.random() < 0.07,
            "Бенчмарк (синтетическое обращение)",
            "",
            "",
            "",
            "[Бенчмарк] Синтетическое обращение для замера аналитики.",
            territory.pk,
            topic.pk,
            0.8,
            topic.pk,
            org_id,
            status,
            rng.random() < 0.72,
            at,
            due_at,
            0,
            answered_at,
            closed_at,
            "",
            rating,
            "",
            escalation,
            overdue,
            "",
            "",
            f"b{seq}",
            True,
            at,
            at,
            "",
        )


def _spb_default_shift(rows) -> int:
    from django.utils import timezone

    last = max(r["created_at"] for r in rows)[:10]
    last_day = date.fromisoformat(last)
    today = timezone.localdate()
    shift = today.year - last_day.year
    if last_day.replace(year=last_day.year + shift) > today:
        shift -= 1
    return max(shift, 0)


def _spb_rows(ctx, path: Path, shift_years: int | None):
    """The real SPb appeals mapped onto the bench region; returns (rows, shift used)."""
    from django.utils import timezone

    from otklik.orgs.models import Territory
    from otklik.orgs.services import organization_create
    from otklik.routing.models import DeadlinePolicy, Topic

    with path.open(encoding="utf-8", newline="") as f:
        data = list(csv.DictReader(f))
    shift = _spb_default_shift(data) if shift_years is None else shift_years
    region = ctx.region
    msk = ZoneInfo("Europe/Moscow")
    due = _DueCache("Europe/Moscow")
    policy = DeadlinePolicy.objects.get(code="pos")
    ministry = next(o for o in ctx.orgs.values() if o.kind == "ministry")
    territories = {}
    for i, name in enumerate(sorted({r["district"] for r in data if r["district"]}), start=1):
        territories[name] = Territory.objects.create(
            region=region, code=f"SPB{i:02d}", name=f"{name} район (СПб)", kind="city_district"
        )
    tops, subs = {}, {}
    for r in data:
        cat, reason = r["category"] or "Без категории", r["reason"] or "Без причины"
        if cat not in tops:
            tops[cat] = Topic.objects.create(
                region=region, code=f"SPB{len(tops) + 1:02d}", name=f"СПб: {cat}", position=900
            )
        if (cat, reason) not in subs:
            parent = tops[cat]
            n = sum(1 for c, _ in subs if c == cat) + 1
            subs[(cat, reason)] = Topic.objects.create(
                region=region, code=f"{parent.code}.{n:03d}", name=reason, parent=parent, position=900
            )
    orgs = {}
    for name in sorted({r["executor_org_any"] for r in data if r["executor_org_any"]}):
        orgs[name] = organization_create(
            region=region, code=f"SPB-ORG-{len(orgs) + 1:03d}", name=name, kind="other", parent=ministry
        )
    now = timezone.now()
    seen: set[str] = set()

    def rows():
        for r in data:
            naive = datetime.fromisoformat(r["created_at"])
            try:
                naive = naive.replace(year=naive.year + shift)
            except ValueError:  # 29 February
                naive = naive.replace(year=naive.year + shift, day=28)
            at = naive.replace(tzinfo=msk)
            status = SPB_STATUS.get(r["final_status"], "closed")
            org = orgs.get(r["executor_org_any"])
            if org is None and status != "closed":
                status = "moderation"
            due_at = due(policy, at)
            open_ = status in {"in_work", "moderation"}
            ext = r["appeal_id"] if r["appeal_id"] not in seen else f"{r['appeal_id']}-{len(seen)}"
            seen.add(ext)
            topic = subs[(r["category"] or "Без категории", r["reason"] or "Без причины")]
            yield (
                region.pk,
                f"SPB-{ext}",
                "import",
                policy.pk,
                False,
                "",
                "",
                "",
                "",
                r["text"] or "—",
                territories[r["district"]].pk if r["district"] else None,
                topic.pk,
                1.0,
                topic.pk,
                org.pk if org else None,
                status,
                int(r["n_reroutes"] or 0) == 0,
                at,
                due_at,
                0,
                None,
                None,
                "",
                5 if "удовлетворен" in r["final_status"] else None,
                "",
                0,
                open_ and due_at < now,
                "spb",
                ext,
                f"s{ext}",
                False,
                at,
                at,
                "",
            )

    return rows(), shift


def _ms(fn, repeat: int) -> tuple[float, object]:
    result = fn()  # warm-up (and the value)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1), result


def _raw(sql: str, params: list):
    from django.db import connection

    def run():
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    return run


# Hand-written equivalents. %(w)s is the WHERE of the dashboard's appeal set (region and period).
WHERE = "a.region_id = %s AND a.registered_at >= %s AND a.registered_at < %s"
RAW = {
    "total": "SELECT count(*) FROM appeals_appeal a WHERE {w}",
    "by_channel": "SELECT a.channel, count(*) n FROM appeals_appeal a WHERE {w} GROUP BY 1 ORDER BY n DESC",
    "by_topic": (
        "SELECT coalesce(t.parent_id, a.topic_id) k, count(*) n FROM appeals_appeal a "
        "LEFT JOIN routing_topic t ON t.id = a.topic_id WHERE {w} GROUP BY 1 ORDER BY n DESC"
    ),
    "by_territory": (
        "SELECT t.name, count(*) n FROM appeals_appeal a LEFT JOIN orgs_territory t ON t.id = a.territory_id "
        "WHERE {w} GROUP BY 1 ORDER BY n DESC"
    ),
    "by_organization": (
        "SELECT o.short_name, count(*) n FROM appeals_appeal a "
        "LEFT JOIN orgs_organization o ON o.id = a.organization_id WHERE {w} GROUP BY 1 ORDER BY n DESC"
    ),
    "response_times": (
        "SELECT count(a.answered_at), "
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM a.answered_at - a.registered_at)), "
        "percentile_disc(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM a.answered_at - a.registered_at)), "
        "count(*) FILTER (WHERE a.answered_at IS NOT NULL AND (a.due_at IS NULL OR a.answered_at <= a.due_at)), "
        "count(*) FILTER (WHERE a.status IN ('moderation','assigned','in_work','info_requested') "
        "AND a.due_at < now()) FROM appeals_appeal a WHERE {w}"
    ),
    "overdue_now": (
        "SELECT count(*) FROM appeals_appeal a WHERE {w} "
        "AND a.status IN ('moderation','assigned','in_work','info_requested') AND a.due_at < now()"
    ),
    "executor_ranking": (
        "SELECT a.organization_id, count(*), count(a.answered_at), "
        "count(*) FILTER (WHERE a.answered_at IS NOT NULL AND (a.due_at IS NULL OR a.answered_at <= a.due_at)), "
        "count(*) FILTER (WHERE a.status IN ('moderation','assigned','in_work','info_requested') "
        "AND a.due_at < now()), count(*) FILTER (WHERE a.rating IN (4, 5)), "
        "count(*) FILTER (WHERE a.rating IN (1, 2)), count(*) FILTER (WHERE a.escalation_level > 0), "
        "count(*) FILTER (WHERE a.status = 'redirected'), "
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM a.answered_at - a.registered_at)) "
        "FROM appeals_appeal a WHERE {w} AND a.organization_id IS NOT NULL GROUP BY 1"
    ),
    "satisfaction": (
        "SELECT a.rating, count(*), sum(count(*) FILTER (WHERE a.escalation_level > 0)) OVER () "
        "FROM appeals_appeal a WHERE {w} GROUP BY 1"
    ),
    "pos_kpis": (
        "SELECT count(*), count(a.organization_id), count(*) FILTER (WHERE a.routed_automatically), "
        "count(*) FILTER (WHERE p.code = 'fast_track') FROM appeals_appeal a "
        "JOIN routing_deadlinepolicy p ON p.id = a.policy_id WHERE {w}"
    ),
    "dashboard_figures": (
        "SELECT a.channel, coalesce(t.parent_id, a.topic_id), a.territory_id, a.organization_id, count(*), "
        "count(a.answered_at), count(*) FILTER (WHERE a.answered_at <= a.due_at OR a.due_at IS NULL), "
        "count(*) FILTER (WHERE a.status IN ('moderation','assigned','in_work','info_requested') "
        "AND a.due_at < now()), count(*) FILTER (WHERE a.escalation_level > 0), "
        "count(*) FILTER (WHERE a.routed_automatically), count(*) FILTER (WHERE a.policy_id = 3), "
        "count(*) FILTER (WHERE a.rating = 1), count(*) FILTER (WHERE a.rating = 2), "
        "count(*) FILTER (WHERE a.rating = 3), count(*) FILTER (WHERE a.rating = 4), "
        "count(*) FILTER (WHERE a.rating = 5) FROM appeals_appeal a "
        "LEFT JOIN routing_topic t ON t.id = a.topic_id WHERE {w} GROUP BY 1, 2, 3, 4"
    ),
    "territory_map": "SELECT a.territory_id, count(*) FROM appeals_appeal a WHERE {w} GROUP BY 1",
    "bot": (
        "SELECT count(*), count(*) FILTER (WHERE decision = 'answered'), "
        "count(*) FILTER (WHERE became_appeal) FROM kb_query WHERE region_id = %s "
        "AND created_at >= %s AND created_at < %s"
    ),
}


def _measure(ctx, user, filters, repeat: int) -> dict:
    from otklik.analytics import selectors as s
    from otklik.analytics.ranking import organization_ranking

    region = ctx.region
    start, end = s.period_bounds(filters)
    params = [region.pk, start, end]

    def qs():
        return s.appeals(user=user, region=region, filters=filters)

    quarter_year, quarter = filters.end.year, (filters.end.month - 1) // 3 + 1
    selectors = {
        "total": lambda: qs().count(),
        "by_channel": lambda: s.by_channel(qs()),
        "by_topic": lambda: s.by_topic(qs()),
        "by_territory": lambda: s.by_territory(qs()),
        "by_organization": lambda: s.by_organization(qs()),
        "response_times": lambda: s.response_times(qs()),
        "overdue_now": lambda: s.response_times(qs())["overdue_now"],
        "satisfaction": lambda: s.satisfaction(qs()),
        "pos_kpis": lambda: s.pos_kpis(qs(), region),
        "territory_map": lambda: s.territory_map(qs(), region),
        "bot": lambda: s.bot(region, filters),
        "dashboard_figures": lambda: s.dashboard_figures(qs(), region),
        "quarter_comparison": lambda: s.quarter_comparison(
            user=user, region=region, year=quarter_year, quarter=quarter
        ),
        "executor_ranking": lambda: organization_ranking(qs()),
    }
    out = {}
    for name, fn in selectors.items():
        selector_ms, _ = _ms(fn, repeat)
        if name == "quarter_comparison":
            q_start = date(quarter_year, 3 * quarter - 2, 1)
            q_end = date(quarter_year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
            b_start, b_end = q_start.replace(year=q_start.year - 1), q_end.replace(year=q_end.year - 1)
            tz = ZoneInfo(region.timezone)
            ps = [datetime.combine(d, dtime.min, tz) for d in (q_start, q_end, b_start, b_end)]
            sql = (
                "SELECT 'now', coalesce(t.parent_id, a.topic_id), count(*) FROM appeals_appeal a "
                "LEFT JOIN routing_topic t ON t.id = a.topic_id WHERE a.region_id = %s "
                "AND a.registered_at >= %s AND a.registered_at < %s GROUP BY 1, 2 UNION ALL "
                "SELECT 'base', coalesce(t.parent_id, a.topic_id), count(*) FROM appeals_appeal a "
                "LEFT JOIN routing_topic t ON t.id = a.topic_id WHERE a.region_id = %s "
                "AND a.registered_at >= %s AND a.registered_at < %s GROUP BY 1, 2"
            )
            raw = _raw(sql, [region.pk, ps[0], ps[1], region.pk, ps[2], ps[3]])
        elif name == "dashboard_figures":
            grouped, times = (
                _raw(RAW[name].format(w=WHERE), params),
                _raw(RAW["response_times"].format(w=WHERE), params),
            )

            def raw(grouped=grouped, times=times):
                return grouped(), times()
        else:
            raw = _raw(RAW[name].format(w=WHERE), params)
        raw_ms, _ = _ms(raw, repeat)
        out[name] = {
            "selector_ms": selector_ms,
            "raw_sql_ms": raw_ms,
            "under_1s": selector_ms < LIMIT_MS,
        }
    return out


def _existing_ctx():
    from otklik.accounts.models import User
    from otklik.core.demo import DemoContext
    from otklik.orgs.selectors import region_default

    ctx = DemoContext(rng=random.Random(7), stdout=StringIO(), region=region_default())
    ctx.users["analyst"] = User.objects.get(username="analyst")
    return ctx


def _load(args) -> dict:
    from django.db import connection

    report: dict = {}
    started = time.perf_counter()
    _prepare(args.reset)
    ctx = _seed_region()
    report["setup_s"] = round(time.perf_counter() - started, 1)

    started = time.perf_counter()
    report["rows_synthetic"] = _copy(_synthetic_rows(ctx, args.n, args.days))
    report["load_synthetic_s"] = round(time.perf_counter() - started, 1)
    if not args.no_spb:
        if not args.spb.exists():
            sys.exit(f"Нет файла {args.spb}: укажите --spb или --no-spb.")
        started = time.perf_counter()
        rows, shift = _spb_rows(ctx, args.spb, args.spb_shift_years)
        report["rows_spb"] = _copy(rows)
        report["spb_shift_years"] = shift
        report["load_spb_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE appeals_appeal")
        cur.execute(
            "SELECT count(*), pg_size_pretty(pg_total_relation_size('appeals_appeal')) FROM appeals_appeal"
        )
        report["rows_total"], report["table_size"] = cur.fetchone()
    report["vacuum_analyze_s"] = round(time.perf_counter() - started, 1)
    report["load_s"] = round(
        report["load_synthetic_s"] + report.get("load_spb_s", 0) + report["vacuum_analyze_s"], 1
    )

    report["ctx"] = ctx
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="synthetic appeals (default 1,000,000)")
    parser.add_argument("--days", type=int, default=730, help="spread them over the last DAYS days")
    parser.add_argument("--spb", type=Path, default=SPB_DEFAULT, help="appeals_spb/appeals.csv")
    parser.add_argument("--no-spb", action="store_true", help="do not load the SPb appeals")
    parser.add_argument("--spb-shift-years", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per query (median)")
    parser.add_argument("--reset", action="store_true", help="drop and recreate the schema first")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    parser.add_argument(
        "--measure-only", action="store_true", help="time the queries on the data an earlier run loaded"
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit(
            "Укажите DATABASE_URL=postgres://… пустой базы: бенчмарк аналитики меряет PostgreSQL "
            "(COPY, percentile_cont); как поднять свой сервер — см. .ci/run."
        )
    _setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from otklik.analytics import selectors as s

    report: dict = {"n_synthetic": args.n, "days": args.days}
    if args.measure_only:
        ctx = _existing_ctx()
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM appeals_appeal")
            report = {"rows_total": cur.fetchone()[0], "measure_only": True}
    else:
        report.update(_load(args))
        ctx = report.pop("ctx")
    from django.utils import timezone

    user = ctx.users["analyst"]
    today = timezone.localdate()
    periods = {
        "default_365d": s.Filters(today - timedelta(days=364), today),
        f"year_{today.year - 1}": s.Filters(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
    }
    report["queries"] = {}
    for label, filters in periods.items():
        report["queries"][label] = {
            "appeals_in_period": s.appeals(user=user, region=ctx.region, filters=filters).count(),
            **_measure(ctx, user, filters, args.repeat),
        }

    setup_test_environment()
    client = Client()
    client.force_login(user)
    report["view"] = {}
    urls = {
        "default_365d": "/staff/analytics/",
        f"year_{today.year - 1}": f"/staff/analytics/?from={today.year - 1}-01-01&to={today.year - 1}-12-31",
        "executors_365d": "/staff/analytics/executors/",
    }
    for label, url in urls.items():
        status = []

        def get(url=url, status=status):
            response = client.get(url)
            status.append(response.status_code)

        try:
            view_ms, _ = _ms(get, args.repeat)
        except Exception as exc:  # report the failure beside the figures already measured
            report["view"][label] = {"error": repr(exc)}
            continue
        report["view"][label] = {"view_ms": view_ms, "status": status[-1], "under_1s": view_ms < LIMIT_MS}
    text = json.dumps(report, ensure_ascii=False, indent=2, default=str)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
