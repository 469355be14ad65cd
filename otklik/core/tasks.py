"""Nightly backups by the worker, when `OTKLIK_BACKUP_KEEP` asks for them: an archive at 03:00 of the
installation's time, the oldest ones beyond the number to keep deleted. The task queues the next
night's run itself, as the weekly report and the retention sweep do."""

import logging
from datetime import datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from otklik.core.backup import BackupError, backup_create, backups_prune
from otklik.lib import chains

log = logging.getLogger("otklik.backup")
NIGHTLY_PATH = "otklik.core.tasks.backup_nightly"
AT = time(3, 0)


def next_run(now: datetime) -> datetime:
    """The next 03:00 of the installation's time zone after `now`."""
    local = timezone.localtime(now)
    moment = local.replace(hour=AT.hour, minute=AT.minute, second=0, microsecond=0)
    if moment <= local:
        moment = timezone.make_aware(datetime.combine(local.date() + timedelta(days=1), AT))
    return moment


@task()
def backup_nightly() -> str:
    keep = settings.BACKUP_KEEP
    if keep <= 0:
        return "off"  # switched off since it was queued: the chain ends here
    try:
        made = backup_create(output_dir=Path(settings.BACKUP_DIR))
        removed = backups_prune(output_dir=Path(settings.BACKUP_DIR), keep=keep)
        log.info("backup written", extra={"path": str(made.path), "bytes": made.size, "pruned": len(removed)})
        return str(made.path)
    except BackupError as exc:
        log.error("backup failed: %s", exc)
        return f"failed: {exc}"
    finally:
        chains.arm(backup_nightly, run_after=next_run(timezone.now()))


def ensure_scheduled() -> bool:
    """Queue tonight's backup when backups are on and none is waiting (called when the worker starts)."""
    return settings.BACKUP_KEEP > 0 and chains.arm(backup_nightly, run_after=next_run(timezone.now()))
