"""A real browser (Debian Chromium via Playwright): a monitoring operator registers a post on a live
server, the responsible executor answers it publicly, and the same link again is the same incident."""

from otklik.testing import BROWSER_TEST

pytestmark = BROWSER_TEST

URL = "https://vk.com/wall-123456_789"
TEXT = "В школе № 1 Северного района течёт крыша, ремонт не делали три года."
REPLY = "Здравствуйте! Управление образования А: ремонт кровли школы запланирован."


def _register(page, *, territory: str, topic: str) -> None:
    page.goto("/staff/incidents/new/")
    page.get_by_label("Социальная сеть").select_option(label="ВКонтакте")
    page.get_by_label("Ссылка на публикацию").fill(URL)
    page.get_by_label("Текст публикации").fill(TEXT)
    page.get_by_label("Территория").select_option(label=territory)
    page.get_by_label("Тематика").select_option(label=topic)
    page.get_by_role("button", name="Зарегистрировать").click()


def test_operator_registers_a_post_executor_replies_and_the_same_link_is_found_again(
    incidents_region, staff_page
):
    from playwright.sync_api import expect

    from otklik.accounts.roles import Role
    from otklik.incidents.models import Incident
    from otklik.routing.models import Topic
    from otklik.testing import make_staff

    topic = Topic.objects.get(code="12.02")
    topic.reply_template = "Здравствуйте! {organization}: ремонт кровли школы запланирован."
    topic.save()
    monitor = make_staff(incidents_region.ministry, Role.MONITOR, "p_monitor")

    operator = staff_page(monitor, "/staff/incidents/")
    _register(operator, territory="Северный район", topic=str(topic))
    number = Incident.objects.get().pk
    expect(operator.get_by_role("status")).to_have_text(f"Инцидент №{number} зарегистрирован.")
    expect(operator.get_by_role("heading", name=f"Инцидент №{number}")).to_be_visible()
    card = operator.locator("section.panel").first
    expect(card).to_contain_text("новый — Найден мониторингом")
    expect(card).to_contain_text(f"ВКонтакте · {URL}")
    expect(card).to_contain_text(TEXT)
    expect(card).to_contain_text("Ответственный: Управление образования А")
    expect(operator.get_by_role("button", name="Взять в работу")).to_have_count(0)  # not the monitor's

    executor = staff_page(incidents_region.executor_a, "/staff/incidents/")
    executor.get_by_role("link", name=str(number), exact=True).click()
    executor.get_by_role("button", name="Взять в работу").click()
    expect(executor.get_by_role("status")).to_have_text("Готово.")
    expect(executor.locator("section.panel").first).to_contain_text("в работе — Сотрудник готовит")
    reply = executor.get_by_label("Публичный ответ")
    expect(reply).to_have_value(REPLY)  # the topic's template, filled in
    executor.get_by_label("Ссылка на опубликованный ответ").fill(f"{URL}?reply=1")
    executor.get_by_role("button", name="Ответ опубликован").click()
    card = executor.locator("section.panel").first
    expect(card).to_contain_text("дан публичный ответ — Ответ опубликован в социальной сети")
    expect(card.get_by_role("heading", name="Публичный ответ")).to_be_visible()
    expect(card).to_contain_text(f"{REPLY}{URL}?reply=1")
    expect(executor.get_by_role("button", name="Ответ опубликован")).to_have_count(0)
    history = executor.locator("section.panel", has=executor.get_by_role("heading", name="История"))
    expect(history.get_by_role("listitem")).to_contain_text(
        ["Инцидент зарегистрирован", "Взят в работу", f"Опубликован ответ — {incidents_region.executor_a}"]
    )

    _register(operator, territory="Северный район", topic=str(topic))
    expect(operator.get_by_role("status")).to_have_text(
        f"Эта публикация уже зарегистрирована: инцидент №{number}."
    )
    expect(operator.get_by_role("heading", name=f"Инцидент №{number}")).to_be_visible()
    expect(operator.locator("section.panel").first).to_contain_text("найдена 2 раз(а)")
    expect(operator.get_by_role("listitem").last).to_contain_text("Ссылка найдена повторно")
    assert Incident.objects.count() == 1
