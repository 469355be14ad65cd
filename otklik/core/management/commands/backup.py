"""`otklik backup [--output DIR] [--keep N] [--no-media]`: one archive of the database, the stored
files and the key (see `otklik.core.backup`)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from otklik.core.backup import BackupError, backup_create, backups_prune


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} МБ" if n >= 1024 * 1024 else f"{max(1, n // 1024)} КБ"


class Command(BaseCommand):
    help = "Резервная копия: база данных, загруженные файлы и ключ установки в одном архиве."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, help="папка для архива (по умолчанию OTKLIK_BACKUP_DIR или var/backups)"
        )
        parser.add_argument(
            "--keep", type=int, default=0, help="оставить столько последних архивов в папке, старые удалить"
        )
        parser.add_argument("--no-media", action="store_true", help="без загруженных файлов (только база)")

    def handle(self, *args, output: Path | None, keep: int, no_media: bool, **options):
        if keep < 0:
            raise CommandError("--keep — число архивов, 0 или больше.")
        folder = output or Path(settings.BACKUP_DIR)
        try:
            made = backup_create(output_dir=folder, media=not no_media)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        m = made.manifest
        counts = m["counts"]
        self.stdout.write(f"Архив: {made.path} ({_size(made.size)})")
        self.stdout.write(
            f"  база {m['engine']}: регионов {counts['regions']}, обращений {counts['appeals']}, "
            f"статей базы знаний {counts['articles']}"
        )
        self.stdout.write(
            f"  файлов: {m['media_files']}" + ("" if not no_media else " (без файлов: --no-media)")
        )
        if m["secret_key"]:
            self.stdout.write("  ключ установки (var/secret.key) — храните архив так же надёжно, как сервер")
        removed = backups_prune(output_dir=folder, keep=keep)
        if removed:
            self.stdout.write(f"Удалены старые архивы: {len(removed)}")
        self.stdout.write(
            "В архиве персональные данные: храните его не дольше самого короткого срока хранения "
            "(docs/operations.md)."
        )
