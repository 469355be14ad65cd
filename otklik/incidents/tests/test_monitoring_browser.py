"""Monitoring in a real browser (Debian Chromium via Playwright): an operator adds a VK page to
watch on the screen, one pass of the collector reads it from the fake VK API, and the operator finds
the relevant post among the incidents from monitoring, while the irrelevant one is only counted."""

import time_machine
from playwright.sync_api import expect

from otklik.accounts.roles import Role
from otklik.incidents import collector
from otklik.incidents.models import Incident, VkSource
from otklik.incidents.tests.conftest import BIKE, HEATING, NOW, TOKEN, post
from otklik.testing import BROWSER_TEST, make_staff

pytestmark = BROWSER_TEST


def test_operator_adds_a_source_and_finds_its_relevant_post_among_the_incidents(
    incidents_region, vk_api, staff_page, settings
):
    settings.VK_SERVICE_TOKEN = TOKEN
    vk_api.names = {"podslushano_sever": {"type": "page", "object_id": 111}}
    vk_api.people = [{"id": 501, "first_name": "Анна", "last_name": "Петрова"}]
    vk_api.walls = {-111: [post(12, HEATING, minutes=5), post(11, BIKE, minutes=20)]}
    monitor = make_staff(incidents_region.ministry, Role.MONITOR, "p_monitor_watch")

    page = staff_page(monitor, "/staff/incidents/monitoring/")
    page.get_by_role("link", name="Добавить источник").click()
    page.get_by_label("Адрес страницы или сообщества ВКонтакте").fill("https://vk.com/podslushano_sever")
    page.get_by_label("Название (как его узнают сотрудники)").fill("Подслушано Северный")
    page.get_by_label("Территория, о которой пишет источник").select_option(
        label=incidents_region.territory_a.name
    )
    page.get_by_role("button", name="Сохранить").click()
    row = page.get_by_role("row").filter(has_text="Подслушано Северный")
    expect(row).to_contain_text("vk.com/podslushano_sever")
    expect(row).to_contain_text("ещё не было")  # not polled yet

    source = VkSource.objects.get(screen_name="podslushano_sever")
    with time_machine.travel(NOW, tick=False):  # the fake wall's posts are minutes before NOW
        report = collector.source_collect(source=source)
    assert (report.read, report.relevant, report.created) == (2, 1, 1)

    page.reload()
    expect(row).to_contain_text("всего 2")  # both posts read, only one kept
    page.get_by_role("link", name="Инциденты из мониторинга").click()
    expect(page.get_by_text("отопление так и не включили").first).to_be_visible()
    expect(page.get_by_text("Продаю велосипед")).to_have_count(0)
    incident = Incident.objects.get()
    assert (incident.url, incident.territory) == ("https://vk.com/wall-111_12", incidents_region.territory_a)
