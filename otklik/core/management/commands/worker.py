"""`otklik worker`: django-tasks-db's worker plus a heartbeat that /health reports."""

import logging
import os
import threading

from django.db import close_old_connections, connection, transaction
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from otklik.core.services import heartbeat_beat

log = logging.getLogger("otklik.worker")
HEARTBEAT_EVERY_S = 15


def _beat_forever(stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            close_old_connections()
            heartbeat_beat(name="worker", detail=f"pid {os.getpid()}")
        except Exception:
            log.exception("heartbeat failed")
        finally:
            connection.close()
        stop.wait(HEARTBEAT_EVERY_S)


class Command(DbWorkerCommand):
    help = "Фоновый исполнитель задач (сроки, напоминания, доставка ответов) с сигналом работоспособности."

    def handle(self, *args, **options):
        options["reload"] = False
        from otklik.analytics.tasks import ensure_scheduled
        from otklik.core.tasks import ensure_scheduled as ensure_nightly_backup
        from otklik.privacy.tasks import ensure_scheduled as ensure_retention_sweep

        ensure_scheduled()
        ensure_retention_sweep()
        ensure_nightly_backup()
        from otklik.incidents.monitoring import polling_ensure

        polling_ensure()
        from otklik.appeals.tasks import mail_intake_ensure

        mail_intake_ensure()
        from otklik.kb.tasks import hubs_ensure, warm_soon
        from otklik.orgs.models import Region

        hubs_ensure()
        with transaction.atomic():  # the warm-ups are queued when this commits
            for region_id in Region.objects.values_list("pk", flat=True):
                warm_soon(region_id)
        stop = threading.Event()
        thread = threading.Thread(target=_beat_forever, args=(stop,), name="heartbeat", daemon=True)
        thread.start()
        try:
            return super().handle(*args, **options)
        finally:
            stop.set()
