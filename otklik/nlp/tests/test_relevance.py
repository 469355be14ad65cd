"""Phrase lists matched on lemmas: what makes a post about education, a complaint, a danger."""

import ast
from pathlib import Path

import pytest

from otklik.nlp import relevance
from otklik.nlp.relevance import COMPLAINT_CUES, DEFAULT_KEYWORDS, URGENT_CUES, PhraseMatcher, text_lemmas


@pytest.mark.parametrize(
    "text, hits",
    [
        ("В детском саду №5 кормят ерундой, питание ужасное", ["детский сад", "питание"]),
        ("Сдали ЕГЭ и огэ, учителя молодцы", ["учитель", "ЕГЭ", "ОГЭ"]),
        ("Школьный автобус опять не пришёл, подвоза нет", ["подвоз", "школьный автобус"]),
        ("В ШКОЛЕ ЁЛКА", ["школа"]),
        ("Продам гараж, сад и огород", []),  # «сад» alone is not «детский сад»
        ("Автобус в детский лагерь", []),  # the words of «школьный автобус», but not together
        ("", []),
    ],
)
def test_default_keywords(text, hits):
    assert PhraseMatcher(DEFAULT_KEYWORDS).hits(text) == hits


def test_complaint_and_danger_cues():
    text = "Безобразие! Дети отравились в столовой, никто не реагирует, вызывали скорую помощь"
    words = text_lemmas(text)
    assert PhraseMatcher(COMPLAINT_CUES).hits(words) == ["безобразие", "не реагировать"]
    assert PhraseMatcher(URGENT_CUES).hits(words) == ["отравиться", "скорая помощь"]


def test_a_phrase_at_the_end_of_a_long_post_is_found():
    text = "Длинный пост про погоду. " * 800 + "А в конце — про буллинг в школе."
    assert len(text) > 20000
    assert PhraseMatcher(["буллинг", "школа"]).hits(text) == ["буллинг", "школа"]


def test_phrases_without_meaningful_words_are_ignored():
    assert [p for p, _ in PhraseMatcher(["!!!", "и", "школа"]).phrases] == ["школа"]


def test_the_module_imports_nothing_of_django_or_otklik_apps():
    tree = ast.parse(Path(relevance.__file__).read_text(encoding="utf-8"))
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert {
        name
        for name in imported
        if name.startswith("django") or not name.startswith(("otklik.nlp", "__", "collections"))
    } == set()
