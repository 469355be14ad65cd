"""Short public-reply templates of topics for social-media incidents; defaults for the seeded sections.

The defaults are the section templates of the demo classifier (`routing/demo/topics.yaml`). They are
written only into a section whose code *and* name match the seeded one and whose template is empty:
another region's classifier may use the same codes for other things.
"""

from pathlib import Path

import yaml
from django.db import migrations, models

import otklik.routing.replies

TOPICS = Path(__file__).resolve().parent.parent / "demo" / "topics.yaml"


def fill_defaults(apps, schema_editor):
    Topic = apps.get_model("routing", "Topic")
    sections = yaml.safe_load(TOPICS.read_text(encoding="utf-8"))["topics"]
    for section in sections:
        if section.get("reply_template"):
            Topic.objects.filter(
                code=section["code"], name=section["name"], parent__isnull=True, reply_template=""
            ).update(reply_template=section["reply_template"])


class Migration(migrations.Migration):
    dependencies = [
        ("routing", "0004_incident_reaction_policies"),
    ]

    operations = [
        migrations.AddField(
            model_name="topic",
            name="reply_template",
            field=models.TextField(
                blank=True,
                help_text="Короткий комментарий под публикацией: без номера обращения и персональных данных. "
                "Подстановки: {organization}, {topic}, {link} (где подать официальное обращение). "
                "Пустой — берётся шаблон раздела.",
                validators=[otklik.routing.replies.validate_reply_template],
                verbose_name="шаблон публичного ответа в соцсетях",
            ),
        ),
        migrations.RunPython(fill_defaults, migrations.RunPython.noop),
    ]
