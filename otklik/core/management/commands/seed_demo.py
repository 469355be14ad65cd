import random

from django.core.management.base import BaseCommand
from django.db import transaction

from otklik.core.demo import DemoContext, demo_contributors
from otklik.orgs.models import Region


class Command(BaseCommand):
    help = "Создаёт демонстрационную «Демо-область» со всеми данными (вклад каждого приложения)."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="ничего не делать, если данные уже есть")
        parser.add_argument("--seed", type=int, default=2026, help="зерно генератора случайных чисел")

    def handle(self, *args, if_empty: bool = False, seed: int = 2026, **options):
        if Region.objects.exists():
            if if_empty:
                self.stdout.write("База уже содержит данные — демонстрационные данные не добавляются.")
                return
            self.stderr.write("В базе уже есть регион. Используйте пустую базу или флаг --if-empty.")
            return
        ctx = DemoContext(rng=random.Random(seed), stdout=self.stdout)
        for module in demo_contributors():
            with transaction.atomic():
                module.seed(ctx)
        self.stdout.write(self.style.SUCCESS("Демо-область создана."))
