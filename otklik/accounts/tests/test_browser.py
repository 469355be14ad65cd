"""A region administrator imports the staff list on the «Сотрудники» screen, in a real browser."""

from otklik.accounts.models import User
from otklik.accounts.tests.test_staff_io import GOOD
from otklik.testing import BROWSER_TEST

pytestmark = BROWSER_TEST


def test_an_admin_imports_a_file_and_sees_the_result(live_server, staff_page, people):
    page = staff_page(people.admin, "/staff/people/")
    page.get_by_label("Файл со списком сотрудников (.csv, .xlsx)").set_input_files(
        files=[{"name": "staff.csv", "mimeType": "text/csv", "buffer": GOOD.encode()}]
    )
    page.get_by_role("button", name="Загрузить").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == (
        "Сотрудники загружены: новых сотрудников 2, обновлено 1, без изменений 0, новых ролей 4, приглашений 2."
    )
    page.get_by_label("Поиск по ФИО, e-mail, телефону, должности").fill("иванов")
    page.get_by_role("button", name="Показать").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Иванов Иван Иванович").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Иванов Иван Иванович"
    assert User.objects.get(email="ivanov@school.ru").memberships.count() == 2
