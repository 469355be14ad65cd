"""A real browser (Debian Chromium via Playwright): a citizen answers a public survey on a live
server, and an analyst sees the answer counted on the results page."""

from otklik.testing import BROWSER_TEST

pytestmark = BROWSER_TEST

FREE_TEXT = "Больше овощей и горячий завтрак"


def _open_survey(personas):
    """Single choice, scale and optional free text; another respondent has already answered."""
    from otklik.surveys import services
    from otklik.surveys.models import Survey

    survey = services.survey_create(
        organization=personas.ministry,
        actor=personas.analyst,
        title="Питание в школах",
        kind=Survey.Kind.POLL,
        asks_profile=False,
    )
    single = services.question_add(
        survey=survey, text="Довольны ли вы питанием?", kind="single", options=[("Да", ""), ("Нет", "")]
    )
    scale = services.question_add(survey=survey, text="Оцените качество блюд", kind="scale")
    text = services.question_add(survey=survey, text="Что улучшить?", kind="text", required=False)
    services.survey_set_status(survey=survey, status=Survey.Status.OPEN)
    services.response_submit(
        survey=survey,
        token="earlier-respondent",
        answers={single.pk: single.options.get(text="Нет"), scale.pk: 2, text.pk: ""},
        profile={},
    )
    return survey


def test_citizen_answers_a_survey_once_and_the_analyst_sees_the_counts(
    live_server, browser, personas, staff_page
):
    from playwright.sync_api import expect

    survey = _open_survey(personas)
    page = browser.new_context(base_url=live_server.url).new_page()
    page.goto("/surveys/")
    page.get_by_role("link", name="Питание в школах").click()
    expect(page.get_by_role("heading", name="Питание в школах")).to_be_visible()

    # The required single choice is left out: the page says so in Russian and keeps what was typed.
    page.get_by_role("group", name="Оцените качество блюд").get_by_label("5").check()
    page.get_by_label("Что улучшить?").fill(FREE_TEXT)
    page.get_by_role("button", name="Отправить ответ").click()
    expect(page.get_by_text("Ответьте на этот вопрос.")).to_have_count(1)
    expect(page.get_by_role("alert").first).to_contain_text("Проверьте ответы")
    expect(page.get_by_label("Что улучшить?")).to_have_value(FREE_TEXT)
    expect(page.get_by_role("group", name="Оцените качество блюд").get_by_label("5")).to_be_checked()

    page.get_by_role("group", name="Довольны ли вы питанием?").get_by_label("Да").check()
    page.get_by_role("button", name="Отправить ответ").click()
    expect(page.get_by_role("status")).to_contain_text("Спасибо! Ваш ответ учтён.")
    expect(page.get_by_role("button", name="Отправить ответ")).to_have_count(0)

    page.reload()
    expect(page.get_by_role("status")).to_contain_text("Повторно ответить с этого устройства нельзя")
    expect(page.get_by_role("button", name="Отправить ответ")).to_have_count(0)
    assert survey.responses.count() == 2

    results = staff_page(personas.analyst, f"/staff/surveys/{survey.pk}/results/")
    expect(results.get_by_role("heading", name="Результаты: Питание в школах")).to_be_visible()
    expect(results.locator(".lead")).to_contain_text("всего ответов: 2")
    single = results.locator("section.panel", has=results.get_by_role("heading", name="Довольны ли"))
    for option, count in (("Да", "1"), ("Нет", "1")):
        row = single.get_by_role("row").filter(has=results.get_by_role("cell", name=option, exact=True))
        expect(row.get_by_role("cell").nth(1)).to_have_text(count)
    scale = results.locator("section.panel", has=results.get_by_role("heading", name="Оцените качество"))
    expect(scale).to_contain_text("ответили: 2 · средняя оценка: 3,5")
    texts = results.locator("section.panel", has=results.get_by_role("heading", name="Что улучшить?"))
    expect(texts).to_contain_text("Свободные ответы (1)")
    expect(texts.get_by_role("listitem")).to_have_text([FREE_TEXT])
