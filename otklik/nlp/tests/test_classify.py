"""Topic classifier on small hand-written education appeals (no real data, no network)."""

import pickle

import pytest

from otklik.nlp.classify import Prediction, TopicClassifier

HISTORY = [
    ("В школе №5 не кормят детей горячим обедом, столовая закрыта", "питание", "Школьное питание"),
    ("Дети жалуются на холодную и невкусную еду в школьной столовой", "питание", "Школьное питание"),
    ("Почему в меню школьного буфета одни булки, нет супа", "питание", "Школьное питание"),
    ("Просим проверить качество продуктов в столовой лицея", "питание", "Школьное питание"),
    ("Сына не берут в первый класс по месту прописки", "прием", "Зачисление в школу"),
    ("Отказали в зачислении в первый класс, хотя мы живём рядом со школой", "прием", "Зачисление в школу"),
    ("Как записать ребёнка в первый класс, если мест нет", "прием", "Зачисление в школу"),
    ("Электронная очередь в детский сад не двигается третий год", "детсад", "Очередь в детский сад"),
    ("Нам не дают место в детском саду, очередь стоит", "детсад", "Очередь в детский сад"),
    ("Когда ребёнку дадут путёвку в садик, ждём с рождения", "детсад", "Очередь в детский сад"),
    ("Школьный автобус не приходит в деревню, дети идут пешком", "подвоз", "Подвоз учащихся"),
    ("Отменили подвоз школьников из села, автобус сломан", "подвоз", "Подвоз учащихся"),
]


def _fit(**params) -> TopicClassifier:
    texts = [t for t, _, _ in HISTORY]
    labels = [
        "Питание и приём" if lab in ("питание", "прием") else "Дошкольное и подвоз" for _, lab, _ in HISTORY
    ]
    fine = [lab for _, lab, _ in HISTORY]
    return TopicClassifier(**params).fit(texts, labels, fine_labels=fine)


@pytest.fixture(scope="module")
def topic_model():
    return TopicClassifier().fit([t for t, _, _ in HISTORY], [lab for _, lab, _ in HISTORY])


def test_new_appeal_gets_the_topic_of_similar_history(topic_model):
    prediction = topic_model.predict("В столовой школы детей кормят холодной кашей")
    assert isinstance(prediction, Prediction)
    assert prediction.label == "питание"
    assert prediction.top[0] == (prediction.label, prediction.confidence)
    assert len(prediction.top) == 3


def test_probabilities_of_the_top_are_ordered_and_bounded(topic_model):
    prediction = topic_model.predict("Не могу записать ребёнка в детский сад, очередь")
    probs = [p for _, p in prediction.top]
    assert probs == sorted(probs, reverse=True)
    assert all(0 <= p <= 1 for p in probs)
    assert prediction.label == "детсад"


def test_clear_appeal_is_more_confident_than_a_vague_one(topic_model):
    clear = topic_model.predict("Школьный автобус не ходит, подвоз детей из деревни отменили")
    vague = topic_model.predict("Прошу разобраться, ничего не делается")
    assert clear.label == "подвоз"
    assert clear.confidence > vague.confidence


def test_empty_text_gets_no_label(topic_model):
    assert topic_model.predict("") == Prediction(None, 0.0, [])
    assert topic_model.predict("   !!! ").label is None


def test_predict_many_matches_predict(topic_model):
    texts = ["Нет супа в школьном буфете", "Автобус до школы не приходит"]
    assert [p.label for p in topic_model.predict_many(texts)] == [topic_model.predict(t).label for t in texts]
    assert topic_model.predict_many([]) == []


def test_fine_labels_vote_for_their_category():
    model = _fit()
    assert model.predict("Холодный обед в школьной столовой").label == "Питание и приём"
    assert model.predict("Автобус за школьниками в село не приезжает").label == "Дошкольное и подвоз"


def test_cold_start_classifies_from_names_and_descriptions_alone():
    model = TopicClassifier.from_descriptions(
        {
            "food": "Школьное питание. Столовая, горячие обеды, меню, буфет, качество еды",
            "transport": "Подвоз учащихся. Школьный автобус, маршрут, подвоз детей из сёл",
            "kindergarten": "Детские сады. Очередь в детский сад, путёвка, место в садике",
        }
    )
    assert model.predict("В буфете нет горячих обедов").label == "food"
    assert model.predict("Когда дадут путёвку в детский сад?").label == "kindergarten"
    assert model.predict("Школьный автобус сломался").label == "transport"


def test_history_is_learned_on_top_of_descriptions():
    model = TopicClassifier.from_descriptions(
        {"food": "Школьное питание", "transport": "Подвоз учащихся"},
        history=[("Дети голодные, еду не привозят в школу", "food")] * 3
        + [("Дети добираются до школы пешком по трассе", "transport")] * 3,
    )
    assert model.predict("Еду в школу не привозят второй день").label == "food"
    assert model.predict("Пешком по трассе до школы ходят дети").label == "transport"


def test_a_single_label_is_always_predicted():
    model = TopicClassifier().fit(["Нет учителя физики", "Нет учителя химии"], ["кадры", "кадры"])
    prediction = model.predict("Нет учителя биологии")
    assert prediction.label == "кадры"
    assert prediction.confidence == 1.0


def test_integer_labels_come_back_as_plain_ints():
    model = TopicClassifier().fit([t for t, _, _ in HISTORY], [len(lab) for _, lab, _ in HISTORY])
    assert type(model.predict("Холодный обед в столовой").label) is int


def test_mismatched_inputs_are_refused():
    with pytest.raises(ValueError):
        TopicClassifier().fit(["один текст"], ["a", "b"])
    with pytest.raises(ValueError):
        TopicClassifier().fit([], [])


def test_model_survives_pickling(topic_model):
    again = pickle.loads(pickle.dumps(topic_model))
    text = "Сына не взяли в первый класс"
    assert again.predict(text) == topic_model.predict(text)


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_eval_csv_errors_are_explained_in_russian(tmp_path):
    from otklik.nlp.classify_eval import ClassifyEvalError, load_csv

    with pytest.raises(ClassifyEvalError, match="не найден"):
        load_csv(tmp_path / "nope.csv", "text", "topic")
    with pytest.raises(ClassifyEvalError, match="пуст"):
        load_csv(_write(tmp_path / "empty.csv", ""), "text", "topic")
    with pytest.raises(ClassifyEvalError, match="нет столбца «topic»"):
        load_csv(_write(tmp_path / "cols.csv", "text,label\nобед,питание\n"), "text", "topic")
    with pytest.raises(ClassifyEvalError, match="нет строк"):
        load_csv(_write(tmp_path / "blank.csv", "text,topic\nобед,\n"), "text", "topic")


def test_eval_reports_figures_and_skips_rows_without_label(tmp_path):
    from otklik.nlp.classify_eval import evaluate, load_csv

    lines = ["text,topic"] + [f'"{t}",{lab}' for t, lab, _ in HISTORY] + ['"Без темы",']
    rows = load_csv(_write(tmp_path / "h.csv", "\n".join(lines)), "text", "topic")
    assert len(rows) == len(HISTORY)
    result = evaluate(rows, rows, mode="topic")
    assert result["mode"] == "topic"
    assert result["n"] == len(HISTORY)
    assert result["accuracy"] == 1.0
    assert set(result) >= {"accuracy", "macro_f1", "train_s", "p99_ms"}


def test_a_column_refining_the_label_is_found_for_training(tmp_path):
    from otklik.nlp.classify_eval import finer_column

    group = {"питание": "Питание и приём", "прием": "Питание и приём"}
    lines = ["id,text,category,topic,name,school"]
    for i, (text, lab, name) in enumerate(HISTORY * 3):
        school = f"Школа {i % 2}"  # does not refine the category
        lines.append(f'{i},"{text}",{group.get(lab, "Дошкольное и подвоз")},{lab},"{name}",{school}')
    path = _write(tmp_path / "train.csv", "\n".join(lines))
    # "topic" and "name" both refine the category equally purely; the coarser (here: equal) wins by
    # order; "id" has a value per row, "school" mixes categories, the text is not a label.
    assert finer_column(path, "text", "category") in {"topic", "name"}
    assert finer_column(path, "text", "topic") is None  # nothing refines the finest label
    lines[1] = lines[1].replace(",питание,", ",,")  # a missing value or two are tolerated
    assert finer_column(_write(tmp_path / "t2.csv", "\n".join(lines)), "text", "category") in {
        "topic",
        "name",
    }
