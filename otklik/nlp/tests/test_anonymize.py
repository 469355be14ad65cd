"""Anonymisation of realistic appeal texts, with the NER model and with patterns only."""

import pytest

from otklik.nlp import anonymize as module
from otklik.nlp.anonymize import anonymize

APPEAL = (
    "Я, Иванова Мария Петровна, проживаю по адресу: 454091, г. Челябинск, ул. Ленина, д. 5, кв. 12. "
    "Моего сына Иванова Петра, 12.03.2015 г.р., не взяли в школу № 5. Директор Петров И.С. не отвечает, "
    "учительница Анна Сергеевна сказала обращаться в управление. Телефон +7 (912) 345-67-89, "
    "e-mail maria.ivanova@mail.ru. СНИЛС 123-456-789 01, свидетельство о рождении IV-ИВ № 654321, "
    "полис ОМС 7456123456789012."
)
SECRETS = [
    "Иванова",
    "Мария",
    "Петровна",
    "Петра",
    "Петров",
    "И.С.",
    "Анна",
    "Сергеевна",
    "Ленина",
    "кв. 12",
    "454091",
    "12.03.2015",
    "345-67-89",
    "maria",
    "123-456-789",
    "654321",
    "7456123456789012",
]


def _broken():
    raise OSError("model files are missing")


@pytest.fixture(params=["model", "patterns"])
def mode(request, monkeypatch):
    """Run each test with the NER model and with the fallback (as if the model could not load)."""
    if request.param == "model":
        assert module.ner_available()
    else:
        monkeypatch.setattr(module, "NER_MODEL", module.LazyModel(_broken, logger=module.log, failure="test"))
        assert not module.ner_available()
    return request.param


def test_personal_data_of_a_real_appeal_is_masked(mode):
    masked = anonymize(APPEAL)
    for secret in SECRETS:
        assert secret not in masked, (mode, secret, masked)
    assert masked.startswith("Я, [ФИО], проживаю по адресу: [адрес]. Моего сына ")
    assert "[дата рождения]" in masked and "[телефон]" in masked and "[e-mail]" in masked
    assert "СНИЛС [документ]" in masked and "свидетельство о рождении [документ]" in masked
    assert "полис ОМС [документ]" in masked
    assert "не взяли в школу № 5. Директор [ФИО] не отвечает, учительница [ФИО] сказала" in masked


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Прошу наказать учителя Смирнову Ольгу Ивановну за грубость.",
            "Прошу наказать учителя [ФИО] за грубость.",
        ),
        ("Уважаемая Анна Сергеевна, помогите!", "Уважаемая [ФИО], помогите!"),
        ("Передайте И. С. Петрову мою жалобу.", "Передайте [ФИО] мою жалобу."),
        ("Завуч Кузнецова не отвечает на звонки.", "Завуч [ФИО] не отвечает на звонки."),
        (
            "Дата рождения: 1 марта 2015 года, паспорт 75 10 123456, ИНН 744512345678.",
            "Дата рождения: [дата рождения], паспорт [документ], ИНН [документ].",
        ),
        ("Живём в доме 7, кв. 45, звоните 89123456789.", "Живём в [адрес], звоните [телефон]."),
    ],
)
def test_names_in_different_cases_and_documents(mode, text, expected):
    assert anonymize(text) == expected


def test_places_organizations_and_appeal_numbers_are_not_damaged(mode):
    text = (
        "В МБОУ «СОШ № 5» имени А. С. Пушкина Копейского городского округа на улице Кирова "
        "в 2025-2026 учебном году не работает столовая, обращение TO-2026-000123 от 12.02.2026, "
        "детский сад № 112 г. Челябинска."
    )
    assert anonymize(text) == text


def test_empty_text():
    assert anonymize("") == ""
