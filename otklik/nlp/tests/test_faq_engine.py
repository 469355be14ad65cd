"""Engine decisions on a small gold set written by us (education questions as citizens type them)."""

import numpy as np
import pytest

from otklik.nlp.faq import E5_FEATURES, Engine, EngineConfig, FaqArticle, _CommonDirections, _postings

ARTICLES = [
    FaqArticle(
        "first-grade",
        "Когда начинается приём заявлений в первый класс?",
        "Для детей с закреплённой территории и льготников — с 1 апреля по 30 июня, для остальных — с 6 июля.",
        ["когда запись в первый класс", "с какого числа записывают в 1 класс"],
    ),
    FaqArticle(
        "kindergarten-queue",
        "Как узнать место ребёнка в очереди в детский сад?",
        "Позицию в очереди показывает личный кабинет на Госуслугах в разделе заявлений.",
        ["где посмотреть очередь в садик", "какие мы по счету в очереди в детсад"],
    ),
    FaqArticle(
        "duplicate-certificate",
        "Как получить дубликат утерянного аттестата?",
        "Заявление подают в школу, выдавшую аттестат; дубликат выдают бесплатно.",
        ["потеряли аттестат что делать", "восстановить аттестат об образовании"],
    ),
    FaqArticle(
        "interview",
        "Что такое итоговое собеседование по русскому языку в 9 классе?",
        "Это устный экзамен, зачёт по нему — допуск к ОГЭ.",
        ["собеседование 9 класс допуск к огэ", "как сдать устное собеседование"],
    ),
    FaqArticle(
        "family-education",
        "Как перейти на семейное обучение?",
        "Родители уведомляют муниципальный орган управления образованием о выборе семейной формы.",
        ["перевести ребенка на семейное образование", "учиться дома на семейке"],
    ),
    FaqArticle(
        "school-meals",
        "Положено ли бесплатное горячее питание в начальной школе?",
        "Да, ученики 1–4 классов получают бесплатное горячее питание.",
        ["бесплатные обеды в начальных классах", "кормят ли бесплатно 1-4 класс"],
    ),
    FaqArticle(
        "transfer",
        "Как перевести ребёнка в другую школу?",
        "Получите согласие принимающей школы и подайте заявление об отчислении в порядке перевода.",
        ["перевод в другую школу посреди года", "сменить школу как"],
    ),
    FaqArticle(
        "teacher-leave",
        "Сколько дней отпуск у учителя?",
        "Педагоги общеобразовательных организаций имеют ежегодный отпуск 56 календарных дней.",
        ["отпуск педагога сколько", "56 дней отпуска учителям"],
    ),
]

QUESTIONS = [
    ("здравствуйте когда можно подать заявление в 1 класс", "first-grade"),
    ("с какой даты запись в первый клас", "first-grade"),
    ("как посмотреть очередь в детский сад", "kindergarten-queue"),
    ("какой номер в очереди в садик у нас", "kindergarten-queue"),
    ("потеряли аттестат за 11 класс как получить новый", "duplicate-certificate"),
    ("дубликат аттестата где взять", "duplicate-certificate"),
    ("итоговое собеседование что это", "interview"),
    ("семейное обучение как оформить", "family-education"),
    ("хотим учиться дома семейное образование", "family-education"),
    ("бесплатное питание в начальной школе положено?", "school-meals"),
    ("перевести ребенка в другую школу", "transfer"),
    ("какой отпуск у учителей", "teacher-leave"),
    ("Добрый день! Подскажите пожалуйста как перейти на семейное обучение", "family-education"),
    ("rfr gthtdtcnb ht,tyrf d lheue. irjke", "transfer"),
]
OFF_TOPIC = ["какая погода будет завтра в москве", "посоветуйте рецепт борща"]


@pytest.fixture(scope="module")
def lexical() -> Engine:
    return Engine.build(ARTICLES, vectors=False)


@pytest.mark.parametrize(("text", "gold"), QUESTIONS)
def test_right_article_ranks_first(lexical, text, gold):
    assert lexical.ask(text).candidates[0].article_id == gold


def test_most_questions_are_answered_or_offered(lexical):
    actions = [lexical.ask(text).action for text, _ in QUESTIONS]
    assert actions.count("abstain") <= 2


@pytest.mark.parametrize("text", OFF_TOPIC)
def test_off_topic_questions_are_not_answered(lexical, text):
    assert lexical.ask(text).action == "abstain"


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "?!", "я" * 100_000, "\x00\x01"])
def test_degenerate_input_abstains_without_error(lexical, text):
    decision = lexical.ask(text)
    assert decision.action in {"abstain", "choices"}
    assert 0.0 <= decision.confidence <= 1.0


def test_each_question_of_a_message_gets_its_own_decision(lexical):
    parts = lexical.ask_each("Добрый день! Когда запись в первый класс? И сколько дней отпуск у учителя?")
    assert [text for text, _ in parts] == ["Когда запись в первый класс", "Сколько дней отпуск у учителя"]
    assert [d.candidates[0].article_id for _, d in parts] == ["first-grade", "teacher-leave"]
    weather = lexical.ask_each("Как перевести ребёнка в другую школу? А какая погода будет завтра в Москве?")
    assert [d.action for _, d in weather][1] == "abstain"


@pytest.mark.parametrize(
    "text",
    [
        "Когда запись в первый класс?",  # one question
        "Здравствуйте! У меня вопрос. Когда начинается запись в первый класс, с какого числа?",  # a preamble
        "Можно ли перевести ребёнка в другую школу посреди года? Мы переехали в другой район города.",
    ],
)
def test_a_message_with_one_question_is_not_split(lexical, text):
    assert lexical.ask_each(text) == []


def test_paraphrase_loop_teaches_the_engine():
    engine = Engine.build(ARTICLES, vectors=False)
    question = "продленка есть в первом классе бесплатная"
    before = engine.ask(question)
    assert before.action != "answer" or before.candidates[0].article_id != "school-meals"
    meals = next(a for a in ARTICLES if a.id == "school-meals")
    engine.upsert(
        FaqArticle(
            meals.id,
            meals.question,
            meals.answer,
            [*meals.paraphrases, "бесплатная продленка с питанием в первом классе"],
        )
    )
    after = engine.ask(question)
    assert after.candidates[0].article_id == "school-meals"
    assert after.confidence > before.confidence


def test_remove_and_upsert_change_what_can_be_found():
    engine = Engine.build(ARTICLES, vectors=False)
    engine.remove("teacher-leave")
    assert len(engine) == len(ARTICLES) - 1
    assert all(c.article_id != "teacher-leave" for c in engine.ask("какой отпуск у учителей").candidates)
    engine.upsert(FaqArticle("new", "Где посмотреть расписание звонков?", "На сайте школы."))
    assert engine.ask("расписание звонков где").candidates[0].article_id == "new"


def test_empty_engine_abstains():
    assert Engine.build([], vectors=False).ask("как записать ребенка в школу").action == "abstain"


@pytest.mark.slow
def test_sentence_vectors_understand_other_words():
    engine = Engine.build(ARTICLES, vectors=True)
    decision = engine.ask("сколько отдыхают летом педагоги")
    assert decision.candidates[0].article_id == "teacher-leave"
    assert "e5_question" in decision.scores


@pytest.mark.parametrize(
    "text", ["как записать ребенка в 1 класс", "справка об обучении", "xyz", "ааа ааа ааа"]
)
def test_query_terms_weigh_like_the_fitted_vectorizers(lexical, text):
    # The fast query path must give the very weights sklearn's transform gives, and the postings
    # the same dot products as the full matrix product.
    lexical._stack()
    for vectorizer, terms_of, index in (
        (lexical._char, lexical._q_char, lexical._C),
        (lexical._answer, lexical._q_answer, lexical._A),
    ):
        expected = vectorizer.transform([text]).toarray().ravel()
        terms, weights = terms_of(text)
        got = np.zeros_like(expected)
        got[terms] = weights
        assert np.allclose(got, expected, atol=1e-6)
        assert np.allclose(_postings(index, terms, weights), index.T.toarray() @ expected, atol=1e-5)
    terms, weights = lexical._q_bm25(text)
    assert set(terms.tolist()) == set(lexical._bm25.cv.transform([text]).indices.tolist())
    assert (weights == 1).all()


def test_common_directions_leave_what_tells_texts_apart():
    # Every text shares one strong direction (the KB's domain) and differs in a weak one of its own.
    rng = np.random.default_rng(0)
    shared = rng.normal(size=64)
    own = rng.normal(size=(40, 64))
    passages = 5 * shared + own
    passages /= np.linalg.norm(passages, axis=1, keepdims=True)
    queries = passages + 0.005 * rng.normal(size=(40, 64))
    common = _CommonDirections.fit([passages[:25], passages[25:]], queries, k=2)
    cleaned = common.passages(passages)
    assert np.allclose(np.linalg.norm(cleaned, axis=1), 1.0, atol=1e-6)
    assert np.abs(cleaned @ common.directions.T).max() < 1e-6
    before = passages @ passages.T
    after = cleaned @ cleaned.T
    off_diagonal = ~np.eye(40, dtype=bool)
    assert before[off_diagonal].mean() > 0.9  # everything looks alike…
    assert abs(after[off_diagonal].mean()) < 0.1  # …until the shared part is gone
    # A query still finds its own passage first.
    assert (common.queries(queries) @ cleaned.T).argmax(axis=1).tolist() == list(range(40))


@pytest.mark.slow
def test_common_directions_only_from_enough_articles():
    small = Engine.build(ARTICLES, vectors=True)
    assert small._common is None  # a handful of articles: its top directions are its topics
    raw, _ = small.feature_matrix("сколько отдыхают летом педагоги")
    from otklik.nlp import vectors
    from otklik.nlp.normalize import strip_greeting

    q = vectors.query(strip_greeting("сколько отдыхают летом педагоги"))
    assert np.allclose(raw[:, small.features.index("e5_question")], small._EQ @ q, atol=1e-5)

    config = EngineConfig(common_min_articles=len(ARTICLES))
    engine = Engine.build(ARTICLES, config=config, vectors=True)
    # The cosines come back on the plain cosines' scale, so fusion and confidence keep their meaning.
    raw, _ = engine.feature_matrix("сколько отдыхают летом педагоги")
    assert engine._common is not None
    for name in E5_FEATURES:
        column = raw[:, engine.features.index(name)]
        assert config.view_center[name] - 0.2 < np.median(column) < config.view_center[name] + 0.2
    for text, gold in QUESTIONS:
        assert engine.ask(text).candidates[0].article_id == gold
    for text in OFF_TOPIC:
        assert engine.ask(text).action == "abstain"
    engine.upsert(FaqArticle("extra", "Как получить справку об обучении?", "В школе.", []))
    assert engine.ask("нужна справка что учусь").candidates[0].article_id == "extra"


TWIN = FaqArticle(
    "first-grade-twin",
    "С какого числа начинается приём заявлений в первый класс?",
    "Заявления в первый класс принимают с 1 апреля.",
)


def _twins(engine: Engine) -> dict[frozenset, float]:
    """Rival pairs the bot would answer alone with the other article."""
    return {
        frozenset((r.article_id, r.other_id)): r.confidence
        for r in engine.rivals(engine.config.answer_threshold)
    }


@pytest.mark.parametrize("use_vectors", [False, pytest.param(True, marks=pytest.mark.slow)])
def test_rivals_are_articles_that_answer_one_question(use_vectors):
    engine = Engine.build([*ARTICLES, TWIN], vectors=use_vectors)
    # The twin is reported once (not once per direction), and first.
    assert list(_twins(engine)) == [frozenset(("first-grade", "first-grade-twin"))]
    everything = engine.rivals(0.0)
    assert {frozenset((everything[0].article_id, everything[0].other_id))} == {
        frozenset(("first-grade", "first-grade-twin"))
    }
    assert [r.confidence for r in everything] == sorted((r.confidence for r in everything), reverse=True)
    assert engine.rival_of("first-grade").other_id == "first-grade-twin"
    assert engine.rival_of("first-grade").confidence >= engine.config.answer_threshold
    assert engine.rival_of("teacher-leave").confidence < engine.config.answer_threshold
    assert engine.rival_of("no-such-article") is None
    # Without the twin no article's question goes to another article.
    assert _twins(Engine.build(ARTICLES, vectors=use_vectors)) == {}
    # Editing the twin into another question ends the pair; a KB of one article has no rivals.
    engine.upsert(
        FaqArticle("first-grade-twin", "Как записаться в кружок робототехники?", "В доме творчества.")
    )
    assert _twins(engine) == {}
    assert Engine.build(ARTICLES[:1], vectors=use_vectors).rivals(0.0) == []


# An article worded in general terms draws questions that have a better answer elsewhere.
HUB = FaqArticle(
    "school-contacts",
    "Как связаться со школой по вопросу обучения ребёнка в школе?",
    "Телефон и почта школы указаны на её сайте; директор принимает родителей по записи.",
)
# Questions on many subjects, in words that come near the general article too.
LOGGED = [
    "вопрос по питанию ребенка в школе",
    "перевод ребенка в другую школу вопрос",
    "отпуск учителя в школе",
    "семейное обучение ребенка вместо школы",
    "дубликат аттестата из школы",
    "собеседование в школе 9 класс",
    "запись ребенка в первый класс школы",
    "вопрос по обучению в школе",
    "бесплатные обеды в школе вопрос",
    "ребенок хочет сменить школу",
    "потерян аттестат школы",
    "очередь в детский сад и школа",
    "у ребенка в школе проблема",
    "как связаться со школой",
]
# One subject asked far more often than the others (the kindergarten queue in May).
POPULAR = [f"какое место в очереди в детский сад у ребенка {n} года" for n in range(1, 25)]
HUB_CONFIG = {"hub_min_questions": 8, "hub_min_k": 6}


def test_hubness_finds_the_article_that_draws_the_logged_questions():
    engine = Engine.build([*ARTICLES, HUB], config=EngineConfig(**HUB_CONFIG), vectors=False)
    pull = engine.hubness(LOGGED)
    assert set(pull) == {a.id for a in [*ARTICLES, HUB]}
    assert max(pull, key=pull.get) == "school-contacts"
    assert np.median(list(pull.values())) == pytest.approx(0.0, abs=1e-3)
    assert pull["interview"] < 0
    # Too few questions to tell: nothing. Questions the KB holds as phrasings do not count, and a
    # question logged twice counts once.
    assert engine.hubness(LOGGED[:7]) == {}
    assert engine.hubness(LOGGED[:7] + ["когда запись в первый класс", "сменить школу как"]) == {}
    assert engine.hubness(LOGGED[:7] * 3) == {}


def test_hub_correction_gives_the_question_to_the_specific_article():
    engine = Engine.build([*ARTICLES, HUB], config=EngineConfig(**HUB_CONFIG), vectors=False)
    question = "питание ребенка в школе вопрос"
    before = engine.ask(question)
    assert before.candidates[0].article_id == "school-contacts"
    pull = engine.hubness(LOGGED)
    engine.set_hubs(pull)
    after = engine.ask(question)
    assert after.candidates[0].article_id == "school-meals"
    score = {c.article_id: c.score for c in after.candidates}
    weight = engine.config.hub_weight
    for c in before.candidates:
        assert score[c.article_id] == pytest.approx(c.score - weight * pull[c.article_id], abs=1e-6)
    # The specific questions stay where they were.
    for text, gold in QUESTIONS:
        assert engine.ask(text).candidates[0].article_id == gold
    # Figures of another process for an older KB: an unknown id is ignored, a new article is not
    # corrected, and the correction survives an edit.
    engine.set_hubs({**pull, "gone": 9.0})
    engine.upsert(FaqArticle("new", "Как попасть в лагерь летом?", "Путёвки выдаёт управление образования."))
    assert engine.ask("путевка в лагерь летом").candidates[0].article_id == "new"
    assert engine.ask(question).candidates[0].article_id == "school-meals"
    engine.set_hubs({})
    assert engine.ask(question).candidates[0].article_id == "school-contacts"
    assert engine.hubs == {}


def test_a_popular_article_is_not_taken_for_a_hub():
    question = "где посмотреть очередь в детсад"
    guarded = Engine.build([*ARTICLES, HUB], config=EngineConfig(**HUB_CONFIG), vectors=False)
    plain = guarded.ask(question)
    pull = guarded.hubness(LOGGED + POPULAR)
    assert max(pull, key=pull.get) == "school-contacts" and pull["kindergarten-queue"] < 1
    guarded.set_hubs(pull)
    asked = guarded.ask(question)
    assert asked.candidates[0].article_id == "kindergarten-queue"
    assert asked.confidence >= plain.confidence
    assert guarded.ask("питание ребенка в школе вопрос").candidates[0].article_id == "school-meals"
    # Without the guard, the article asked most would look like the biggest hub of all.
    unguarded = Engine.build(
        [*ARTICLES, HUB], config=EngineConfig(**HUB_CONFIG, hub_cap=1000.0), vectors=False
    )
    pull = unguarded.hubness(LOGGED + POPULAR)
    assert max(pull, key=pull.get) == "kindergarten-queue"


def test_with_hubs_the_confidence_uses_its_own_calibration():
    """Hub-corrected scores are better separated: their calibration is fitted on them (`hub_conf`)."""
    engine = Engine.build([*ARTICLES, HUB], config=EngineConfig(**HUB_CONFIG), vectors=True)
    question = "сколько отдыхают летом педагоги"

    def expected(decision, params):
        a, b, c, d = params
        raw = max(decision.scores["e5_question"], decision.scores["e5_sym"])
        x = a * decision.scores["top"] + b * decision.scores["margin"] + c * raw + d
        return 1 / (1 + np.exp(-x))

    plain = engine.ask(question)
    assert plain.confidence == pytest.approx(expected(plain, engine.config.conf), abs=1e-3)
    engine.set_hubs(engine.hubness(LOGGED))
    corrected = engine.ask(question)
    assert corrected.candidates[0].article_id == "teacher-leave"
    assert corrected.confidence == pytest.approx(expected(corrected, engine.config.hub_conf), abs=1e-3)
    assert engine.config.hub_conf != engine.config.conf
