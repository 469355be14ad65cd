"""`otklik runbot`: the Telegram bot by long polling; `--set-webhook URL` switches to webhook mode."""

import asyncio
import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

log = logging.getLogger("otklik.telegram")


class Command(BaseCommand):
    help = "Запускает Telegram-бота (long polling) или регистрирует вебхук (--set-webhook URL)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--set-webhook",
            metavar="URL",
            help="зарегистрировать вебхук (https://…/telegram/webhook/) с TELEGRAM_WEBHOOK_SECRET и выйти",
        )
        parser.add_argument(
            "--delete-webhook", action="store_true", help="снять вебхук (вернуться к long polling) и выйти"
        )

    def handle(self, *args, set_webhook: str | None = None, delete_webhook: bool = False, **options):
        if not settings.TELEGRAM_BOT_TOKEN:
            raise CommandError(
                "Не задан TELEGRAM_BOT_TOKEN: укажите токен бота от @BotFather в переменной окружения."
            )
        if set_webhook:
            if not settings.TELEGRAM_WEBHOOK_SECRET:
                raise CommandError("Для вебхука задайте TELEGRAM_WEBHOOK_SECRET (латиница, цифры, _ и -).")
            asyncio.run(self._set_webhook(set_webhook))
            self.stdout.write(self.style.SUCCESS(f"Вебхук зарегистрирован: {set_webhook}"))
            return
        if delete_webhook:
            asyncio.run(self._delete_webhook())
            self.stdout.write(self.style.SUCCESS("Вебхук снят."))
            return
        if settings.TELEGRAM_MODE == "webhook":
            raise CommandError(
                "TELEGRAM_MODE=webhook: обновления принимает веб-сервер (/telegram/webhook/), "
                "runbot не нужен. Для long polling задайте TELEGRAM_MODE=polling."
            )
        asyncio.run(self._poll())

    async def _set_webhook(self, url: str) -> None:
        from otklik.channels.telegram.bot import ALLOWED_UPDATES, create_bot

        bot = create_bot()
        async with bot.session:
            await bot.set_webhook(
                url, secret_token=settings.TELEGRAM_WEBHOOK_SECRET, allowed_updates=ALLOWED_UPDATES
            )
            await self._publish_commands(bot)

    async def _publish_commands(self, bot) -> None:
        """The command menu is a convenience: a refusal is reported, and the bot still runs."""
        from aiogram.exceptions import TelegramAPIError

        from otklik.channels.telegram.bot import publish_commands

        try:
            listed = await publish_commands(bot)
        except TelegramAPIError as exc:
            log.warning("setMyCommands refused: %s", exc)
            self.stderr.write(f"Меню команд не обновлено: {exc}")
            return
        self.stdout.write("Меню команд: " + ", ".join(f"/{c.command}" for c in listed))

    async def _delete_webhook(self) -> None:
        from otklik.channels.telegram.bot import create_bot

        bot = create_bot()
        async with bot.session:
            await bot.delete_webhook()

    async def _poll(self) -> None:
        from otklik.channels.telegram.bot import ALLOWED_UPDATES, create_bot, create_dispatcher

        bot = create_bot()
        dp = create_dispatcher()
        async with bot.session:
            me = await bot.me()
            # Polling and a webhook exclude each other; an old webhook would make getUpdates fail.
            await bot.delete_webhook()
            await self._publish_commands(bot)
            self.stdout.write(f"Бот @{me.username} запущен (long polling). Остановить: Ctrl-C.")
            await dp.start_polling(bot, allowed_updates=ALLOWED_UPDATES, handle_signals=True)
