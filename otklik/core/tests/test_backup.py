"""`otklik backup` and `otklik restore` on the database the suite runs on (SQLite or PostgreSQL):
the archive brings back the appeals, the stored files and the installation's key; bad archives and
a restore without confirmation change nothing."""

import io
import json
import stat
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from otklik.appeals import services
from otklik.appeals.models import Appeal
from otklik.core.backup import backups_prune
from otklik.testing import APPEAL_TEXT


@pytest.fixture
def var(settings, tmp_path):
    """A var/ of the test's own with a key file, as the embedded default keeps it."""
    settings.VAR_DIR = tmp_path / "var"
    settings.VAR_DIR.mkdir()
    settings.SECRET_KEY_FILE = settings.VAR_DIR / "secret.key"
    settings.SECRET_KEY_FILE.write_text("the-old-key")
    settings.BACKUP_DIR = tmp_path / "backups"
    return settings.VAR_DIR


def _submit(personas, text=APPEAL_TEXT) -> Appeal:
    appeal, _ = services.appeal_submit(region=personas.region, text=text, channel="web", author_name="Анна")
    return appeal


def _run(*args, **kwargs) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restores_the_appeals_the_files_and_the_key(personas, var):
    kept = _submit(personas)
    media = Path(settings.MEDIA_ROOT)
    (media / "appeals").mkdir(parents=True)
    (media / "appeals" / "скан.pdf").write_bytes(b"%PDF-1.4 the scan")

    report = _run("backup")
    [archive] = Path(settings.BACKUP_DIR).glob("otklik-*.tar.gz")
    assert f"Архив: {archive}" in report and "обращений 1" in report and "файлов: 1" in report
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # personal data and the key: owner only
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert {"manifest.json", "secret.key", "media/appeals/скан.pdf"} <= names
    assert manifest["counts"]["appeals"] == 1 and manifest["migrations"]["appeals"].startswith("00")

    # Life goes on after the backup: a new appeal, a lost file, a new key.
    _submit(personas, text="Второе обращение о питании в школе № 5, прошу проверить.")
    (media / "appeals" / "скан.pdf").unlink()
    (var / "secret.key").write_text("a-new-key")

    with pytest.raises(CommandError, match="повторите команду с --yes"):
        _run("restore", str(archive))
    assert Appeal.objects.count() == 2  # nothing changed without the confirmation

    report = _run("restore", str(archive), "--yes")
    assert "Восстановлено" in report and "Текущие данные сохранены в архив" in report
    assert list(Appeal.objects.values_list("number", flat=True)) == [kept.number]
    assert (media / "appeals" / "скан.pdf").read_bytes() == b"%PDF-1.4 the scan"
    assert (var / "secret.key").read_text() == "the-old-key"
    # The state before the restore is an archive of its own, with both appeals in it.
    safety = [p for p in Path(settings.BACKUP_DIR).glob("otklik-*.tar.gz") if p != archive]
    with tarfile.open(safety[0]) as tar:
        assert json.loads(tar.extractfile("manifest.json").read())["counts"]["appeals"] == 2


def _tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"readme.txt": b"hello"}, "не архив резервной копии Отклика"),
        ({"manifest.json": b"{not json"}, "не архив резервной копии Отклика"),
        ({"manifest.json": json.dumps({"format": 99}).encode()}, "Формат архива"),
        (
            {"manifest.json": json.dumps({"format": 1, "engine": "oracle"}).encode()},
            "восстановите его в установку с той же базой",
        ),
    ],
)
@pytest.mark.django_db
def test_what_is_not_an_archive_of_ours_is_refused_in_russian(personas, var, tmp_path, members, message):
    _submit(personas)
    path = _tar(tmp_path / "x.tar.gz", members)
    with pytest.raises(CommandError, match=message):
        _run("restore", str(path), "--yes")
    assert Appeal.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_archive_reaching_outside_its_folder_is_refused(personas, var, tmp_path):
    from django.db import connection

    manifest = json.dumps({"format": 1, "engine": connection.vendor}).encode()
    path = _tar(tmp_path / "evil.tar.gz", {"manifest.json": manifest, "../../evil.txt": b"x"})
    with pytest.raises(CommandError, match="недопустимый путь «../../evil.txt»"):
        _run("restore", str(path), "--yes")
    assert not (tmp_path.parent / "evil.txt").exists() and Appeal.objects.count() == 0
    with pytest.raises(CommandError, match="не найден"):
        _run("restore", str(tmp_path / "missing.tar.gz"), "--yes")


def test_only_the_newest_archives_are_kept(tmp_path):
    import os

    for age, stamp in enumerate(("20261203-010000", "20261202-010000", "20261201-010000")):
        (tmp_path / f"otklik-{stamp}.tar.gz").write_bytes(b"x")
        os.utime(tmp_path / f"otklik-{stamp}.tar.gz", (1_800_000_000 - age * 86400,) * 2)
    (tmp_path / "notes.txt").write_text("не архив")
    removed = backups_prune(output_dir=tmp_path, keep=2)
    assert [p.name for p in removed] == ["otklik-20261201-010000.tar.gz"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "notes.txt",
        "otklik-20261202-010000.tar.gz",
        "otklik-20261203-010000.tar.gz",
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_writes_an_archive_every_night_and_keeps_the_newest(personas, var, settings):
    from datetime import UTC, datetime, timedelta

    import time_machine
    from django_tasks_db.models import DBTaskResult

    from otklik.core import tasks
    from otklik.testing import run_due_tasks

    settings.BACKUP_KEEP = 0
    assert tasks.ensure_scheduled() is False  # off by default: nothing queued
    settings.BACKUP_KEEP = 2
    evening = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # 18:00 of the installation (Moscow)
    with time_machine.travel(evening, tick=False):
        assert tasks.ensure_scheduled() is True and tasks.ensure_scheduled() is False
    waiting = DBTaskResult.objects.get(task_path=tasks.NIGHTLY_PATH, status="READY")
    assert timezone_local(waiting.run_after) == "08.12.2026 03:00"
    for night in range(3):
        with time_machine.travel(waiting.run_after + timedelta(minutes=1), tick=False):
            assert run_due_tasks() == 1
        waiting = DBTaskResult.objects.get(task_path=tasks.NIGHTLY_PATH, status="READY")
        assert timezone_local(waiting.run_after) == f"{9 + night:02d}.12.2026 03:00"
    archives = sorted(p.name for p in Path(settings.BACKUP_DIR).glob("otklik-*.tar.gz"))
    assert archives == ["otklik-20261209-030100.tar.gz", "otklik-20261210-030100.tar.gz"]


def timezone_local(moment) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_health_says_whether_the_nightly_backup_is_fresh(client, personas, var, settings):
    import os
    import time

    assert client.get("/health").json()["backup"] == "off"
    settings.BACKUP_KEEP = 3
    assert client.get("/health").json()["backup"] == "absent"
    _run("backup")
    body = client.get("/health").json()
    assert body["backup"] == "ok" and 0 <= body["backup_age_s"] < 60
    [archive] = Path(settings.BACKUP_DIR).glob("otklik-*.tar.gz")
    old = time.time() - 40 * 3600
    os.utime(archive, (old, old))
    assert client.get("/health").json()["backup"] == "stale"
    assert str(settings.BACKUP_DIR) not in client.get("/health").content.decode()
