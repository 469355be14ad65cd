from django.core.management.base import BaseCommand, CommandError

from otklik.lib.commands import existing_file, one_region, transfer_arguments, write_export
from otklik.routing.topics_io import (
    TopicImportError,
    topics_export_csv,
    topics_export_yaml,
    topics_import,
    topics_parse,
)


class Command(BaseCommand):
    help = "Импорт и экспорт классификатора тематик (CSV или YAML)."

    def add_arguments(self, parser):
        transfer_arguments(parser, files=".csv/.yaml")
        parser.add_argument("--format", choices=["csv", "yaml"], help="формат экспорта")

    def handle(self, *args, action: str, path: str, region: str | None, format: str | None, **options):
        target = one_region(region)
        if action == "export":
            fmt = format or ("yaml" if path.endswith((".yaml", ".yml")) else "csv")
            text = topics_export_yaml(region=target) if fmt == "yaml" else topics_export_csv(region=target)
            write_export(self, path, text, f"Классификатор выгружен в {path}.")
            return
        file = existing_file(path)
        try:
            result = topics_import(
                region=target, rows=topics_parse(content=file.read_bytes(), filename=file.name)
            )
        except TopicImportError as exc:
            raise CommandError("Классификатор не загружен:\n  " + "\n  ".join(exc.problems)) from exc
        self.stdout.write(f"Загружено: новых {result.created}, обновлено {result.updated}.")
