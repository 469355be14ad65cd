"""`otklik run`: start the whole system (web, worker, and the bot when configured); Ctrl-C stops all."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import get_commands
from django.core.management.base import BaseCommand

from otklik.accounts.demo import ACCOUNTS as DEMO_ACCOUNTS
from otklik.accounts.models import User
from otklik.core.demo import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Запускает веб-сервер, фоновый исполнитель задач и (если задан TELEGRAM_BOT_TOKEN) бота."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, host: str, port: int, **options):
        python = sys.executable
        procs: dict[str, subprocess.Popen] = {}
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        commands = {
            "веб-сервер": [
                python,
                "-m",
                "uvicorn",
                "otklik.asgi:application",
                "--host",
                host,
                "--port",
                str(port),
                "--no-access-log",
                "--timeout-graceful-shutdown",
                "5",
            ],
            "исполнитель задач": [python, "-m", "otklik.cli", "worker"],
        }
        if settings.TELEGRAM_BOT_TOKEN and settings.TELEGRAM_MODE == "polling":
            if "runbot" in get_commands():
                commands["телеграм-бот"] = [python, "-m", "otklik.cli", "runbot"]
            else:
                self.stderr.write("TELEGRAM_BOT_TOKEN задан, но бот в этой версии ещё не подключён.")
        for name, cmd in commands.items():
            procs[name] = subprocess.Popen(cmd, env=env, start_new_session=True)
        self._banner(host, port, list(procs))

        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        while not stopping:
            for name, proc in procs.items():
                if proc.poll() is not None:
                    self.stderr.write(
                        f"Процесс «{name}» завершился с кодом {proc.returncode}; останавливаю остальные."
                    )
                    exit_code = proc.returncode or 1
                    stopping = True
                    break
            time.sleep(0.5)
        self.stdout.write("Останавливаю процессы…")
        for proc in procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for proc in procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        self.stdout.write("Все процессы остановлены.")
        if exit_code:
            sys.exit(exit_code)

    def _banner(self, host: str, port: int, names: list[str]) -> None:
        url = f"http://{host}:{port}/"
        self.stdout.write(self.style.SUCCESS(f"\nОтклик работает: {url}"))
        self.stdout.write(f"Проверка состояния: {url}health")
        self.stdout.write("Запущены: " + ", ".join(names))
        demo = User.objects.filter(username__in=[login for login, *_ in DEMO_ACCOUNTS])
        if demo.exists():
            self.stdout.write(
                f"Демо-входы (пароль для всех: {DEMO_PASSWORD}), страница входа {url}accounts/login/:"
            )
            for user in demo.order_by("pk").prefetch_related("memberships__organization"):
                roles = "; ".join(
                    f"{m.get_role_display()} — {m.organization}" for m in user.memberships.all()
                )
                self.stdout.write(f"  {user.username:<12} {roles}")
        self.stdout.write("Остановить всё: Ctrl-C\n")
