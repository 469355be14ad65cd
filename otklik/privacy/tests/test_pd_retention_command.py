"""`otklik pd_retention [--dry-run] [--region КОД]`: the catch-up, in batches, with counts in Russian."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from otklik.appeals import services as appeal_services
from otklik.appeals.models import Appeal
from otklik.privacy.services import retention_run
from otklik.privacy.tests.base import EXPIRES, files_on_disk, full_appeal, snapshot
from otklik.testing import make_region

NOW = EXPIRES + timedelta(hours=3)


def _command(*args) -> str:
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("pd_retention", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def appeals(region, django_capture_on_commit_callbacks):
    """A finished appeal past its period, one still inside it, and one under consideration."""
    due = full_appeal(region, django_capture_on_commit_callbacks)
    with time_machine.travel(EXPIRES - timedelta(days=10), tick=False):
        fresh, _ = appeal_services.appeal_submit(
            region=region.region,
            text="Когда начнутся каникулы в школе?",
            channel="web",
            contact_email="a@b.ru",
        )
        appeal_services.appeal_redirect(
            appeal=fresh, actor=region.coordinator, to="Минздрав", reason="Не наше"
        )
        open_, _ = appeal_services.appeal_submit(
            region=region.region, text="Холодно в классах школы № 1.", channel="web", contact_email="c@d.ru"
        )
    return due, fresh, open_


def test_dry_run_counts_and_writes_nothing(appeals):
    before = [snapshot(a) for a in appeals]
    assert _command("--dry-run") == (
        "Проверка без изменений (все регионы): будет обезличено\n"
        "  обращения: 1 (срок 1827 дн., закрытые до 11.03.2020 10:30)\n"
        "  диалоги в чатах: 0 (срок 365 дн., последнее сообщение до 12.03.2024 10:30)\n"
        "  инциденты в соцсетях: 0 (срок 365 дн., закрытые до 12.03.2024 10:30)\n"
    )
    assert [snapshot(a) for a in appeals] == before
    assert all(f.exists() for f in files_on_disk(appeals[0]))


def test_the_command_depersonalises_what_is_due_only(appeals, django_capture_on_commit_callbacks, settings):
    settings.PD_RETENTION_INCIDENT_DAYS = None
    due, fresh, open_ = appeals
    keep = [snapshot(fresh), snapshot(open_)]
    with django_capture_on_commit_callbacks(execute=True):
        output = _command()
    assert output == (
        "Обезличено (все регионы):\n"
        "  обращения: 1 (срок 1827 дн., закрытые до 11.03.2020 10:30)\n"
        "  диалоги в чатах: 0 (срок 365 дн., последнее сообщение до 12.03.2024 10:30)\n"
        "  инциденты в соцсетях: срок хранения не ограничен (OTKLIK_PD_INCIDENT_DAYS пуст или 0)\n"
    )
    assert Appeal.objects.get(pk=due.pk).depersonalised_at == NOW
    assert [snapshot(fresh), snapshot(open_)] == keep
    assert _command().startswith("Обезличено (все регионы):\n  обращения: 0 ")


def test_region_filter_and_unknown_region(appeals, region):
    other = make_region(code="XX", name="Другая область")
    assert _command("--dry-run", "--region", "XX").splitlines()[:2] == [
        "Проверка без изменений (регион «Другая область»): будет обезличено",
        "  обращения: 0 (срок 1827 дн., закрытые до 11.03.2020 12:30)",  # the region's clock
    ]
    assert other.pk
    assert _command("--dry-run", "--region", region.region.code).splitlines()[1].startswith("  обращения: 1 ")
    with pytest.raises(CommandError, match="Регион «НЕТ» не найден."):
        _command("--region", "НЕТ")


def test_batches_walk_every_due_row(region, django_capture_on_commit_callbacks):
    """Three due appeals in batches of two: all done, none twice."""
    appeals = [full_appeal(region, django_capture_on_commit_callbacks) for _ in range(3)]
    with time_machine.travel(NOW, tick=False):
        assert retention_run(batch=2)["appeals"] == 3
        assert retention_run(batch=2)["appeals"] == 0
    assert sorted(Appeal.objects.filter(depersonalised_at=NOW).values_list("pk", flat=True)) == sorted(
        a.pk for a in appeals
    )
