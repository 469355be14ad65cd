"""`otklik staff import ФАЙЛ [--region КОД] [--dry-run]` / `otklik staff export ФАЙЛ [--region КОД]`."""

from django.core.management.base import BaseCommand, CommandError

from otklik.accounts.events import CONSOLE
from otklik.accounts.staff_io import (
    StaffImportError,
    staff_export_csv,
    staff_export_xlsx,
    staff_import,
    staff_parse,
)
from otklik.lib.commands import existing_file, one_region, transfer_arguments, write_export


class Command(BaseCommand):
    help = "Импорт и экспорт сотрудников региона и их ролей в CSV или XLSX."

    def add_arguments(self, parser):
        transfer_arguments(parser, files=".csv или .xlsx")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="только проверить файл: ничего не записывать и не отправлять",
        )

    def handle(self, *args, action: str, path: str, region: str | None, dry_run: bool, **options):
        target = one_region(region)
        if action == "export":
            xlsx = path.lower().endswith(".xlsx")
            content = staff_export_xlsx(region=target) if xlsx else staff_export_csv(region=target)
            write_export(self, path, content, f"Сотрудники региона выгружены в {path}.")
            return
        file = existing_file(path)
        try:
            result = staff_import(
                region=target,
                rows=staff_parse(content=file.read_bytes(), filename=file.name),
                actor=None,
                actor_label=CONSOLE,
                dry_run=dry_run,
                filename=file.name,
            )
        except StaffImportError as exc:
            raise CommandError(
                "Сотрудники не загружены, ничего не записано:\n  " + "\n  ".join(exc.problems)
            ) from exc
        self.stdout.write(f"Регион «{target.name}». {result.summary()}")
