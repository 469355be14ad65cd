"""The ministry's dashboard: every figure filterable, every table downloadable as CSV or XLSX."""

import csv
import io
from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from otklik.accounts.selectors import organizations_in_scope, user_roles
from otklik.analytics import ranking
from otklik.analytics import selectors as s
from otklik.analytics.kpis import kpi_rows, pos_reach
from otklik.analytics.planning import forecast_daily, roster, upcoming_peaks, weekly
from otklik.incidents.selectors import incident_figures
from otklik.lib.params import parse_day, parse_id
from otklik.lib.spreadsheet import XLSX_TYPE, csv_cell, xlsx_append
from otklik.orgs.current import holds_role_in, request_region
from otklik.orgs.models import Territory
from otklik.routing.models import Topic
from otklik.surveys.selectors import satisfaction_figures

MAX_SPAN_DAYS = 3 * 366
PAIN_ROLES = {"admin", "coordinator", "analyst"}


def _filters(request) -> tuple[s.Filters, list[str]]:
    problems = []
    today = timezone.localdate()
    start = parse_day(request.GET["from"]) if request.GET.get("from") else today - timedelta(days=364)
    end = parse_day(request.GET["to"]) if request.GET.get("to") else today
    if start is None or end is None:
        problems.append("Даты периода — в формате ГГГГ-ММ-ДД; показан последний год.")
        start, end = today - timedelta(days=364), today
    if start > end:
        problems.append("Начало периода позже конца; даты поменяны местами.")
        start, end = end, start
    if (end - start).days > MAX_SPAN_DAYS:
        problems.append("Период длиннее трёх лет сокращён до трёх лет.")
        start = end - timedelta(days=MAX_SPAN_DAYS)

    def ident(name):
        return parse_id(request.GET.get(name))

    return s.Filters(start, end, ident("territory"), ident("topic"), ident("organization")), problems


def _table_rows(name: str, data: dict) -> tuple[list[str], list[list]]:
    if name in {"channel", "topic", "territory", "organization"}:
        rows = data[name]
        return ["Значение", "Обращений", "Доля"], [[r["label"], r["n"], r["share"]] for r in rows]
    if name == "quarters":
        return [
            "Категория",
            data["quarter_base_label"],
            data["quarter_label"],
            "Изменение",
            "Изменение, %",
        ], [
            [r["label"], r["before"], r["after"], r["change"], r["change_pct"]]
            for r in [*data["quarters"], data["quarter_total"]]
        ]
    if name == "ranking":
        return list(ranking.COLUMNS.values()), [ranking.table_cells(r) for r in data["ranking"]]
    if name == "kpi":
        return ["Группа", "Показатель", "Значение", "Пояснение", "Определение"], [
            [r["group"], r["label"], "—" if r["value"] is None else r["value"], r["detail"], r["definition"]]
            for r in data["kpi_rows"]
        ]
    if name == "map":
        return ["Территория", "Обращений", "На 1000 обучающихся"], [
            [r["territory"].name, r["n"], r["per_1000"]] for r in data["map"]
        ]
    raise Http404("Нет такой таблицы")


def _export(name: str, data: dict, fmt: str) -> HttpResponse:
    header, rows = _table_rows(name, data)
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        for row in [header, *rows]:
            xlsx_append(sheet, row)
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows([csv_cell(v) for v in row] for row in rows)
        response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="otklik-{name}.{fmt}"'
    return response


def _last_quarters(current: tuple[int, int], n: int) -> list[tuple[int, int]]:
    year, quarter = current
    out = []
    for _ in range(n):
        out.append((year, quarter))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return out


def _quarter_param(value: str | None, max_year: int) -> tuple[int, int] | None:
    """'2026-3' → (2026, 3); anything else (or a year after `max_year`) → None."""
    try:
        year, quarter = (int(part) for part in (value or "").split("-"))
    except ValueError:
        return None
    return (year, quarter) if 1 <= quarter <= 4 and 2000 <= year <= max_year else None


def _region_for(request, roles: set[str]):
    """The region of the analytics pages, for a user holding one of `roles` there (403 otherwise)."""
    region = request_region(request)
    if not holds_role_in(user=request.user, region=region, roles=roles):
        raise PermissionDenied
    return region


def attachment(body: bytes | str, fmt: str, filename: str) -> HttpResponse:
    """A downloadable report file: pdf, xlsx or csv."""
    ctype = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}.get(fmt, XLSX_TYPE)
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _refusal(message: str, status: int = 400) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@login_required
def dashboard(request):
    region = _region_for(request, s.ANALYTICS_ROLES)
    filters, problems = _filters(request)
    qs = s.appeals(user=request.user, region=region, filters=filters)
    last_year = s.appeals(user=request.user, region=region, filters=filters.shifted_year()).count()
    figures = s.dashboard_figures(qs, region)
    total = figures["total"]
    kpi = {**figures["kpi"], **pos_reach(user=request.user, region=region, filters=filters)}
    data = {
        **figures,
        "kpi": kpi,
        "kpi_rows": kpi_rows(kpi),
        "last_year": last_year,
        "change": total - last_year,
        "organization": figures["organization"][:30],
        "bot": s.bot(region, filters),
        "hand_routed": s.hand_routed_by_month(qs, region),
    }
    today = date.today()
    current = (today.year, (today.month - 1) // 3 + 1)
    choices = _last_quarters(current, 12)
    chosen = _quarter_param(request.GET.get("qa"), today.year) or current
    base = _quarter_param(request.GET.get("qb"), today.year) or (chosen[0] - 1, chosen[1])
    consultative = request.GET.get("qc") == "1"
    data["quarters"] = s.quarter_comparison(
        user=request.user,
        region=region,
        year=chosen[0],
        quarter=chosen[1],
        base_year=base[0],
        base_quarter=base[1],
        consultative=consultative,
    )
    data["quarter_total"] = s.quarter_total(data["quarters"])
    data["quarter_headline"] = s.quarter_headline(data["quarter_total"], consultative=consultative)
    data["qc"] = consultative
    data["quarter_label"] = f"{chosen[1]} кв. {chosen[0]}"
    data["quarter_base_label"] = f"{base[1]} кв. {base[0]}"
    export = request.GET.get("export")
    if export:
        return _export(export, data, "xlsx" if request.GET.get("format") == "xlsx" else "csv")
    since, until = s.period_bounds(filters)
    return render(
        request,
        "analytics/dashboard.html",
        {
            **data,
            "filters": filters,
            "problems": problems,
            "query": request.GET.urlencode(),
            **_filter_choices(request, region),
            "weekly_subscribed": request.user.weekly_report,
            "quarter_choices": [(f"{y}-{q}", f"{q} кв. {y}") for y, q in choices],
            "base_choices": [
                (f"{y}-{q}", f"{q} кв. {y}") for y, q in (choices if base in choices else [*choices, base])
            ],
            "qa": f"{chosen[0]}-{chosen[1]}",
            "qb": f"{base[0]}-{base[1]}",
            "incidents": incident_figures(
                user=request.user,
                region=region,
                since=since,
                until=until,
                territory_id=filters.territory_id,
                topic_id=filters.topic_id,
                organization_id=filters.organization_id,
            ),
            # A survey has no topic: only the territory and organization filters apply to it.
            "satisfaction_surveys": satisfaction_figures(
                user=request.user,
                since=since,
                until=until,
                territory_id=filters.territory_id,
                organization_id=filters.organization_id,
            ),
        },
    )


def _filter_choices(request, region) -> dict:
    """The options of the period/territory/topic/organization filter form."""
    return {
        "territories": Territory.objects.filter(region=region).order_by("name"),
        "topics": Topic.objects.filter(region=region, parent__isnull=True).order_by("code"),
        "organizations": organizations_in_scope(user=request.user)
        .exclude(kind__in=["school", "kindergarten"])
        .order_by("path")[:200],
    }


@login_required
def executor_ranking(request):
    """«Рейтинг исполнителей» under the dashboard's filters; ?sort=<column> or -<column>;
    ?export=ranking (&format=xlsx) downloads it."""
    region = _region_for(request, s.ANALYTICS_ROLES)
    filters, problems = _filters(request)
    sort, descending, known = ranking.parse_sort(request.GET.get("sort"))
    if not known:
        problems.append("Такого столбца для сортировки нет; показан порядок по месту в рейтинге.")
    rows = ranking.organization_ranking(
        s.appeals(user=request.user, region=region, filters=filters), sort=sort, descending=descending
    )
    if request.GET.get("export"):
        return _export("ranking", {"ranking": rows}, "xlsx" if request.GET.get("format") == "xlsx" else "csv")
    keep = request.GET.copy()
    for name in ("sort", "export", "format"):
        keep.pop(name, None)
    columns = [
        {
            "key": key,
            "label": label,
            "arrow": ("↓" if descending else "↑") if key == sort else "",
            # A click on the sorted column reverses it; on another column sorts by it ascending.
            "next": f"-{key}" if key == sort and not descending else key,
        }
        for key, label in ranking.COLUMNS.items()
    ]
    return render(
        request,
        "analytics/ranking.html",
        {
            "rows": [{**r, "cells": ranking.table_cells(r)} for r in rows],
            "columns": columns,
            "sort": request.GET.get("sort", "") if known else "",
            "filters": filters,
            "problems": problems,
            "base_query": keep.urlencode(),
            "query": request.GET.urlencode(),
            "min_appeals": ranking.MIN_APPEALS,
            **_filter_choices(request, region),
        },
    )


@login_required
def planning(request):
    """Forecast for the next 8 weeks and the hotline roster for the busiest forecast day."""
    region = _region_for(request, PAIN_ROLES)

    def number(name, default, low, high):
        try:
            return min(max(float(request.GET.get(name) or default), low), high)
        except ValueError:
            return default

    aht = number("aht", 300, 30, 3600)
    cost = number("cost", 450, 0, 100000)
    target = number("sl", 80, 50, 99) / 100
    wait = number("wait", 20, 5, 600)
    total = forecast_daily(s.daily_counts(region=region))
    calls = forecast_daily(s.daily_counts(region=region, channel="hotline"))
    shares = s.hour_shares(region=region, channel="hotline")
    peak_day, peak_calls = max(calls.days, key=lambda d: d[1]) if calls.days else (None, 0)
    plan = roster(
        {h: peak_calls * share for h, share in shares.items()},
        aht,
        target_sl=target,
        target_s=wait,
        hourly_cost=cost,
    )
    return render(
        request,
        "analytics/planning.html",
        {
            "total": total,
            "weeks": weekly(total.days),
            "peaks": upcoming_peaks(timezone.localdate()),
            "calls": calls,
            "peak_day": peak_day,
            "peak_calls": peak_calls,
            "plan": plan,
            "aht": int(aht),
            "cost": cost,
            "sl": int(target * 100),
            "wait": int(wait),
        },
    )


def _pain_access(request):
    return _region_for(request, PAIN_ROLES)


@login_required
def pains(request):
    """«Карта болей»: problems ranked by priority, with measures, owners, deadlines and effect."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from otklik.accounts.models import User
    from otklik.analytics.models import PainPoint
    from otklik.analytics.services import painmap_rebuild, painpoint_effect, painpoint_update

    region = _pain_access(request)
    if request.method == "POST":
        if request.POST.get("action") == "rebuild":
            n = painmap_rebuild(region=region)
            messages.success(request, f"Карта болей пересчитана: проблем — {n}.")
            return redirect("analytics:pains")

        def ident(name: str) -> int:
            return parse_id(request.POST.get(name)) or 0

        point = PainPoint.objects.filter(region=region, pk=ident("point")).first()
        status = request.POST.get("status", "")
        deadline = parse_day(request.POST.get("deadline"))
        owner = User.objects.filter(pk=ident("owner"), memberships__organization__region=region).first()
        if point is None or status not in PainPoint.Status.values:
            messages.error(request, "Выберите проблему и статус из списка.")
        elif request.POST.get("deadline") and deadline is None:
            messages.error(request, "Срок — дата в формате ГГГГ-ММ-ДД.")
        else:
            painpoint_update(
                point=point,
                status=status,
                measures=request.POST.get("measures", ""),
                owner=owner,
                deadline=deadline,
            )
            messages.success(request, "Сохранено.")
        return redirect("analytics:pains")
    points = list(PainPoint.objects.filter(region=region).select_related("owner", "topic")[:50])
    for point in points:
        point.effect = painpoint_effect(point=point)
    return render(
        request,
        "analytics/pains.html",
        {
            "points": points,
            "statuses": PainPoint.Status.choices,
            "staff": User.objects.filter(memberships__organization__region=region)
            .distinct()
            .order_by("last_name"),
        },
    )


@login_required
@require_POST
def weekly_subscription(request):
    """Subscribe to or unsubscribe from the Monday e-mail with the weekly report."""
    from django.contrib import messages
    from django.shortcuts import redirect

    _pain_access(request)
    subscribe = request.POST.get("subscribe") == "1"
    request.user.weekly_report = subscribe
    request.user.save(update_fields=["weekly_report"])
    if subscribe and not request.user.email:
        messages.warning(
            request, "Подписка включена, но в профиле нет адреса электронной почты — отчёт некуда отправить."
        )
    else:
        messages.success(
            request,
            "Еженедельный отчёт будет приходить по понедельникам."
            if subscribe
            else "Вы отписались от еженедельного отчёта.",
        )
    return redirect("analytics:dashboard")


@login_required
def weekly_report_file(request, fmt: str):
    """The weekly report on demand, for the week ending on ?week=YYYY-MM-DD (yesterday by default)."""
    from otklik.analytics.reports import (
        ReportFontMissing,
        weekly_report,
        weekly_report_pdf,
        weekly_report_xlsx,
    )

    region = _pain_access(request)
    week_end = parse_day(request.GET.get("week")) or timezone.localdate() - timedelta(days=1)
    report = weekly_report(user=request.user, region=region, week_end=week_end)
    if fmt not in {"xlsx", "pdf"}:
        raise Http404("Неизвестный формат")
    try:
        body = weekly_report_xlsx(report) if fmt == "xlsx" else weekly_report_pdf(report)
    except ReportFontMissing as exc:
        return _refusal(str(exc), status=503)
    return attachment(body, fmt, f"otchet-{week_end:%Y-%m-%d}")


@login_required
def halfyear(request):
    """Clause 4.5 metrics for ?year=&half= against the half-year before; ?format=xlsx downloads them."""
    from otklik.analytics.reports import tables_xlsx
    from otklik.analytics.summaries import PeriodError, half_year, half_year_analysis

    region = _region_for(request, s.ANALYTICS_ROLES)
    wants_file = request.GET.get("format") == "xlsx"
    context = {"this_year": timezone.localdate().year}
    try:
        period = half_year(request.GET.get("year"), request.GET.get("half"))
    except PeriodError as exc:
        if wants_file:
            return _refusal(str(exc))
        return render(request, "analytics/halfyear.html", {**context, "error": str(exc)}, status=400)
    tables = half_year_analysis(user=request.user, region=region, period=period)
    if wants_file:
        title = f"Анализ обращений и жалоб (п. 4.5): {region.name}, {period.label}"
        return attachment(tables_xlsx(title, tables), "xlsx", f"analiz-{period.year}-{period.half}")
    return render(
        request,
        "analytics/halfyear.html",
        {
            **context,
            "period": period,
            "previous": period.previous(),
            "tables": tables,
            "scoped": not (
                request.user.is_superuser or PAIN_ROLES & set(map(str, user_roles(user=request.user)))
            ),
        },
    )


@login_required
def public_report(request):
    """The anonymised summary of ?from=&to= for publication; ?format=pdf|xlsx downloads it."""
    from otklik.analytics.reports import ReportFontMissing, tables_pdf, tables_xlsx
    from otklik.analytics.summaries import ANONYMISATION_NOTE, public_summary

    region = _region_for(request, PAIN_ROLES)
    filters, problems = _filters(request)
    fmt = request.GET.get("format") or ""
    if fmt and fmt not in {"pdf", "xlsx"}:
        return _refusal("Формат отчёта — pdf или xlsx.")
    if fmt and problems:
        return _refusal(" ".join(problems))
    tables = public_summary(region=region, filters=filters)
    title = f"Обобщённые данные об обращениях: {region.name}, {filters.start:%d.%m.%Y}–{filters.end:%d.%m.%Y}"
    if fmt:
        render_file = tables_pdf if fmt == "pdf" else tables_xlsx
        try:
            body = render_file(title, tables, ANONYMISATION_NOTE)
        except ReportFontMissing as exc:
            return _refusal(str(exc), status=503)
        return attachment(body, fmt, f"obezlichennyi-otchet-{filters.start:%Y-%m-%d}-{filters.end:%Y-%m-%d}")
    return render(
        request,
        "analytics/public.html",
        {
            "tables": tables,
            "title": title,
            "filters": filters,
            "problems": problems,
            "note": ANONYMISATION_NOTE,
        },
    )
