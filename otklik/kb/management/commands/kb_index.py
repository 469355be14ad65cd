"""`otklik kb_index`: build each region's answer index now and fill the sentence-vector cache.

`make demo` runs it after seeding, so that the first question in the chat does not wait for the
vectors of the whole knowledge base (tens of seconds); later builds read them from the cache.
"""

import time

from django.core.management.base import BaseCommand

from otklik.kb.engine import registry
from otklik.orgs.models import Region


class Command(BaseCommand):
    help = "Строит поисковый индекс базы знаний каждого региона (векторы сохраняются в кэш)."

    def handle(self, *args, **options):
        regions = list(Region.objects.order_by("pk"))
        if not regions:
            self.stdout.write("Регионов нет — индексировать нечего.")
            return
        for region in regions:
            self.stdout.write(f"Индекс базы знаний: {region.name}…")
            started = time.perf_counter()
            articles = len(registry.engine(region.pk))
            self.stdout.write(f"  статей: {articles}, за {time.perf_counter() - started:.1f} с")
        self.stdout.write(self.style.SUCCESS("Индекс готов."))
