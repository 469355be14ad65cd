"""Public-reply templates of topics: validation, filling, import/export, the seeded defaults, editing."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from otklik.routing.models import Topic
from otklik.routing.replies import reply_fill, validate_reply_template
from otklik.routing.topics_io import TopicImportError, topics_export_csv, topics_import, topics_parse

GOOD = "Здравствуйте! Это {organization}. По теме «{topic}» разбираемся; подробности: {link}"


def test_a_short_template_with_the_three_placeholders_is_valid():
    validate_reply_template(GOOD)
    validate_reply_template("")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Уважаемый(ая) {name}! Спасибо.", "Неизвестные подстановки: {name}"),
        ("Ответ по обращению {number} от {date}.", "{date}, {number}"),
        ("Ваше обращение № 15 рассмотрено.", "не официальное письмо"),
        ("Ответ на обращение номер 15.", "не официальное письмо"),
        ("Коротко. " * 200, "длиннее 1000 символов"),
    ],
)
def test_formal_or_personal_templates_are_refused_in_russian(text, message):
    with pytest.raises(ValidationError) as caught:
        validate_reply_template(text)
    assert message in " ".join(caught.value.messages)


def test_fill_replaces_only_the_known_placeholders():
    text = reply_fill(GOOD + " {other}", organization="Управление образования А", topic="Ремонт", link="L")
    assert (
        text
        == "Здравствуйте! Это Управление образования А. По теме «Ремонт» разбираемся; подробности: L {other}"
    )


def test_a_sub_topic_without_its_own_template_uses_its_sections(region):
    section = Topic.objects.get(code="12")
    section.reply_template = GOOD
    section.save()
    repairs = Topic.objects.get(code="12.02")
    assert repairs.reply_template_or_parent == GOOD
    repairs.reply_template = "Свой текст: {link}"
    assert repairs.reply_template_or_parent == "Свой текст: {link}"


def test_reply_templates_go_through_csv_and_yaml(personas):
    yaml_text = f'topics:\n  - {{code: "02", name: Общее образование, reply_template: "{GOOD}"}}\n'
    topics_import(region=personas.region, rows=topics_parse(content=yaml_text.encode(), filename="t.yaml"))
    assert Topic.objects.get(code="02").reply_template == GOOD
    exported = topics_export_csv(region=personas.region)
    assert exported.splitlines()[0].endswith(",answer_template,reply_template") and GOOD in exported
    Topic.objects.all().delete()
    topics_import(region=personas.region, rows=topics_parse(content=exported.encode(), filename="t.csv"))
    assert Topic.objects.get(code="02").reply_template == GOOD


def test_an_import_with_a_formal_reply_template_is_refused_whole(personas):
    yaml_text = (
        'topics:\n  - {code: "01", name: Сады}\n'
        '  - {code: "02", name: Школы, reply_template: "Уважаемый {name}, обращение № {number}"}\n'
    )
    with pytest.raises(TopicImportError) as caught:
        topics_import(
            region=personas.region, rows=topics_parse(content=yaml_text.encode(), filename="t.yaml")
        )
    assert any(p.startswith("Строка 2, шаблон публичного ответа:") for p in caught.value.problems)
    assert Topic.objects.count() == 0


def test_the_migration_fills_only_empty_seeded_sections(personas):
    migration = importlib.import_module("otklik.routing.migrations.0005_topic_reply_template")
    seeded = Topic.objects.create(region=personas.region, code="01", name="Дошкольное образование")
    same_code_other_name = Topic.objects.create(region=personas.region, code="02", name="Спорт")
    edited = Topic.objects.create(
        region=personas.region, code="04", name="Комплексная безопасность", reply_template="Свой: {link}"
    )
    sub = Topic.objects.create(region=personas.region, code="01.01", name="Очередь", parent=seeded)
    migration.fill_defaults(apps, None)
    for topic in (seeded, same_code_other_name, edited, sub):
        topic.refresh_from_db()
    assert seeded.reply_template.startswith("Здравствуйте! {organization} на связи.")
    validate_reply_template(seeded.reply_template)
    assert (same_code_other_name.reply_template, edited.reply_template, sub.reply_template) == (
        "",
        "Свой: {link}",
        "",
    )


def test_every_seeded_default_is_a_valid_public_reply():
    import yaml

    from otklik.routing.demo import DEMO

    sections = yaml.safe_load((DEMO / "topics.yaml").read_text(encoding="utf-8"))["topics"]
    templates = [s["reply_template"] for s in sections]
    assert len(templates) == 14
    for template in templates:
        validate_reply_template(template)
        assert "{organization}" in template and "{link}" in template


def test_coordinator_edits_a_template_on_the_topics_screen(login, region):
    topic = Topic.objects.get(code="12.02")
    client = login(region.coordinator)
    page = client.get("/staff/topics/").content.decode()
    assert f'action="/staff/topics/{topic.pk}/reply/"' in page
    response = client.post(f"/staff/topics/{topic.pk}/reply/", {"reply_template": f"  {GOOD}  "})
    assert response.status_code == 302 and response["Location"] == f"/staff/topics/#topic-{topic.pk}"
    topic.refresh_from_db()
    assert topic.reply_template == GOOD


def test_a_formal_template_is_refused_on_the_screen_and_nothing_changes(login, region):
    topic = Topic.objects.get(code="12.02")
    response = login(region.admin).post(
        f"/staff/topics/{topic.pk}/reply/", {"reply_template": "Ваше обращение № {number}"}, follow=True
    )
    assert "не официальное письмо" in response.content.decode()
    topic.refresh_from_db()
    assert topic.reply_template == ""


def test_a_long_post_is_never_cut_the_whole_text_is_checked(login, region):
    """The view used to cut the field at 5000 characters: padding before a template left blanks
    that saved as «no template», and a long one was judged on its first part only."""
    topic = Topic.objects.get(code="12.02")
    client = login(region.coordinator)
    client.post(f"/staff/topics/{topic.pk}/reply/", {"reply_template": " " * 5000 + GOOD})
    topic.refresh_from_db()
    assert topic.reply_template == GOOD
    response = client.post(f"/staff/topics/{topic.pk}/reply/", {"reply_template": "ш" * 6000}, follow=True)
    assert "Шаблон длиннее 1000 символов" in response.content.decode()
    topic.refresh_from_db()
    assert topic.reply_template == GOOD


@pytest.mark.parametrize("persona", ["executor_a", "analyst", "editor"])
def test_others_cannot_edit_templates(login, region, persona):
    topic = Topic.objects.get(code="12.02")
    client = login(getattr(region, persona))
    assert f"/staff/topics/{topic.pk}/reply/" not in client.get("/staff/topics/").content.decode()
    response = client.post(f"/staff/topics/{topic.pk}/reply/", {"reply_template": GOOD})
    assert response.status_code == 403
    topic.refresh_from_db()
    assert topic.reply_template == ""
