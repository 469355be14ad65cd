"""`otklik region import ФАЙЛ.yaml` / `otklik region export ФАЙЛ.yaml --region КОД`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from otklik.orgs.models import Region
from otklik.orgs.transfer import RegionFileError, region_export, region_import, region_parse


class Command(BaseCommand):
    help = "Импорт и экспорт структуры региона (регион, территории, организации) в YAML."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["import", "export"])
        parser.add_argument("path", help="файл .yaml (для экспорта «-» — вывод на экран)")
        parser.add_argument("--region", help="код региона для экспорта (по умолчанию — единственный)")

    def handle(self, *args, action: str, path: str, region: str | None, **options):
        if action == "export":
            regions = Region.objects.filter(code=region) if region else Region.objects.all()
            if regions.count() != 1:
                raise CommandError(
                    "Укажите регион: --region КОД." if regions.exists() else "Регион не найден."
                )
            text = region_export(regions.get())
            if path == "-":
                self.stdout.write(text)
            else:
                Path(path).write_text(text, encoding="utf-8")
                self.stdout.write(f"Структура региона выгружена в {path}.")
            return
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"Файл {path} не найден.")
        try:
            result = region_import(region_parse(file.read_bytes()))
        except RegionFileError as exc:
            raise CommandError("Регион не загружен:\n  " + "\n  ".join(exc.problems)) from exc
        self.stdout.write(
            f"Регион «{result.region.name}» {'создан' if result.region_created else 'обновлён'}: "
            f"территорий {result.territories}, организаций новых {result.organizations_created}, "
            f"обновлено {result.organizations_updated}."
        )
