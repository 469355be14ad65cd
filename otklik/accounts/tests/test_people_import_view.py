"""Importing and exporting staff on the «Сотрудники» screen."""

from django.core.files.uploadedfile import SimpleUploadedFile

from otklik.accounts.models import Membership, StaffEvent, User
from otklik.accounts.tests.test_staff_io import GOOD, HEADER


def _upload(text: str, name: str = "staff.csv"):
    return SimpleUploadedFile(name, text.encode("cp1251"), content_type="text/csv")


def _counts():
    return User.objects.count(), Membership.objects.count(), StaffEvent.objects.count()


def test_admin_imports_a_file_and_sees_the_counts(client, people):
    client.force_login(people.admin)
    response = client.post("/staff/people/import/", {"file": _upload(GOOD)}, follow=True)
    assert response.redirect_chain == [("/staff/people/", 302)]
    assert (
        "Сотрудники загружены: новых сотрудников 2, обновлено 1, без изменений 0, новых ролей 4, приглашений 2."
        in response.content.decode()
    )
    assert User.objects.filter(email__in=["ivanov@school.ru", "sidorova@school.ru"]).count() == 2


def test_a_bad_file_shows_the_report_and_writes_nothing(client, people):
    client.force_login(people.admin)
    before = _counts()
    text = (
        HEADER + "Иванов;Иван;;ivanov@school.ru;;;SCH-A1;исполнитель\n" + "Орлов;Олег;;orlov@;;;OSCH1;царь\n"
    )
    response = client.post("/staff/people/import/", {"file": _upload(text)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Файл не загружен: исправьте ошибки и загрузите его снова." in page
    for problem in (
        "Строка 3: неверный e-mail «orlov@».",
        "Строка 3: организация «OSCH1» относится к другому региону (Другая область).",
        "Строка 3: роль «царь» неизвестна.",
    ):
        assert problem in page
    assert _counts() == before


def test_a_dry_run_on_the_screen_writes_nothing(client, people):
    client.force_login(people.admin)
    before = _counts()
    response = client.post("/staff/people/import/", {"file": _upload(GOOD), "dry_run": "on"}, follow=True)
    assert (
        "Файл проверен, ошибок нет, ничего не записано. Будет: новых сотрудников 2"
        in response.content.decode()
    )
    assert _counts() == before


def test_wrong_uploads_get_a_russian_message(client, people):
    client.force_login(people.admin)
    before = _counts()
    assert "Выберите файл." in client.post("/staff/people/import/", {}).content.decode()
    wrong = client.post("/staff/people/import/", {"file": SimpleUploadedFile("x.pdf", b"%PDF")})
    assert wrong.status_code == 400 and "Поддерживаются файлы .csv и .xlsx." in wrong.content.decode()
    assert _counts() == before


def test_outsiders_cannot_import_or_export(client, people):
    before = _counts()
    client.force_login(people.p.executor_a)
    assert client.post("/staff/people/import/", {"file": _upload(GOOD)}).status_code == 403
    assert client.get("/staff/people/export.csv").status_code == 403
    client.logout()
    assert client.post("/staff/people/import/", {"file": _upload(GOOD)}).status_code == 302
    assert _counts() == before


def test_export_holds_the_region_of_the_admin_only(client, people):
    client.force_login(people.other_admin)
    response = client.get("/staff/people/export.csv")
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert lines[1:] == [
        ",,,oa@example.ru,,,OMIN,администратор,да",
        ",,,oe@example.ru,,,OSCH1,исполнитель,да",
    ]
    assert client.get("/staff/people/export.xlsx")["Content-Type"].startswith("application/vnd.openxml")
    assert client.get("/staff/people/export.pdf").status_code == 404
