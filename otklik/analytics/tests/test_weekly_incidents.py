"""The weekly report carries the week's incident figures: in its files and in the e-mail itself."""

import io
from datetime import date

import time_machine
from django.core import mail
from openpyxl import load_workbook

from otklik.analytics.reports import weekly_report, weekly_report_xlsx
from otklik.analytics.tasks import weekly_report_send
from otklik.testing import INCIDENT_WEEK_NOW, make_week_of_incidents

EXPECTED = {
    "Инцидентов в соцсетях найдено": 4,
    "Инцидентов с опубликованным ответом": 2,
    "Медиана времени реакции на инцидент, ч": 13.0,
    "Инцидентов просрочено сейчас": 2,
}


def test_the_weekly_report_counts_the_weeks_incidents(region):
    with time_machine.travel(INCIDENT_WEEK_NOW, tick=False):
        make_week_of_incidents(region)
        report = weekly_report(user=None, region=region.region, week_end=date(2026, 3, 8))
        earlier = weekly_report(user=None, region=region.region, week_end=date(2026, 3, 1))
    assert (report.incidents["total"], report.incidents["in_time"], report.incidents["judged"]) == (4, 1, 3)
    assert (earlier.incidents["total"], earlier.incidents["answered"]) == (0, 0)
    rows = {
        r[0]: r[1]
        for r in load_workbook(io.BytesIO(weekly_report_xlsx(report)))["Сводка"].iter_rows(values_only=True)
    }
    assert {key: rows[key] for key in EXPECTED} == EXPECTED
    assert rows["Реакций на инциденты в срок"] == 1 / 3
    assert rows["Обращений за неделю"] == 0  # the appeals' lines stay first and unchanged


def test_the_weekly_email_states_the_incident_figures(region):
    region.analyst.email = "analyst@example.ru"
    region.analyst.save()
    with time_machine.travel(INCIDENT_WEEK_NOW, tick=False):
        make_week_of_incidents(region)
        assert weekly_report_send.call(region.region.pk) == 1
    body = mail.outbox[0].body
    assert "Инциденты в социальных сетях за неделю:\n" in body
    for line in (
        "Инцидентов в соцсетях найдено: 4",
        "Инцидентов с опубликованным ответом: 2",
        "Медиана времени реакции на инцидент, ч: 13",
        "Реакций на инциденты в срок: 33,3%",
        "Инцидентов просрочено сейчас: 2",
    ):
        assert line in body.splitlines()


def test_an_empty_week_reads_as_dashes_not_zero_shares(region):
    region.analyst.email = "analyst@example.ru"
    region.analyst.save()
    with time_machine.travel(INCIDENT_WEEK_NOW, tick=False):
        weekly_report_send.call(region.region.pk)
    lines = mail.outbox[0].body.splitlines()
    assert "Медиана времени реакции на инцидент, ч: —" in lines
    assert "Реакций на инциденты в срок: —" in lines
