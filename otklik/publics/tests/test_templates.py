"""Post templates: known placeholders only, refused at save time in Russian."""

import pytest

from otklik.publics import services
from otklik.publics.models import PostTemplate
from otklik.publics.services import PublicsError


def test_a_template_with_known_placeholders_is_saved_and_filled(publics):
    template = services.template_save(
        organization=publics.ministry,
        name="Анонс",
        text="{организация} приглашает {дата}. Подробнее: {ссылка}",
    )
    assert PostTemplate.objects.get().text == "{организация} приглашает {дата}. Подробнее: {ссылка}"
    from datetime import UTC, datetime

    filled = services.fill(
        template.text,
        organization=publics.body_a,
        at=datetime(2026, 11, 2, 20, 0, tzinfo=UTC),
        link="https://x.ru/1",
    )
    # 20:00 UTC is the next day in Yekaterinburg
    assert filled == "Управление образования А приглашает 03.11.2026. Подробнее: https://x.ru/1"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "Анонс",
            "Уважаемый {ФИО}, {организация} и {номер}",
            "Неизвестная подстановка: {ФИО}, {номер}. Можно использовать: {организация}, {дата}, {ссылка}.",
        ),
        ("", "Текст", "Назовите шаблон."),
        ("Анонс", " ", "Текст шаблона: напишите текст."),
        ("я" * 201, "Текст", "Название шаблона — не длиннее 200 символов (сейчас 201)."),
    ],
)
def test_bad_templates_are_refused(publics, name, text, message):
    with pytest.raises(PublicsError) as refused:
        services.template_save(organization=publics.ministry, name=name, text=text)
    assert str(refused.value) == message
    assert not PostTemplate.objects.exists()


def test_a_changed_template_is_checked_again(publics):
    template = services.template_save(organization=publics.ministry, name="Анонс", text="{организация}")
    with pytest.raises(PublicsError, match=r"\{город\}"):
        services.template_save(organization=publics.ministry, template=template, name="Анонс", text="{город}")
    template.refresh_from_db()
    assert template.text == "{организация}"
