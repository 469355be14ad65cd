from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from otklik.surveys import selectors, services
from otklik.surveys.selectors import suppress
from otklik.surveys.tests.base import answer, make_poll

KNOWN = [
    ("Да", ["Сайт", "Бот"], 5, "Больше овощей"),
    ("Да", ["Сайт"], 4, ""),
    ("Да", ["Бот"], 5, ""),
    ("Нет", ["Школа"], 2, "Холодные блюда"),
    ("Да", ["Сайт", "Школа"], 3, ""),
    ("Нет", ["Сайт"], 5, ""),
]


def _figures(result):
    return [(r["label"], r["n"], round(r["share"], 4)) for r in result.rows]


def test_results_count_options_share_of_respondents_average_scale_and_list_texts(personas):
    survey = make_poll(personas.ministry, asks_profile=False)
    for row in KNOWN:
        answer(survey, *row)
    results = selectors.survey_results(survey=survey)
    single, multiple, scale, text = results["questions"]
    assert results["total"] == 6
    assert _figures(single) == [("Да", 4, 0.6667), ("Нет", 2, 0.3333)]
    assert _figures(multiple) == [("Сайт", 4, 0.6667), ("Бот", 2, 0.3333), ("Школа", 2, 0.3333)]
    assert [r["n"] for r in scale.rows] == [0, 1, 1, 1, 3] and scale.average == 4.0
    assert (text.answered, sorted(text.texts)) == (2, ["Больше овощей", "Холодные блюда"])
    assert single.breakdowns == []  # the survey does not ask about respondents


def test_vote_results_are_ranked_by_votes(personas):
    vote = services.survey_create(organization=personas.ministry, actor=None, title="Проекты", kind="vote")
    question = services.question_add(
        survey=vote,
        text="Проект",
        kind="single",
        options=[("Сквер", ""), ("Площадка", ""), ("Библиотека", "")],
    )
    services.survey_set_status(survey=vote, status="open")
    for i, name in enumerate(["Площадка", "Площадка", "Библиотека"]):
        services.response_submit(
            survey=vote, token=str(i), answers={question.pk: question.options.get(text=name)}
        )
    rows = selectors.survey_results(survey=vote)["questions"][0].rows
    assert [(r["label"], r["n"]) for r in rows] == [("Площадка", 2), ("Библиотека", 1), ("Сквер", 0)]


def _role_table(survey, number=1):
    result = selectors.survey_results(survey=survey)["questions"][number - 1]
    return next(t for t in result.breakdowns if t.header[0] == "Кто отвечал")


def _ten_parents_six_teachers(personas):
    """Parents: 5 «Да» and 5 «Нет», all rate 5; teachers: 6 «Да», all rate 4."""
    survey = make_poll(personas.ministry)
    for _ in range(5):
        answer(survey, "Да", ["Сайт"], 5, role="parent")
        answer(survey, "Нет", ["Бот"], 5, role="parent")
    for _ in range(6):
        answer(survey, "Да", ["Школа"], 4, role="teacher")
    return survey


def test_breakdown_is_a_cross_table_of_question_by_attribute(personas):
    survey = _ten_parents_six_teachers(personas)
    table = _role_table(survey)
    assert table.header == ["Кто отвечал", "Ответили", "Да", "Нет"]
    assert table.rows == [["родитель", 10, 5, 5], ["педагог", 6, 6, 0]]
    scale = _role_table(survey, 3)
    assert scale.rows == [["родитель", 10, 0, 0, 0, 0, 10, 5.0], ["педагог", 6, 0, 0, 0, 6, 0, 4.0]]
    sex = next(
        t for t in selectors.survey_results(survey=survey)["questions"][0].breakdowns if t.header[0] == "Пол"
    )
    assert sex.rows == [["не указано", 16, 11, 5]]


def test_a_group_of_fewer_than_five_is_hidden_and_cannot_be_worked_out_from_totals(personas):
    survey = _ten_parents_six_teachers(personas)
    answer(survey, "Да", ["Сайт"], 3, role="student")
    answer(survey, "Нет", ["Сайт"], 3, role="student")
    assert _role_table(survey).rows == [
        ["родитель", 10, "скрыто", "скрыто"],
        ["обучающийся", "<5", "<5", "<5"],
        ["педагог", "скрыто", 6, "скрыто"],
    ]
    assert _role_table(survey, 3).rows[1] == ["обучающийся", "<5", "<5", "<5", "<5", "<5", "<5", "<5"]


@pytest.mark.parametrize(
    ("matrix", "expected"),
    [
        ([[10, 5, 5], [12, 6, 6]], [[10, 5, 5], [12, 6, 6]]),
        ([[10, 10, 0], [7, 2, 5], [9, 4, 5]], [[10, 10, 0], [7, "<5", "скрыто"], [9, "<5", "скрыто"]]),
        ([[8, 6, 2], [9, 5, 4]], [[8, "скрыто", "<5"], [9, "скрыто", "<5"]]),
        ([[3, 3]], [["<5", "<5"]]),
    ],
)
def test_suppress(matrix, expected):
    assert suppress(matrix, [row[0] for row in matrix]) == expected


# Asia/Yekaterinburg (UTC+5): half an hour before and after midnight of 1 July, local time.
LAST_OF_JUNE = datetime(2026, 6, 30, 18, 30, tzinfo=UTC)
FIRST_OF_JULY = datetime(2026, 7, 1, 19, 30, tzinfo=UTC)
MIDNIGHT = datetime(2026, 7, 1, tzinfo=ZoneInfo("Asia/Yekaterinburg"))


def _halves(personas):
    """Five parents say «Да» and rate 5 by 30 June; three parents say «Нет» and rate 1 on 1 July."""
    survey = make_poll(personas.ministry)
    for _ in range(5):
        answer(survey, "Да", ["Сайт"], 5, "Спасибо", now=LAST_OF_JUNE, role="parent")
    for _ in range(3):
        answer(survey, "Нет", ["Бот"], 1, "Холодно", now=FIRST_OF_JULY, role="parent")
    return survey


def _role_rows(results, number=1):
    table = next(t for t in results["questions"][number - 1].breakdowns if t.header[0] == "Кто отвечал")
    return table.rows


def test_results_of_a_period_count_only_its_responses_and_hide_small_groups_within_it(personas):
    survey = _halves(personas)
    whole = selectors.survey_results(survey=survey)
    june = selectors.survey_results(survey=survey, until=MIDNIGHT)
    july = selectors.survey_results(survey=survey, since=MIDNIGHT)
    assert (whole["total"], june["total"], july["total"]) == (8, 5, 3)
    assert _figures(june["questions"][0]) == [("Да", 5, 1.0), ("Нет", 0, 0.0)]
    assert _figures(july["questions"][0]) == [("Да", 0, 0.0), ("Нет", 3, 1.0)]
    assert (june["questions"][2].average, july["questions"][2].average) == (5.0, 1.0)
    assert (june["questions"][3].texts, july["questions"][3].texts) == (["Спасибо"] * 5, ["Холодно"] * 3)
    assert _role_rows(june) == [["родитель", 5, 5, 0]]
    assert _role_rows(july) == [["родитель", "<5", "<5", "<5"]]  # three parents alone: hidden
    assert _role_rows(whole) == [["родитель", 8, "скрыто", "<5"]]


def test_free_text_answers_are_grouped_by_what_they_say(client, personas):
    survey = make_poll(personas.ministry, asks_profile=False)
    texts = [
        "Больше овощей в меню",
        "больше овощей в меню!",
        "Хотелось бы больше овощей и фруктов в меню",
        "Еда холодная, надо подогревать",
        "Холодная еда на обеде",
        "Спасибо поварам",
    ]
    for text in texts:
        answer(survey, "Да", ["Сайт"], 4, text)
    results = selectors.survey_results(survey=survey)
    groups = results["questions"][3].groups
    assert [(g["n"], round(g["share"], 4)) for g in groups] == [(3, 0.5), (2, 0.3333)]
    assert "овощ" in groups[0]["label"] and "олодн" in groups[1]["label"]
    assert all(g["label"] != "Спасибо поварам" for g in groups)  # a group of one is not shown
    tables = selectors.results_tables(survey=survey, results=results)
    grouped = next(t for t in tables if t.title == "Свободные ответы по группам")
    assert [row[2] for row in grouped.rows] == [3, 2]
    client.force_login(personas.analyst)
    page = client.get(f"/staff/surveys/{survey.pk}/results/").content.decode()
    assert "О чём пишут чаще всего" in page and "50,0%" in page


def test_few_free_texts_are_not_grouped(personas):
    survey = make_poll(personas.ministry, asks_profile=False)
    for text in ["Больше овощей", "больше овощей", "Холодно"]:
        answer(survey, "Да", ["Сайт"], 4, text)
    assert selectors.survey_results(survey=survey)["questions"][3].groups == []
