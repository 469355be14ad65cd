"""Territory extraction on a made-up region: Лесогорск, its district, a riverside town and okrugs."""

import pickle

import pytest

from otklik.nlp.toponyms import ToponymMatcher, generic_kind

GAZETTEER = {
    "lesogorsk": ["город Лесогорск", "Лесогорск"],
    "lesogorsk_district": ["Лесогорский район"],
    "verkhnerechensk": ["город Верхнереченск"],
    "verkhnerechensk_district": ["Верхнереченский район"],
    "kamyshin_district": ["Камышинский район"],
    "soviet_district": ["Советский район"],
    "central_okrug": ["Центральный округ"],
}


@pytest.fixture(scope="module")
def matcher():
    return ToponymMatcher(GAZETTEER)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("В Лесогорске в школе №3 не работает столовая", "lesogorsk"),
        ("г. Лесогорск, ул. Садовая, детский сад «Ромашка»", "lesogorsk"),
        ("Пишу из города Верхнереченска о подвозе детей", "verkhnerechensk"),
        ("деревня Ключи Лесогорского района, нет автобуса до школы", "lesogorsk_district"),
        ("Лесогорский р-н, с. Дубки: учителя не получают доплаты", "lesogorsk_district"),
        ("в Верхнереченском районе закрывают сельскую школу", "verkhnerechensk_district"),
        ("Камышинский район, с. Озёрное, протекает крыша школы", "kamyshin_district"),
        ("В Советском районе нет мест в детских садах", "soviet_district"),
    ],
)
def test_each_form_of_a_place_finds_its_territory(matcher, text, code):
    found = matcher.find(text)
    assert found is not None
    assert found.code == code
    assert 0 < found.confidence <= 1


def test_district_centre_named_alone_is_the_district_when_no_town_of_that_name():
    matcher = ToponymMatcher({"kamyshin_district": ["Камышинский район"], "lesogorsk": ["город Лесогорск"]})
    found = matcher.find("В Камышине второй месяц нет учителя математики")
    assert found is not None and found.code == "kamyshin_district"


def test_region_adjective_is_not_the_town(matcher):
    assert matcher.find("Министерство образования Лесогорской области не отвечает") is None


def test_ordinary_adjectives_need_a_generic_word(matcher):
    assert matcher.find("Советская власть построила эту школу, центральное отопление не работает") is None


def test_streets_named_after_places_are_not_the_places(matcher):
    assert matcher.find("Школа на ул. Лесогорской, 5 закрыта на ремонт") is None
    assert matcher.find("Детский сад на Верхнереченской улице") is None


def test_a_place_before_a_comma_and_a_street_is_the_place():
    matcher = ToponymMatcher(
        {"ozerny": ["Озёрный муниципальный район", "пос. Озёрный"], "klyuchi": ["с. Ключедольское"]}
    )
    assert matcher.find("пос. Озёрный, ул. Гагарина: холодно в школе").code == "ozerny"
    assert matcher.find("с. Ключедольское, ул. Садовая — нет учителя физики").code == "klyuchi"
    # without the comma it is a street
    assert matcher.find("школа на Озёрной улице") is None


def test_a_generic_word_beyond_a_comma_describes_something_else(matcher):
    # «района» after the comma is not the kind of «Лесогорск»: the town is meant, not the district
    found = matcher.find("г. Лесогорск, района новостроек школа не хватает")
    assert found.code == "lesogorsk"
    assert found.surface == "г лесогорск"


def test_words_that_merely_start_like_a_place_do_not_match(matcher):
    assert matcher.find("Курсы повышения квалификации для учителей лесоводства") is None


def test_okrug_of_a_city_wins_over_the_city_on_equal_evidence(matcher):
    found = matcher.find_all("Администрация Центрального округа города Лесогорска не ремонтирует школу")
    assert [m.code for m in found][:2] == ["central_okrug", "lesogorsk"]


def test_text_without_places_gives_none(matcher):
    assert matcher.find("Прошу разобраться с питанием в школьной столовой") is None
    assert matcher.find("") is None
    assert matcher.find_all(None) == []


def test_two_places_share_the_confidence(matcher):
    found = matcher.find_all("Живём в Лесогорске, а ребёнок учится в Верхнереченске")
    assert {m.code for m in found} == {"lesogorsk", "verkhnerechensk"}
    assert all(m.confidence < 0.7 for m in found)


def test_generic_words_know_their_kind():
    assert generic_kind("района") == "district"
    assert generic_kind("р-н") == "district"
    assert generic_kind("г.") == "city"
    assert generic_kind("области") == "region"
    assert generic_kind("школа") is None


def test_matcher_survives_pickling(matcher):
    again = pickle.loads(pickle.dumps(matcher))
    assert again.find("в Лесогорске").code == "lesogorsk"
