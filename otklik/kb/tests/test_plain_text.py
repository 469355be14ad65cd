import pytest

from otklik.kb.templatetags.kb_markdown import plain_text


@pytest.mark.parametrize(
    ("markdown", "plain"),
    [
        ("Запись — на [Госуслугах](https://gosuslugi.ru).", "Запись — на Госуслугах (https://gosuslugi.ru)."),
        ("[https://edu.ru](https://edu.ru)", "https://edu.ru"),
        ("**Важно:** срок — *до 30 июня*.", "Важно: срок — до 30 июня."),
        ("### Документы\n- паспорт\n- СНИЛС", "Документы\n\n- паспорт\n- СНИЛС"),
        ("Срок —\nдо 30 июня.", "Срок — до 30 июня."),
        ("2 * 3 = 6, а x*y*z — формула", "2 * 3 = 6, а x*y*z — формула"),
        ("", ""),
    ],
)
def test_markdown_becomes_plain_text(markdown, plain):
    assert plain_text(markdown) == plain
