from django.core.management.base import BaseCommand, CommandError

from otklik.incidents.collector import source_collect
from otklik.incidents.models import VkSource
from otklik.incidents.monitoring import token_configured


class Command(BaseCommand):
    help = "Один проход мониторинга ВКонтакте: читает новые записи источников и регистрирует инциденты."

    def add_arguments(self, parser):
        parser.add_argument("--source", type=int, help="номер источника (по умолчанию все включённые)")
        parser.add_argument(
            "--dry-run", action="store_true", help="только прочитать и оценить: ничего не записывать"
        )

    def handle(self, *args, source=None, dry_run=False, **options):
        if not token_configured():
            raise CommandError("Не задан ключ доступа ВКонтакте: переменная окружения VK_SERVICE_TOKEN.")
        sources = VkSource.objects.select_related("region", "territory").order_by("pk")
        if source is not None:
            sources = sources.filter(pk=source)
            if not sources.exists():
                raise CommandError(f"Источник №{source} не найден.")
        else:
            sources = sources.filter(is_active=True)
        totals = dict.fromkeys(["read", "relevant", "created", "duplicates", "errors"], 0)
        for item in sources:
            report = source_collect(source=item, dry_run=dry_run)
            head = f"№{item.pk} {item.name} (vk.com/{item.screen_name})"
            if report.skipped:
                self.stdout.write(f"{head}: пропущен — {report.skipped}")
                continue
            for key in totals:
                totals[key] += getattr(report, key)
            line = _counts(report.__dict__)
            if report.error:
                line += f"; ошибка ВКонтакте: {report.error}"
            if report.notice:
                line += f"; {report.notice}"
            self.stdout.write(f"{head}: {line}")
        self.stdout.write(f"Итого: {_counts(totals)}.")
        if dry_run:
            self.stdout.write("Пробный проход: ничего не записано, инциденты не созданы.")


def _counts(values: dict) -> str:
    return (
        f"найдено {values['read']}, подходящих {values['relevant']}, новых инцидентов {values['created']}, "
        f"повторов {values['duplicates']}, ошибок {values['errors']}"
    )
