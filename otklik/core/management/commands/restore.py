"""`otklik restore ARCHIVE [--yes]`: bring an installation back to an archive of `otklik backup`."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from otklik.core.backup import (
    BackupError,
    backup_check,
    backup_create,
    backup_read_manifest,
    backup_restore,
)


class Command(BaseCommand):
    help = "Восстановление из архива otklik backup: база, файлы и ключ установки (текущие сохраняются рядом)."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="файл otklik-ГГГГММДД-ЧЧММСС.tar.gz")
        parser.add_argument("--yes", action="store_true", help="да, заменить текущие данные архивом")

    def handle(self, *args, archive: Path, yes: bool, **options):
        try:
            manifest = backup_read_manifest(archive)
            backup_check(manifest)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        counts = manifest.get("counts", {})
        self.stdout.write(
            f"Архив от {manifest.get('created_at', '?')}, версия {manifest.get('version', '?')}, "
            f"база {manifest.get('engine', '?')}: регионов {counts.get('regions', '?')}, "
            f"обращений {counts.get('appeals', '?')}, файлов {manifest.get('media_files', '?')}."
        )
        if not yes:
            raise CommandError(
                "Восстановление заменит текущие базу и файлы данными архива. Остановите веб-сервер, "
                "исполнитель задач и бота, затем повторите команду с --yes."
            )
        try:
            safety = backup_create(output_dir=Path(settings.BACKUP_DIR))
            self.stdout.write(f"Текущие данные сохранены в архив {safety.path}")
            backup_restore(path=archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(
            "Восстановлено; миграции текущей версии применены. "
            "Запустите веб-сервер, исполнитель задач и бота."
        )
