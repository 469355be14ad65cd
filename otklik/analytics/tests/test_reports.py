import io
from datetime import date

from django.core import mail
from openpyxl import load_workbook

from otklik.analytics.reports import weekly_report, weekly_report_pdf, weekly_report_xlsx
from otklik.analytics.tasks import TASK_PATH, ensure_scheduled, weekly_report_send
from otklik.analytics.tests.test_dashboard import data  # noqa: F401 - fixture


def test_weekly_report_figures_and_files(data):  # noqa: F811
    report = weekly_report(user=None, region=data.region, week_end=date(2026, 3, 8))
    assert (report.total, report.last_week, report.last_year) == (3, 0, 1)
    sheet = load_workbook(io.BytesIO(weekly_report_xlsx(report)))["Сводка"]
    assert sheet["A2"].value == "Обращений за неделю" and sheet["B2"].value == 3
    pdf = weekly_report_pdf(report)
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000


def test_report_is_mailed_to_analysts_and_the_next_one_scheduled(data):  # noqa: F811
    from django_tasks_db.models import DBTaskResult

    data.analyst.email = "analyst@example.ru"
    data.analyst.save()
    assert ensure_scheduled() == 1 and ensure_scheduled() == 0
    assert weekly_report_send.call(data.region.pk) == 1
    assert mail.outbox[0].to == ["analyst@example.ru"]
    assert {name.rsplit(".", 1)[1] for name, *_ in mail.outbox[0].attachments} == {"xlsx", "pdf"}
    # the next report was already waiting (scheduled above): one chain per region, not two
    assert DBTaskResult.objects.filter(task_path=TASK_PATH, status="READY").count() == 1


def test_report_downloads(client, data):  # noqa: F811
    client.force_login(data.analyst)
    assert client.get("/staff/analytics/report/weekly.xlsx", {"week": "2026-03-08"}).status_code == 200
    assert client.get("/staff/analytics/report/weekly.pdf", {"week": "bad"}).status_code == 200
    assert client.get("/staff/analytics/report/weekly.xlsx", {"week": "2026-13-45"}).status_code == 200
    assert client.get("/staff/analytics/report/weekly.doc").status_code == 404
    client.force_login(data.executor_a)
    assert client.get("/staff/analytics/report/weekly.xlsx").status_code == 403


def test_staff_unsubscribe_from_the_weekly_report_and_executors_cannot_touch_it(client, data):  # noqa: F811
    data.analyst.email = "analyst@example.ru"
    data.analyst.save()
    client.force_login(data.analyst)
    page = client.get("/staff/analytics/").content.decode()
    assert "Отписаться от отчёта по понедельникам" in page
    client.post("/staff/analytics/report/weekly/subscription/", {"subscribe": "0"})
    data.analyst.refresh_from_db()
    assert data.analyst.weekly_report is False
    assert weekly_report_send.call(data.region.pk) == 0 and mail.outbox == []
    client.post("/staff/analytics/report/weekly/subscription/", {"subscribe": "1"})
    assert weekly_report_send.call(data.region.pk) == 1 and mail.outbox[0].to == ["analyst@example.ru"]
    assert client.get("/staff/analytics/report/weekly/subscription/").status_code == 405
    client.force_login(data.executor_a)
    assert client.post("/staff/analytics/report/weekly/subscription/", {"subscribe": "0"}).status_code == 403
    data.executor_a.refresh_from_db()
    assert data.executor_a.weekly_report is True
