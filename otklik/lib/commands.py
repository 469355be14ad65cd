"""What the import/export console commands share: the region they act on, the file they read, and
writing an export to a file or to the screen."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


def transfer_arguments(parser, *, files: str, region: str = "код региона (по умолчанию — единственный)"):
    """The arguments every `otklik <thing> import|export FILE [--region CODE]` command takes."""
    parser.add_argument("action", choices=["import", "export"])
    parser.add_argument("path", help=f"файл {files} (для экспорта «-» — вывод на экран)")
    parser.add_argument("--region", help=region)


def one_region(code: str | None):
    """The region named by `--region`, or the only one; a Russian CommandError otherwise."""
    from otklik.orgs.models import Region
    from otklik.orgs.selectors import region_named

    region = region_named(code)
    if region is None:
        several = not code and Region.objects.exists()
        raise CommandError("Укажите регион: --region КОД." if several else "Регион не найден.")
    return region


def existing_file(path: str) -> Path:
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"Файл {path} не найден.")
    return file


def write_export(command: BaseCommand, path: str, content: str | bytes, done: str) -> None:
    """`content` (a text, or the bytes of a spreadsheet) to the file `path` (saying `done`), or a
    text to the screen for «-»."""
    if path == "-":
        command.stdout.write(content)
        return
    if isinstance(content, bytes):
        Path(path).write_bytes(content)
    else:
        Path(path).write_text(content, encoding="utf-8")
    command.stdout.write(done)
