"""Backups of a whole installation in one archive, and restoring one (`otklik backup`, `otklik restore`).

An archive (`otklik-YYYYMMDD-HHMMSS.tar.gz`) holds:
* the database — an online copy of the SQLite file through SQLite's backup API (consistent while the
  web server, the worker and the bot keep writing), or `pg_dump --format=custom` of PostgreSQL;
* the stored files (`OTKLIK_MEDIA_ROOT`: citizens' attachments, answer files, picture backgrounds);
* the key file when the installation keeps its key in one (`settings.SECRET_KEY_FILE`, the embedded
  default: `var/secret.key`): signed links,
  survey respondent hashes and sessions depend on it;
* `manifest.json`: when, which version, which database engine, the last migration of every app and
  a few counts, so that a restore can say what it is about to bring back.

Restoring replaces the database and the files with the archive's, after setting the current ones
aside, then applies the migrations of the running version (an archive of an older version comes up
to date). The archive holds personal data and, possibly, the secret key: it is written readable by
its owner only.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_NAME = "database.sqlite3"
PG_NAME = "database.pgdump"
MEDIA_DIR = "media"
SECRET_NAME = "secret.key"  # noqa: S105 - a file name, not a password
PREFIX = "otklik-"
BUSY_WAIT_S = 120
STALE_AFTER_S = 36 * 3600  # a nightly archive older than a night and a half: the last run failed


class BackupError(Exception):
    """A backup or restore that cannot be done, with the reason in Russian."""


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    manifest: dict


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(
            f"Резервное копирование базы «{vendor}» не поддерживается: только SQLite и PostgreSQL."
        )
    return vendor


def _secret_file() -> Path | None:
    """The key file, when the installation keeps its key in one (`settings.SECRET_KEY_FILE`)."""
    path = settings.SECRET_KEY_FILE
    return Path(path) if path and Path(path).is_file() else None


def _archives(folder: Path) -> list[Path]:
    return list(Path(folder).glob(f"{PREFIX}*.tar.gz"))


def _migrations() -> dict[str, str]:
    """The last applied migration of every app (in name order the last one wins)."""
    applied = MigrationRecorder(connection).migration_qs.order_by("app", "name").values_list("app", "name")
    return dict(applied)


def _counts() -> dict[str, int]:
    from otklik.appeals.models import Appeal
    from otklik.kb.models import Article
    from otklik.orgs.models import Region

    return {
        "regions": Region.objects.count(),
        "appeals": Appeal.objects.count(),
        "articles": Article.objects.count(),
    }


def _pg_env() -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment for pg_dump / pg_restore from the Django settings."""
    db = connection.settings_dict
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError as exc:
        raise BackupError(
            f"Не найдена программа {command[0]}: установите клиент PostgreSQL (пакет postgresql-client)."
        ) from exc
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or [""]
        raise BackupError(f"{what} завершился с ошибкой: {detail[0][:300]}")


def _patience(seconds: float = BUSY_WAIT_S):
    """A progress callback for SQLite's backup, which retries a locked database forever: give up
    after `seconds` with the reason instead of hanging."""
    deadline = time.monotonic() + seconds

    def progress(status, remaining, total):
        if time.monotonic() > deadline:
            raise BackupError(
                f"База SQLite занята дольше {int(seconds)} с (идёт долгая запись): повторите позже."
            )

    return progress


def _dump_database(engine: str, target: Path) -> None:
    if engine == "sqlite":
        # SQLite's online backup: page by page from the live connection, consistent while others write.
        connection.ensure_connection()
        with closing(sqlite3.connect(target)) as copy:
            connection.connection.backup(copy, progress=_patience())
        return
    args, env = _pg_env()
    _run(["pg_dump", "--format=custom", "--file", str(target), *args], env, "pg_dump")


def backup_create(*, output_dir: Path, media: bool = True, now: datetime | None = None) -> Backup:
    """Write one archive of the database, the stored files and the key into `output_dir`."""
    engine = _engine()
    now = now or timezone.now()
    output_dir = Path(output_dir)
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"Не удаётся создать папку {output_dir}: {exc.strerror}.") from exc
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M%S")
    path, n = output_dir / f"{PREFIX}{stamp}.tar.gz", 1
    while path.exists():  # two archives within one second (a restore's safety copy right after one)
        n += 1
        path = output_dir / f"{PREFIX}{stamp}-{n}.tar.gz"
    media_root = Path(settings.MEDIA_ROOT)
    files = sorted(p for p in media_root.rglob("*") if p.is_file()) if media and media_root.is_dir() else []
    secret = _secret_file()
    manifest = {
        "format": FORMAT,
        "created_at": now.isoformat(),
        "version": settings.VERSION,
        "engine": engine,
        "migrations": _migrations(),
        "counts": _counts(),
        "media_files": len(files),
        "secret_key": secret is not None,
    }
    with tempfile.TemporaryDirectory(dir=output_dir, prefix=".otklik-backup-") as work:
        dump = Path(work) / (SQLITE_NAME if engine == "sqlite" else PG_NAME)
        _dump_database(engine, dump)
        partial = Path(work) / path.name
        # Owner-only from the first byte: the archive holds personal data and maybe the key.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(data), int(now.timestamp())
            tar.addfile(info, fileobj=io.BytesIO(data))
            tar.add(dump, arcname=dump.name)
            if secret is not None:
                tar.add(secret, arcname=SECRET_NAME)
            for file in files:
                tar.add(file, arcname=f"{MEDIA_DIR}/{file.relative_to(media_root).as_posix()}")
        os.replace(partial, path)  # a half-written archive never carries the final name
    return Backup(path=path, size=path.stat().st_size, manifest=manifest)


def backups_prune(*, output_dir: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` newest archives of `output_dir`; the deleted paths."""
    archives = sorted(_archives(output_dir), key=lambda p: (p.stat().st_mtime_ns, p.name))
    doomed = archives[:-keep] if keep > 0 else []
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def backup_state(*, now_ts: float | None = None) -> dict:
    """For /health: whether nightly backups are on and how old the newest archive is (no path)."""
    newest = max((p.stat().st_mtime for p in _archives(settings.BACKUP_DIR)), default=None)
    age = None if newest is None else int((now_ts or time.time()) - newest)
    if settings.BACKUP_KEEP <= 0:
        state = "off"
    elif age is None:
        state = "absent"
    else:
        state = "ok" if age <= STALE_AFTER_S else "stale"
    return {"backup": state, "backup_age_s": age}


def backup_read_manifest(path: Path) -> dict:
    """The archive's manifest, after checking that it is an Otklik archive this version can restore."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"Файл {path} не найден.")
    try:
        with tarfile.open(path, mode="r:gz") as tar:
            member = tar.getmember(MANIFEST)
            manifest = json.loads(tar.extractfile(member).read().decode())
    except (tarfile.TarError, KeyError, OSError, EOFError, ValueError) as exc:
        raise BackupError(
            f"{path.name} — не архив резервной копии Отклика (нет или повреждён {MANIFEST})."
        ) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"Формат архива {path.name} не поддерживается этой версией Отклика.")
    return manifest


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    """Members that stay inside the target folder (no absolute paths, no .., no links)."""
    members = []
    for member in tar.getmembers():
        name = Path(member.name)
        if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"В архиве недопустимый путь «{member.name[:100]}»: восстановление отменено.")
        members.append(member)
    return members


def backup_check(manifest: dict) -> None:
    """Refuse an archive this installation cannot take (another database engine)."""
    engine = _engine()
    if manifest.get("engine") != engine:
        raise BackupError(
            f"Архив сделан с базой {manifest.get('engine')}, а установка работает на {engine}: "
            "восстановите его в установку с той же базой."
        )


def backup_restore(*, path: Path, now: datetime | None = None) -> dict:
    """Replace the database, the stored files and the key with the archive's; returns the manifest.

    The database is overwritten in place (SQLite's backup API, `pg_restore --clean`): `otklik restore`
    archives the current state first. The files folder and the key are renamed aside with the suffix
    `.before-restore-<time>`."""
    manifest = backup_read_manifest(path)
    backup_check(manifest)
    engine = manifest["engine"]
    suffix = f".before-restore-{timezone.localtime(now or timezone.now()):%Y%m%d-%H%M%S}"
    with (
        tempfile.TemporaryDirectory(prefix="otklik-restore-") as work,
        tarfile.open(path, mode="r:gz") as tar,
    ):
        tar.extractall(work, members=_safe_members(tar), filter="data")
        root = Path(work)
        _restore_database(engine, root)
        media_root = Path(settings.MEDIA_ROOT)
        if media_root.exists():
            media_root.rename(media_root.with_name(media_root.name + suffix))
        if (root / MEDIA_DIR).is_dir():
            shutil.copytree(root / MEDIA_DIR, media_root)
        else:
            media_root.mkdir(parents=True, exist_ok=True)
        archived = root / SECRET_NAME
        if archived.is_file() and settings.SECRET_KEY_FILE:
            secret = Path(settings.SECRET_KEY_FILE)
            if secret.exists() and secret.read_bytes() != archived.read_bytes():
                secret.rename(secret.with_name(secret.name + suffix))
            shutil.copyfile(archived, secret)
            secret.chmod(0o600)
    return manifest


def _restore_database(engine: str, root: Path) -> None:
    if engine == "sqlite":
        source = root / SQLITE_NAME
        if not source.is_file():
            raise BackupError(f"В архиве нет файла базы {SQLITE_NAME}.")
        connection.ensure_connection()
        live = connection.connection
        # Into the live database through the backup API: other connections see the old pages or
        # the new ones, never a half-copied file (copying over the file under WAL would corrupt it).
        with closing(sqlite3.connect(source)) as archived:
            archived.backup(live, progress=_patience())
        return
    source = root / PG_NAME
    if not source.is_file():
        raise BackupError(f"В архиве нет дампа базы {PG_NAME}.")
    args, env = _pg_env()
    connection.close()
    _run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *args, str(source)],
        env,
        "pg_restore",
    )
