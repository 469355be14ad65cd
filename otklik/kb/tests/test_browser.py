"""Knowledge-base answers inserted into a staff answer, in a real browser (Debian Chromium)."""

from otklik.appeals.services import appeal_submit
from otklik.kb.engine import registry
from otklik.kb.tests.conftest import load_kb
from otklik.kb.tests.test_staff_answers import QUESTION
from otklik.testing import BROWSER_TEST

pytestmark = BROWSER_TEST


def test_an_executor_inserts_a_ready_answer_and_sends_it(live_server, staff_page, region, settings):
    """In Chromium: the card loads the answers, the button puts the plain text into the answer field,
    and the appeal is answered with it."""
    from otklik.appeals.models import Appeal

    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    load_kb(region.region)
    registry.reset()
    appeal, _ = appeal_submit(
        region=region.region, text=QUESTION, channel="web", territory=region.territory_a
    )
    page = staff_page(region.executor_a, f"/staff/appeals/{appeal.number}/")
    page.get_by_text("Когда начинается приём заявлений в первый класс?").click()  # opens the details
    page.get_by_label("Ответ заявителю").fill("Здравствуйте!")
    page.get_by_role("button", name="Вставить в ответ").click()
    assert page.get_by_label("Ответ заявителю").input_value() == (
        "Здравствуйте!\n\nС 1 апреля для детей с закреплённой территории, с 6 июля — для остальных."
    )
    page.get_by_role("button", name="Отправить ответ").click()
    page.wait_for_load_state()
    appeal = Appeal.objects.get(pk=appeal.pk)
    assert appeal.answer_text.endswith("с 6 июля — для остальных.") and appeal.status == "answered"
