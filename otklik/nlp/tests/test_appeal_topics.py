from otklik.nlp.appeal_topics import TerritoryMatcher, TopicClassifier

TOPICS = {
    "queue": "Очередь в детский сад. Постановка на учёт, место в очереди; садик, детсад, очередь",
    "heating": "Температурный режим и отопление. Холодно в классах, нет отопления; холодно, батареи",
    "duplicate": "Дубликат аттестата. Получение дубликата при утрате; потерял аттестат, восстановить",
    "salary": "Заработная плата педагогов. Задержки, доплаты; зарплата учителя, задержка зарплаты",
}


def test_cold_start_from_topic_descriptions():
    clf = TopicClassifier.from_descriptions(TOPICS)
    assert clf.predict("В школе холодно, батареи еле тёплые, дети мёрзнут").label == "heating"
    assert clf.predict("Два года стоим в очереди в садик").label == "queue"
    assert clf.predict("Потеряла аттестат, нужен новый").label == "duplicate"
    prediction = clf.predict("Учителям третий месяц задерживают зарплату")
    assert prediction.label == "salary"
    assert 0 < prediction.confidence <= 1 and len(prediction.top) == 3


def test_history_outweighs_descriptions():
    history = [("в спортзале течёт крыша", "heating")] * 5
    clf = TopicClassifier.from_descriptions(TOPICS, history)
    assert clf.predict("течёт крыша в спортзале").label == "heating"


def test_empty_text_has_no_label():
    assert TopicClassifier.from_descriptions(TOPICS).predict("   ").label is None


def test_territory_named_in_any_form():
    matcher = TerritoryMatcher(
        {
            "T1": ["Лесогорский муниципальный округ", "Лесогорск"],
            "T2": ["Каменский муниципальный район", "Каменск"],
        }
    )
    assert matcher.find("в Лесогорске закрыли школу")[0] == "T1"
    assert matcher.find("школа Каменского района")[0] == "T2"
    assert matcher.find("жалоба на школу в деревне")[0] is None
