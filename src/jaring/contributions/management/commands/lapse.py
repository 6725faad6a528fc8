from jaring.common.clock import local_date
from jaring.common.commands import JaringCommand, parse_date
from jaring.contributions.services import statuses_refresh
from jaring.contributions.tasks import month_end_statuses


class Command(JaringCommand):
    help = (
        "Month-end lapse run: `jaring lapse run [--as-of DATE]` marks active / in arrears / lapsed "
        "for the month; `--enqueue` hands it to `jaring worker` instead. Schedule it on the 1st "
        "(cron, systemd timer)."
    )

    def add_command_arguments(self, parser):
        parser.add_argument("action", choices=["run"])
        parser.add_argument("--as-of", help="YYYY-MM-DD (default today)")
        parser.add_argument("--enqueue", action="store_true", help="run it in the background worker")

    def run(self, *args, action, as_of, enqueue, json, **options):
        day = parse_date(as_of) if as_of else local_date()
        if enqueue:
            result = month_end_statuses.enqueue(day.isoformat())
            self.stdout.write(f"enqueued task {result.id}")
            return
        counts = statuses_refresh(today=day)
        if json:
            self.emit({"as_of": day.isoformat(), "statuses": counts})
            return
        self.stdout.write(f"statuses as of {day}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
