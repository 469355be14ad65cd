from otklik.nlp.normalize import lemmas, normalize, split_questions, tokens
from otklik.nlp.pii import mask_personal_data


def test_case_yo_and_punctuation_are_folded():
    assert normalize("  Ёлки-палки!!! Как ЗАПИСАТЬ ребёнка?? ") == "елки-палки как записать ребенка"


def test_greetings_and_politeness_carry_no_meaning():
    assert lemmas("Здравствуйте! Подскажите, пожалуйста, как записать ребёнка в школу?") == [
        "записать",
        "ребенок",
        "школа",
    ]


def test_wrong_keyboard_layout_is_read_as_russian():
    assert normalize("rfr pfgbcfnm ht,tyrf d irjke") == "как записать ребенка в школу"


def test_transliteration_is_read_as_russian():
    assert lemmas("ochered v detskiy sad")[-2:] == ["детский", "сад"]


def test_latin_brand_names_inside_russian_text_stay():
    assert "rutube" in normalize("Почему RUTUBE блокирует видео")


def test_tokens_drop_punctuation():
    assert tokens("ОГЭ, ЕГЭ и т.д.!") == ["огэ", "егэ", "и", "т", "д"]


def test_empty_and_huge_inputs():
    assert normalize("") == ""
    assert lemmas("   ") == []
    assert len(normalize("а" * 100_000)) <= 5000


def test_two_questions_in_one_message_are_split():
    parts = split_questions("Когда начинается запись в первый класс? И какие документы нужны для садика?")
    assert len(parts) == 2


def test_personal_data_is_masked():
    text = (
        "Звоните +7 (912) 345-67-89 или 8 912 345 67 89, пишите ivan@mail.ru, паспорт 45 10 123456, школа № 5"
    )
    masked = mask_personal_data(text)
    assert "345" not in masked and "ivan" not in masked and "123456" not in masked
    assert masked.count("[телефон]") == 2
    assert "школа № 5" in masked
