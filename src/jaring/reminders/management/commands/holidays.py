from django.core.management.base import CommandError

from jaring.accounts.audit import Actor
from jaring.common.clock import local_date
from jaring.common.commands import JaringCommand, parse_date
from jaring.reminders.models import HolidayCorrection
from jaring.reminders.queries import holidays_in, month_due_date, public_holidays
from jaring.reminders.services import holiday_correction_clear, holiday_correction_set
from jaring.rules.months import Month


class Command(JaringCommand):
    help = (
        "Holidays the due date moves past: `jaring holidays list [--year YYYY]` shows Indonesia's public "
        "holidays with the operator's corrections and each month's due date; `add DATE NAME` adds a day "
        "(collective leave, an Islamic holiday on the announced day); `remove DATE NAME` takes out a "
        "day the calendar has wrong; `clear DATE` takes a correction back."
    )

    def add_command_arguments(self, parser):
        parser.add_argument("action", choices=["list", "add", "remove", "clear"])
        parser.add_argument("day", nargs="?", help="YYYY-MM-DD (add, remove, clear)")
        parser.add_argument("name", nargs="?", help="the holiday's name or the reason (add, remove)")
        parser.add_argument("--source", default="", help="the decree or announcement")
        parser.add_argument("--year", type=int, help="list: the year (default this year)")

    def run(self, *args, action, day, name, source, year, json, **options):
        if action == "list":
            return self.list(year or local_date().year, json=json)
        if not day:
            raise CommandError(f"`jaring holidays {action}` needs a date: YYYY-MM-DD")
        when = parse_date(day)
        if action == "clear":
            cleared = holiday_correction_clear(day=when, actor=Actor.cli())
            self.stdout.write(
                f"{when}: correction taken back" if cleared else f"{when}: no correction to take back"
            )
            return
        change = HolidayCorrection.Change.ADDED if action == "add" else HolidayCorrection.Change.REMOVED
        correction = holiday_correction_set(
            day=when, name=name or "", change=change, source=source, actor=Actor.cli()
        )
        due = month_due_date(Month.from_date(when))
        if json:
            self.emit(
                {"day": when.isoformat(), "change": correction.change, "name": correction.name, "due": due}
            )
        else:
            self.stdout.write(
                f"{when} {correction.change}: {correction.name}; {Month.from_date(when)} is due {due}"
            )

    def list(self, year, *, json):
        days = holidays_in([year])
        package = public_holidays([year])
        corrections = {c.day: c for c in HolidayCorrection.objects.filter(day__year=year)}
        dues = {str(Month.of(year, m)): month_due_date(Month.of(year, m)) for m in range(1, 13)}
        if json:
            self.emit(
                {
                    "year": year,
                    "holidays": [
                        {"day": d.isoformat(), "name": n, "corrected": d in corrections}
                        for d, n in sorted(days.items())
                    ],
                    "removed": [
                        {"day": d.isoformat(), "name": package.get(d, ""), "reason": c.name}
                        for d, c in sorted(corrections.items())
                        if c.change == HolidayCorrection.Change.REMOVED
                    ],
                    "due_dates": {month: due.isoformat() for month, due in dues.items()},
                }
            )
            return
        for d, n in sorted(days.items()):
            mark = " (operator)" if d in corrections else ""
            self.stdout.write(f"{d} {n}{mark}")
        for d, c in sorted(corrections.items()):
            if c.change == HolidayCorrection.Change.REMOVED:
                self.stdout.write(f"{d} not a holiday (operator): {c.name}")
        self.stdout.write("due dates: " + ", ".join(f"{m} {due:%d}" for m, due in dues.items()))
