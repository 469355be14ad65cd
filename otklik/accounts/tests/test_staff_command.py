"""`otklik staff import|export`: the console twin of the «Сотрудники» import."""

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from otklik.accounts.models import Membership, User
from otklik.accounts.tests.test_staff_io import GOOD
from otklik.testing import run_due_tasks


def _run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("staff", *args, stdout=out)
    return out.getvalue()


def test_import_dry_run_then_import_then_export(people, tmp_path):
    file = tmp_path / "staff.csv"
    file.write_text(GOOD, encoding="utf-8")
    region = people.p.region
    users = User.objects.count()
    assert _run("import", str(file), "--region", region.code, "--dry-run") == (
        f"Регион «{region.name}». Файл проверен, ошибок нет, ничего не записано. Будет: новых сотрудников 2, "
        "обновлено 1, без изменений 0, новых ролей 4, приглашений 2.\n"
    )
    assert User.objects.count() == users and run_due_tasks() == 0
    assert _run("import", str(file), "--region", region.code) == (
        f"Регион «{region.name}». Сотрудники загружены: новых сотрудников 2, обновлено 1, без изменений 0, "
        "новых ролей 4, приглашений 2.\n"
    )
    assert User.objects.count() == users + 2 and run_due_tasks() == 2 and len(mail.outbox) == 2
    event = User.objects.get(email="ivanov@school.ru").staff_events.get(kind="created")
    assert (event.actor, event.actor_label) == (None, "Консоль сервера")
    assert _run("import", str(file), "--region", region.code).endswith(
        "новых сотрудников 0, обновлено 0, без изменений 3, новых ролей 0, приглашений 0.\n"
    )
    out = tmp_path / "out.xlsx"
    assert _run("export", str(out), "--region", region.code) == f"Сотрудники региона выгружены в {out}.\n"
    assert out.read_bytes().startswith(b"PK")
    screen = _run("export", "-", "--region", region.code)
    assert "Иванов,Иван,Иванович,ivanov@school.ru,+7 900 1,Учитель,SCH-A1,исполнитель,да" in screen


def test_a_bad_file_is_refused_with_every_reason_and_nothing_written(people, tmp_path):
    file = tmp_path / "staff.csv"
    file.write_text(GOOD.replace("SCH-B2", "NOPE").replace("ivanov@school.ru", "ivanov@"), encoding="utf-8")
    before = Membership.objects.count()
    with pytest.raises(CommandError) as caught:
        _run("import", str(file), "--region", people.p.region.code)
    assert str(caught.value) == (
        "Сотрудники не загружены, ничего не записано:\n"
        "  Строка 2: неверный e-mail «ivanov@».\n"
        "  Строка 4: организация с кодом «NOPE» не найдена."
    )
    assert Membership.objects.count() == before


def test_region_and_file_must_be_named(people, tmp_path):
    with pytest.raises(CommandError, match="Укажите регион: --region КОД."):
        _run("export", "-")
    with pytest.raises(CommandError, match="Регион не найден."):
        _run("export", "-", "--region", "nope")
    with pytest.raises(CommandError, match="не найден"):
        _run("import", str(tmp_path / "absent.csv"), "--region", people.p.region.code)
