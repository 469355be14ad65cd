"""`otklik pd_retention [--dry-run] [--region КОД]`: depersonalise the personal data whose retention
period has ended. The worker's tasks do it one appeal or incident at a time when each period ends;
this is the catch-up for data finished before the tasks existed, for chats (their period restarts
with every message) and after the periods in the settings are shortened. The worker runs the same pass
daily (`privacy.tasks.retention_sweep`); this command is for a first run, a dry run, or one region."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from otklik.orgs.models import Region
from otklik.privacy.services import retention_cutoffs, retention_run

CLASSES = {
    "appeals": ("обращения", "закрытые до", "PD_RETENTION_APPEAL_DAYS", "OTKLIK_PD_APPEAL_DAYS"),
    "conversations": (
        "диалоги в чатах",
        "последнее сообщение до",
        "PD_RETENTION_CHAT_DAYS",
        "OTKLIK_PD_CHAT_DAYS",
    ),
    "incidents": (
        "инциденты в соцсетях",
        "закрытые до",
        "PD_RETENTION_INCIDENT_DAYS",
        "OTKLIK_PD_INCIDENT_DAYS",
    ),
}


class Command(BaseCommand):
    help = "Обезличивает персональные данные, срок хранения которых истёк (152-ФЗ, ст. 5 ч. 7)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="только посчитать, ничего не менять")
        parser.add_argument("--region", help="код региона (по умолчанию — все регионы)")

    def handle(self, *args, dry_run: bool, region: str | None, **options):
        chosen = None
        if region is not None:
            chosen = Region.objects.filter(code=region.strip()).first()
            if chosen is None:
                raise CommandError(f"Регион «{region.strip()[:40]}» не найден.")
        # The chosen region's clock, else the installation's (not whatever zone the process last used).
        zone = ZoneInfo(chosen.timezone if chosen else settings.TIME_ZONE)
        now = timezone.now()
        cutoffs = retention_cutoffs(now=now)
        counts = retention_run(region=chosen, dry_run=dry_run, now=now)
        where = f"регион «{chosen.name}»" if chosen else "все регионы"
        self.stdout.write(
            f"Проверка без изменений ({where}): будет обезличено" if dry_run else f"Обезличено ({where}):"
        )
        for key, (label, before, setting, variable) in CLASSES.items():
            cutoff = cutoffs[key]
            if cutoff is None:
                self.stdout.write(f"  {label}: срок хранения не ограничен ({variable} пуст или 0)")
                continue
            days = getattr(settings, setting)
            self.stdout.write(
                f"  {label}: {counts[key]} (срок {days} дн., {before} "
                f"{timezone.localtime(cutoff, zone):%d.%m.%Y %H:%M})"
            )
