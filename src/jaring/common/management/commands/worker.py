from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background worker (imports, month-end runs, reports) on the database task queue."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="process what is queued, then stop")

    def handle(self, *args, batch, **options):
        call_command("db_worker", batch=batch)
