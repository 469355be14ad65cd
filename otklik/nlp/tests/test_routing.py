"""Executor routing (topic × territory) on a made-up region with hand-written appeals."""

import pickle
import random

import pytest

from otklik.nlp.routing import NOWHERE, REGION, ExecutorRouter, executor_territory, gazetteer_from_executors

MIN_REGION = "Министерство образования Лесогорской области"
TRANSPORT = "Министерство транспорта Лесогорской области"
CITY = "Управление образования города Лесогорска"
DISTRICT = "Администрация Верхнереченского района"
TOWN = "Администрация города Камышин"

# (text, category, executor): school food and kindergartens go to the municipal body of the place;
# exams and teachers' pay go to the regional ministry wherever they happen; buses to the transport ministry.
HISTORY = [
    ("В Лесогорске в школе №5 не кормят горячим обедом", "питание", CITY),
    ("Школьная столовая в Лесогорске закрыта, дети голодные", "питание", CITY),
    ("В городе Лесогорске нет мест в детском саду", "детсад", CITY),
    ("Очередь в детский сад не двигается, Лесогорск", "детсад", CITY),
    ("Верхнереченский район, село Дубки: в школе не дают обед", "питание", DISTRICT),
    ("В Верхнереченском районе закрыли детский сад в селе", "детсад", DISTRICT),
    ("с. Ключи Верхнереченского района, столовая школы без поваров", "питание", DISTRICT),
    ("В Камышине в школе холодные обеды", "питание", TOWN),
    ("Камышин: детский сад на ремонте второй год", "детсад", TOWN),
    ("Апелляция по ЕГЭ: баллы снизили без объяснения", "экзамены", MIN_REGION),
    ("Результаты ОГЭ по математике пересмотрели, прошу проверить", "экзамены", MIN_REGION),
    ("Учителям не доплачивают за классное руководство", "зарплата", MIN_REGION),
    ("Задерживают зарплату учителям школы", "зарплата", MIN_REGION),
    ("Междугородний автобус до райцентра отменили", "транспорт", TRANSPORT),
    ("Пригородный автобус ходит раз в день, дети опаздывают", "транспорт", TRANSPORT),
]


def _router(**params) -> ExecutorRouter:
    texts, cats, execs = zip(*HISTORY, strict=True)
    return ExecutorRouter(**params).fit(list(texts), list(execs), categories=list(cats))


@pytest.fixture(scope="module")
def router():
    return _router()


def test_executor_names_say_which_territory_they_serve():
    assert executor_territory(DISTRICT).code == "Верхнереченский район"
    assert executor_territory(CITY).code == "город Лесогорск"
    assert executor_territory(TOWN).code == "город Камышин"
    assert (
        executor_territory("Администрация Заречного округа города Лесогорска").code
        == "Заречный округ (Лесогорск)"
    )
    assert executor_territory(MIN_REGION) == REGION
    assert executor_territory("ООО «УК Уют»") == NOWHERE


def test_gazetteer_is_learned_from_executor_names():
    gazetteer, served = gazetteer_from_executors([CITY, DISTRICT, MIN_REGION, CITY])
    assert gazetteer == {
        "город Лесогорск": ["город Лесогорск", "Лесогорск"],
        "Верхнереченский район": ["Верхнереченский район"],
    }
    assert served == {CITY: "город Лесогорск", DISTRICT: "Верхнереченский район", MIN_REGION: REGION}


def test_place_named_in_the_text_routes_to_its_municipal_body(router):
    assert router.predict("В Камышине в школьной столовой нет обедов").label == TOWN
    assert router.predict("Верхнереченский р-н: нет обедов в школе").label == DISTRICT


def test_territory_backs_off_to_its_body_for_a_topic_never_seen_there(router):
    # Kindergartens were never reported from this village before, but the district's body serves it.
    prediction = router.predict("Деревня Ключи Верхнереченского района: закрыли детский сад")
    assert prediction.label == DISTRICT


def test_topic_of_the_region_goes_to_the_ministry_wherever_it_happens(router):
    assert router.predict("В Камышине учителям задерживают зарплату").label == MIN_REGION
    assert router.predict("Баллы ЕГЭ снизили на апелляции").label == MIN_REGION


def test_prediction_carries_confidence_and_alternatives(router):
    prediction = router.predict("В Лесогорске не кормят детей в школе")
    assert prediction.label == CITY
    assert 0 < prediction.confidence <= 1
    assert [p for _, p in prediction.top] == sorted((p for _, p in prediction.top), reverse=True)


def test_structure_alone_routes_without_the_direct_model():
    router = _router(direct_weight=0.0)
    assert router.direct_model is None
    assert router.predict("Камышин, в школе холодный обед").label == TOWN
    assert router.predict("Пересмотрите результаты ОГЭ").label == MIN_REGION


def test_known_territory_column_is_used_when_given():
    texts, cats, execs = zip(*HISTORY, strict=True)
    places = ["north" if e == DISTRICT else "south" for e in execs]
    router = ExecutorRouter(direct_weight=0.0).fit(
        list(texts), list(execs), categories=list(cats), territories=places
    )
    assert router.predict("В школе не кормят обедом", territory="north").label == DISTRICT


def test_territory_of_reports_the_place(router):
    found = router.territory_of("Живу в Камышине")
    assert found is not None and found.code == "город Камышин"


def test_mismatched_inputs_are_refused():
    with pytest.raises(ValueError):
        ExecutorRouter().fit(["текст"], [CITY, TOWN])
    with pytest.raises(ValueError):
        ExecutorRouter().fit(["текст"], [CITY], categories=["a", "b"])


def test_router_survives_pickling(router):
    again = pickle.loads(pickle.dumps(router))
    text = "В Лесогорске закрыли детский сад"
    assert again.predict(text) == router.predict(text)


def test_unknown_territory_backs_off_to_the_topic_executors():
    texts, cats, execs = zip(*HISTORY, strict=True)
    places = ["north" if e == DISTRICT else "south" for e in execs]
    router = ExecutorRouter(direct_weight=0.0).fit(
        list(texts), list(execs), categories=list(cats), territories=places
    )
    assert router.predict("Пересмотрите баллы ЕГЭ", territory="east").label == MIN_REGION


def test_topic_columns_of_a_training_file_for_routing(tmp_path):
    from otklik.nlp.classify_eval import topic_columns

    # category: coarse topic; topic: finer; executor_copy: the label again; id: a value per row.
    rows = ["id,text,category,topic,executor,executor_copy"] + [
        f'{i},"{text}",{cat},{cat}-{i % 2},{executor},{executor}'
        for i, (text, cat, executor) in enumerate(HISTORY * 2)
    ]
    path = tmp_path / "train.csv"
    path.write_text("\n".join(rows), encoding="utf-8")
    assert topic_columns(path, "text", "executor") == ("topic", "category")
    bare = ["id,text,executor,executor_copy"] + [
        f'{i},"{text}",{executor},{executor}' for i, (text, _, executor) in enumerate(HISTORY * 2)
    ]
    path.write_text("\n".join(bare), encoding="utf-8")
    assert topic_columns(path, "text", "executor") == (None, None)  # no topic, and a copy of the label
    assert topic_columns(tmp_path / "missing.csv", "text", "executor") == (None, None)


# Potholes in Лесогорск went to the city administration until a roads committee took them over.
ADMIN = "Администрация города Лесогорска"
ROADS = "Комитет дорожного хозяйства города Лесогорска"
POTHOLES = [
    "Яма на дороге по улице {} в Лесогорске",
    "Разбит асфальт на улице {}, Лесогорск",
    "Провал дорожного покрытия у дома {} в Лесогорске",
    "Глубокая яма на проезжей части, Лесогорск, улица {}",
]
SCHOOL = "В Лесогорске в школе №{} не кормят горячим обедом"
STREETS = ["Садовой", "Лесной", "Мира", "Заречной", "Полевой", "Школьной", "Луговой"]


def _changing_practice(n: int = 160):
    """(text, executor, registration number): potholes to the administration in the first half of
    the history, to the roads committee in the second; school food to the city's education body."""
    rows = []
    for i in range(n):
        # Nothing in a text tells the halves apart: the same streets and schools all along.
        if i % 4 == 3:
            rows.append((SCHOOL.format(i % 9 + 1), CITY, i))
        else:
            rows.append((POTHOLES[i % 3].format(STREETS[i % 7]), ADMIN if i < n // 2 else ROADS, i))
    return rows


def _fit(rows, **params) -> ExecutorRouter:
    texts, execs, times = zip(*rows, strict=True)
    return ExecutorRouter(**params).fit(list(texts), list(execs), times=list(times))


def test_the_router_follows_the_practice_of_the_time():
    rows = _changing_practice()
    router = _fit(rows)
    assert router.follows_practice
    pothole = "Яма на дороге по улице Садовой в Лесогорске"
    assert router.predict(pothole, at=200).label == ROADS  # a new appeal: today's practice
    assert router.predict(pothole, at=10).label == ADMIN  # an old one, as it was routed then
    assert router.predict(SCHOOL.format(4), at=200).label == CITY  # other topics keep their executor
    # Without the time the two halves of the history are a coin toss.
    plain = router.predict(pothole)
    assert {e for e, _ in plain.top[:2]} == {ADMIN, ROADS}
    # Registration times may be dates.
    from datetime import datetime, timedelta

    start = datetime(2025, 1, 1)
    dated = _fit([(t, e, (start + timedelta(days=i)).isoformat()) for t, e, i in rows])
    assert dated.follows_practice and dated.predict(pothole, at=start + timedelta(days=400)).label == ROADS


def test_a_history_without_a_change_of_practice_is_not_shifted():
    rows = _changing_practice()
    # The same appeals in an order where executors do not follow each other in time.
    order = random.Random(1).sample(range(len(rows)), len(rows))
    shuffled = [(rows[i][0], rows[i][1], n) for n, i in enumerate(order)]
    assert not _fit(shuffled).follows_practice
    # Times that are not times (or missing altogether) are ignored, not an error.
    assert not _fit([(t, e, "вчера") for t, e, _ in rows]).follows_practice
    assert not _fit([(t, e, "") for t, e, _ in rows]).follows_practice
    with pytest.raises(ValueError):
        ExecutorRouter().fit(["а", "б"], [CITY, ADMIN], times=[1])
