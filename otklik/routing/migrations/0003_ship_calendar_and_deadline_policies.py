"""Ship the production calendar for the current years and the three legal deadline policies."""

import csv
from datetime import date
from pathlib import Path

from django.db import migrations

CALENDAR = Path(__file__).resolve().parent.parent.parent / "lib" / "data" / "production_calendar_ru.csv"

POLICIES = [
    {
        "code": "fz59",
        "name": "Обращение по 59-ФЗ",
        "answer_amount": 30,
        "answer_unit": "calendar_days",
        "registration_working_days": 3,
        "redirect_days": 7,
        "extension_days": 30,
        "max_extensions": 1,
        "remind_before_hours": 72,
        "description": "Федеральный закон от 02.05.2006 № 59-ФЗ: регистрация в течение 3 дней, ответ в течение "
        "30 дней, однократное продление не более чем на 30 дней с уведомлением заявителя, переадресация "
        "не по компетенции в течение 7 дней.",
    },
    {
        "code": "pos",
        "name": "Сообщение (как в ПОС)",
        "answer_amount": 10,
        "answer_unit": "working_days",
        "registration_working_days": 1,
        "redirect_days": 7,
        "extension_days": 0,
        "max_extensions": 0,
        "remind_before_hours": 24,
        "description": "Сообщение через платформу обратной связи: ответ в течение 10 рабочих дней.",
    },
    {
        "code": "fast_track",
        "name": "Фаст-трек (срочная тема)",
        "answer_amount": 24,
        "answer_unit": "hours",
        "registration_working_days": 1,
        "redirect_days": 1,
        "extension_days": 0,
        "max_extensions": 0,
        "remind_before_hours": 4,
        "description": "Темы, отмеченные срочными (угроза жизни, здоровью, безопасности детей): ответ в течение 24 часов.",
    },
]


def forwards(apps, schema_editor):
    Day = apps.get_model("routing", "ProductionCalendarDay")
    Policy = apps.get_model("routing", "DeadlinePolicy")
    with open(CALENDAR, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            Day.objects.update_or_create(
                date=date.fromisoformat(row["date"]), defaults={"kind": row["kind"], "note": row["note"][:300]}
            )
    for policy in POLICIES:
        Policy.objects.update_or_create(code=policy["code"], defaults=policy)


def backwards(apps, schema_editor):
    apps.get_model("routing", "DeadlinePolicy").objects.filter(code__in=[p["code"] for p in POLICIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("routing", "0002_calendar_policies_rules")]
    operations = [migrations.RunPython(forwards, backwards)]
