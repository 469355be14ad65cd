"""Staff import and export: the whole file is checked first, re-imports update by e-mail."""

import io

import pytest
from django.core import mail

from otklik.accounts.models import Membership, StaffEvent, User
from otklik.accounts.roles import role_from_text
from otklik.accounts.staff_io import (
    StaffImportError,
    staff_export_csv,
    staff_export_xlsx,
    staff_import,
    staff_parse,
)
from otklik.testing import run_due_tasks

HEADER = "Фамилия;Имя;Отчество;E-mail;Телефон;Должность;Код организации;Роль\n"
GOOD = (
    HEADER
    + "Иванов;Иван;Иванович;ivanov@school.ru;+7 900 1;Учитель;SCH-A1;исполнитель\n"
    + "Иванов;Иван;Иванович;IVANOV@school.ru;;;UO-A;Аналитик\n"
    + "Сидорова;Мария;;sidorova@school.ru;;Завуч;SCH-B2;executor\n"
    + "Регионова;;;ra@example.ru;;Администратор;SCH-A1;координатор\n"
)


def _import(people, text: str, **kw):
    rows = staff_parse(content=text.encode(), filename="staff.csv")
    return staff_import(region=people.p.region, rows=rows, actor=people.admin, filename="staff.csv", **kw)


def _state():
    return (
        sorted(User.objects.values_list("email", "last_name", "phone", "position", "is_active")),
        sorted(Membership.objects.values_list("user__email", "organization__code", "role")),
    )


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("исполнитель", "executor"),
        ("Executor", "executor"),
        (" Редактор  базы знаний ", "editor"),
        ("редактор", "editor"),
        ("ОПЕРАТОР МОНИТОРИНГА", "monitor"),
        ("админ", "admin"),
        ("босс", None),
        ("", None),
    ],
)
def test_roles_are_read_by_code_and_by_russian_name(text, role):
    assert role_from_text(text) == role


def test_a_good_file_gives_exact_counts(people):
    result = _import(people, GOOD)
    assert (result.created, result.updated, result.unchanged, result.roles_added, result.invited) == (
        2,
        1,
        0,
        4,
        2,
    )
    ivanov = User.objects.get(email="ivanov@school.ru")
    assert (ivanov.username, ivanov.last_name, ivanov.patronymic, ivanov.phone, ivanov.position) == (
        "ivanov@school.ru",
        "Иванов",
        "Иванович",
        "+7 900 1",
        "Учитель",
    )
    assert sorted(ivanov.memberships.values_list("organization__code", "role")) == [
        ("SCH-A1", "executor"),
        ("UO-A", "analyst"),
    ]
    people.admin.refresh_from_db()
    assert people.admin.position == "Администратор" and people.admin.last_name == "Регионова"
    assert people.admin.memberships.filter(role="coordinator", organization__code="SCH-A1").exists()
    assert run_due_tasks() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["ivanov@school.ru", "sidorova@school.ru"]
    event = ivanov.staff_events.get(kind="created")
    assert (event.actor, event.text) == (people.admin, "Импорт из файла staff.csv.")


def test_a_reimport_changes_nothing_and_duplicates_nothing(people):
    _import(people, GOOD)
    state, events = _state(), StaffEvent.objects.count()
    run_due_tasks()
    result = _import(people, GOOD)
    assert (result.created, result.updated, result.unchanged, result.roles_added, result.invited) == (
        0,
        0,
        3,
        0,
        0,
    )
    assert _state() == state and StaffEvent.objects.count() == events
    assert run_due_tasks() == 0
    # A re-import with a new phone and a new role updates the person and adds the role.
    result = _import(people, HEADER + "Иванов;Иван;;ivanov@school.ru;+7 900 2;;SCH-B2;координатор\n")
    assert (result.created, result.updated, result.unchanged, result.roles_added) == (0, 1, 0, 1)
    ivanov = User.objects.get(email="ivanov@school.ru")
    assert (ivanov.phone, ivanov.patronymic, ivanov.position) == ("+7 900 2", "Иванович", "Учитель")
    assert ivanov.memberships.count() == 3


def test_mixed_rows_are_reported_each_and_nothing_is_written(people):
    before, events = _state(), StaffEvent.objects.count()
    text = (
        HEADER
        + "Иванов;Иван;;ivanov@school.ru;;;SCH-A1;исполнитель\n"
        + "Петров;Пётр;;petrov@school;;;SCH-A1;исполнитель\n"
        + "Орлов;Олег;;orlov@school.ru;;;NOPE;исполнитель\n"
        + "Козлов;Кирилл;;kozlov@school.ru;;;SCH-A1;директор\n"
        + "Иванов;Иван;;ivanov@school.ru;;;SCH-A1;Исполнитель\n"
        + "Ежов;Егор;;ezhov@school.ru;;;OSCH1;исполнитель\n"
        + ";Лев;;lev@school.ru;;;SCH-A1;исполнитель\n"
        + "Другой;Человек;;ivanov@school.ru;;;UO-A;аналитик\n"
        + "Длинный;Дмитрий;;long@school.ru;"
        + "1" * 41
        + ";;SCH-A1;исполнитель\n"
    )
    with pytest.raises(StaffImportError) as caught:
        _import(people, text)
    assert caught.value.problems == [
        "Строка 3: неверный e-mail «petrov@school».",
        "Строка 4: организация с кодом «NOPE» не найдена.",
        "Строка 5: роль «директор» неизвестна. Возможные роли: администратор (admin), координатор "
        "(coordinator), исполнитель (executor), аналитик (analyst), редактор базы знаний (editor), оператор "
        "мониторинга (monitor).",
        "Строка 6: повторяет строку 2 (тот же e-mail, организация и роль).",
        "Строка 7: организация «OSCH1» относится к другому региону (Другая область).",
        "Строка 8: не заполнен столбец «фамилия».",
        "Строка 9: e-mail ivanov@school.ru уже указан в строке 2 для другого человека.",
        "Строка 10: «телефон» — не длиннее 40 символов (сейчас 41).",
    ]
    assert _state() == before and StaffEvent.objects.count() == events and run_due_tasks() == 0


def test_a_municipal_admin_imports_only_into_their_subtree(people):
    from otklik.accounts.roles import Role
    from otklik.accounts.selectors import people_organizations
    from otklik.testing import make_staff

    municipal = make_staff(people.p.body_a, Role.ADMIN, "mun_admin")
    allowed = set(people_organizations(user=municipal, region=people.p.region).values_list("pk", flat=True))
    rows = staff_parse(
        content=(
            HEADER
            + "Сидорова;Мария;;sidorova@school.ru;;;SCH-B2;executor\n"
            + "Регионова;Ада;;ra@example.ru;;;SCH-A1;executor\n"
        ).encode(),
        filename="s.csv",
    )
    with pytest.raises(StaffImportError) as caught:
        staff_import(region=people.p.region, rows=rows, actor=municipal, allowed=allowed)
    assert caught.value.problems == [
        "Строка 2: организация «SCH-B2» вне ваших полномочий администратора.",
        "Строка 3: сотрудник ra@example.ru работает и в организациях вне ваших полномочий; его данные и роли "
        "меняет администратор системы.",
    ]


def test_a_dry_run_counts_and_writes_nothing(people):
    before = _state()
    result = _import(people, GOOD, dry_run=True)
    assert (result.created, result.updated, result.roles_added, result.invited) == (2, 1, 4, 2)
    assert result.summary().startswith(
        "Файл проверен, ошибок нет, ничего не записано. Будет: новых сотрудников 2"
    )
    assert _state() == before and run_due_tasks() == 0


@pytest.mark.parametrize(
    ("content", "name", "problem"),
    [
        (b"", "s.csv", "Файл пуст."),
        (b"x" * (5 * 1024 * 1024 + 1), "s.csv", "Файл больше 5 МБ: разделите его на части."),
        (b"a,b", "s.txt", "Поддерживаются файлы .csv и .xlsx."),
        (
            "Фамилия;Имя\nИванов;Иван\n".encode(),
            "s.csv",
            "В таблице нет обязательных столбцов: e-mail, код организации, роль (первая строка — заголовок).",
        ),
        (
            HEADER.encode(),
            "s.csv",
            "В файле нет ни одной строки с данными (только заголовок): ничего не импортировано.",
        ),
        (b"PK\x03\x04junk", "s.xlsx", "Файл не открывается как таблица Excel (.xlsx)."),
    ],
)
def test_bad_files_are_refused_with_a_reason(content, name, problem):
    with pytest.raises(StaffImportError) as caught:
        staff_parse(content=content, filename=name)
    assert caught.value.problems == [problem]


def test_export_imports_back_as_it_is(people):
    _import(people, GOOD)
    for user in User.objects.filter(email=""):  # accounts made in the Django admin without an e-mail
        user.email, user.last_name, user.first_name = f"{user.username}@example.ru", "Фамилия", "Имя"
        user.save()
    csv_text = staff_export_csv(region=people.p.region)
    assert (
        csv_text.splitlines()[0]
        == "фамилия,имя,отчество,e-mail,телефон,должность,код организации,роль,активен"
    )
    assert (
        "Иванов,Иван,Иванович,ivanov@school.ru,+7 900 1,Учитель,SCH-A1,исполнитель,да"
        in csv_text.splitlines()
    )
    assert "oe@example.ru" not in csv_text  # another region's people stay out
    state = _state()
    for content, name in (
        (csv_text.encode(), "back.csv"),
        (staff_export_xlsx(region=people.p.region), "back.xlsx"),
    ):
        rows = staff_parse(content=content, filename=name)
        result = staff_import(region=people.p.region, rows=rows, actor=None)
        assert (result.created, result.roles_added) == (0, 0)
    assert _state() == state


def test_xlsx_with_numbers_in_cells(people):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["фамилия", "имя", "e-mail", "телефон", "код организации", "роль"])
    book.active.append(["Ким", "Олег", "kim@school.ru", 79001234567, "SCH-A1", "Исполнитель"])
    out = io.BytesIO()
    book.save(out)
    result = staff_import(
        region=people.p.region, rows=staff_parse(content=out.getvalue(), filename="s.xlsx"), actor=None
    )
    assert result.created == 1
    assert User.objects.get(email="kim@school.ru").phone == "79001234567"
