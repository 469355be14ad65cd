"""`otklik mail_intake [--region CODE]`: read the appeals mailbox once, now (the worker reads it every
OTKLIK_IMAP_INTERVAL_S by itself); checks the mailbox settings on a new installation."""

from django.core.management.base import BaseCommand, CommandError

from otklik.appeals.mail_intake import MailIntakeError, poll


class Command(BaseCommand):
    help = "Прочитать новые письма почтового ящика обращений (OTKLIK_IMAP_*) и зарегистрировать их."

    def add_arguments(self, parser):
        parser.add_argument(
            "--region", help="код региона (по умолчанию — OTKLIK_IMAP_REGION или единственный)"
        )

    def handle(self, *args, region: str | None, **options):
        try:
            result = poll(region_code=region)
        except MailIntakeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(result.summary())
