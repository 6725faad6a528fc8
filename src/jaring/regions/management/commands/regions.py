import time

from django.core.management.base import BaseCommand

from jaring.regions.models import Region
from jaring.regions.services import regions_load


class Command(BaseCommand):
    help = "Kemendagri regions: `load` (idempotent) or `count`."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load", "count"])

    def handle(self, *args, action, **options):
        if action == "count":
            for level in Region.Level:
                self.stdout.write(f"{level.label}: {Region.objects.filter(level=level).count():,}")
            return
        started = time.perf_counter()
        summary = regions_load()
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{summary.regions:,} regions loaded ({summary.with_population:,} with population) "
            f"in {seconds:.1f} s"
        )
