from django.core.management import call_command
from django.core.management.base import BaseCommand

from jaring.regions.models import Region
from jaring.regions.services import regions_load

REGION_COUNT = 91_599


class Command(BaseCommand):
    help = "Prepare a database: migrate, seed rates and occupations, load the regions, collect static files."

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("database migrated (rates and occupations seeded)")
        if Region.objects.count() < REGION_COUNT:
            summary = regions_load()
            self.stdout.write(f"{summary.regions:,} regions loaded")
        else:
            self.stdout.write("regions already loaded")
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write("static files collected")
