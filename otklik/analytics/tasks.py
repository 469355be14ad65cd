"""The weekly report, generated every Monday morning and sent to the region's analysts."""

import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.utils import timezone

from otklik.analytics.reports import (
    ReportFontMissing,
    format_cell,
    weekly_report,
    weekly_report_pdf,
    weekly_report_xlsx,
)
from otklik.incidents.reports import summary_rows as incident_summary_rows
from otklik.lib import chains

log = logging.getLogger("otklik.analytics")
TASK_PATH = "otklik.analytics.tasks.weekly_report_send"


def next_monday_morning(region) -> datetime:
    tz = ZoneInfo(region.timezone)
    today = timezone.localdate(timezone.now(), timezone=tz)
    monday = today + timedelta(days=(7 - today.weekday()) % 7 or 7)
    return datetime.combine(monday, time(8, 0), tz)


def ensure_scheduled() -> int:
    """Schedule the next weekly report of every region that has none pending (called by the worker)."""
    from otklik.orgs.models import Region

    return sum(
        chains.arm(weekly_report_send, region.pk, run_after=next_monday_morning(region))
        for region in Region.objects.all()
    )


@task()
def weekly_report_send(region_id: int) -> int:
    """Mail last week's report (XLSX and PDF) to subscribed analysts, coordinators and administrators;
    schedule the next one."""
    from otklik.accounts.models import User
    from otklik.orgs.models import Region

    region = Region.objects.filter(pk=region_id).first()
    if region is None:
        return 0
    week_end = timezone.localdate(timezone.now(), timezone=ZoneInfo(region.timezone)) - timedelta(days=1)
    report = weekly_report(user=None, region=region, week_end=week_end)
    recipients = sorted(
        set(
            User.objects.filter(
                memberships__organization__region=region,
                memberships__role__in=["analyst", "coordinator", "admin"],
                is_active=True,
                weekly_report=True,
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    if recipients:
        incidents = "\n".join(
            f"{label}: {format_cell(value)}" for label, value in incident_summary_rows(report.incidents)
        )
        body = f"Отчёт за неделю во вложении.\n\nИнциденты в социальных сетях за неделю:\n{incidents}\n"
        message = EmailMessage(report.title, body, settings.DEFAULT_FROM_EMAIL, recipients)
        message.attach(
            f"otchet-{week_end:%Y-%m-%d}.xlsx",
            weekly_report_xlsx(report),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        try:
            message.attach(f"otchet-{week_end:%Y-%m-%d}.pdf", weekly_report_pdf(report), "application/pdf")
        except ReportFontMissing:
            log.warning("weekly report sent without PDF: no Cyrillic font on this machine")
        message.send()
    chains.arm(weekly_report_send, region.pk, run_after=next_monday_morning(region))
    return len(recipients)
