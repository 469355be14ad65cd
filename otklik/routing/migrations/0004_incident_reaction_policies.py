"""Working hours as a deadline unit, and the two reaction terms of social-media incidents."""

from django.db import migrations, models

POLICIES = [
    {
        "code": "incident",
        "name": "Инцидент в соцсетях",
        "answer_amount": 8,
        "answer_unit": "working_hours",
        "registration_working_days": 1,
        "redirect_days": 1,
        "extension_days": 0,
        "max_extensions": 0,
        "remind_before_hours": 2,
        "description": "Публикация в социальной сети, требующая реакции органа образования: публичный ответ "
        "в течение 8 рабочих часов (9:00–18:00 рабочих дней по производственному календарю).",
    },
    {
        "code": "incident_urgent",
        "name": "Срочный инцидент в соцсетях",
        "answer_amount": 2,
        "answer_unit": "hours",
        "registration_working_days": 1,
        "redirect_days": 1,
        "extension_days": 0,
        "max_extensions": 0,
        "remind_before_hours": 1,
        "description": "Срочная публикация (угроза жизни и здоровью детей, резонанс): публичный ответ в течение "
        "2 часов в любое время.",
    },
]


def forwards(apps, schema_editor):
    Policy = apps.get_model("routing", "DeadlinePolicy")
    for policy in POLICIES:
        Policy.objects.update_or_create(code=policy["code"], defaults=policy)


def backwards(apps, schema_editor):
    apps.get_model("routing", "DeadlinePolicy").objects.filter(code__in=[p["code"] for p in POLICIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("routing", "0003_ship_calendar_and_deadline_policies")]

    operations = [
        migrations.AlterField(
            model_name="deadlinepolicy",
            name="answer_unit",
            field=models.CharField(
                choices=[
                    ("calendar_days", "календарные дни"),
                    ("working_days", "рабочие дни"),
                    ("hours", "часы"),
                    ("working_hours", "рабочие часы (9:00–18:00 рабочих дней)"),
                ],
                max_length=20,
                verbose_name="единица срока ответа",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
