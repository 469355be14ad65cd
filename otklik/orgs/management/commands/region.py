"""`otklik region import ФАЙЛ.yaml` / `otklik region export ФАЙЛ.yaml --region КОД`."""

from django.core.management.base import BaseCommand, CommandError

from otklik.lib.commands import existing_file, one_region, transfer_arguments, write_export
from otklik.orgs.transfer import RegionFileError, region_export, region_import, region_parse


class Command(BaseCommand):
    help = "Импорт и экспорт структуры региона (регион, территории, организации) в YAML."

    def add_arguments(self, parser):
        transfer_arguments(
            parser, files=".yaml", region="код региона для экспорта (по умолчанию — единственный)"
        )

    def handle(self, *args, action: str, path: str, region: str | None, **options):
        if action == "export":
            text = region_export(one_region(region))
            write_export(self, path, text, f"Структура региона выгружена в {path}.")
            return
        try:
            result = region_import(region_parse(existing_file(path).read_bytes()))
        except RegionFileError as exc:
            raise CommandError("Регион не загружен:\n  " + "\n  ".join(exc.problems)) from exc
        self.stdout.write(
            f"Регион «{result.region.name}» {'создан' if result.region_created else 'обновлён'}: "
            f"территорий {result.territories}, организаций новых {result.organizations_created}, "
            f"обновлено {result.organizations_updated}."
        )
