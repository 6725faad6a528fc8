import getpass

from django.core.management.base import CommandError

from jaring.accounts.audit import Actor
from jaring.common.clock import month_of
from jaring.common.commands import JaringCommand
from jaring.common.partitions import (
    PARTITIONED,
    is_partitioned,
    partitions_detach,
    partitions_ensure,
    partitions_of,
)
from jaring.rules.months import Month


class Command(JaringCommand):
    help = (
        "Monthly partitions of the ledger, tallies and audit trail (PostgreSQL): `jaring partitions list`; "
        "`jaring partitions ensure [--through YYYY-MM]` makes the months up to then (the month-end run "
        "makes the next months'); `jaring partitions detach --before YYYY-MM` takes older months out of "
        "their tables, to dump and drop (docs/operations.md)."
    )

    def add_command_arguments(self, parser):
        parser.add_argument("action", choices=["list", "ensure", "detach"])
        parser.add_argument("--through", help="YYYY-MM (default: next month)")
        parser.add_argument("--before", help="YYYY-MM: detach the months before this one")

    def run(self, *args, action, through, before, json, **options):
        if action == "ensure":
            last = _month(through, "--through") if through else month_of() + 1
            made = partitions_ensure(through=last)
            self._say(
                {"made": made}, json, f"made {len(made)} partitions" + "".join(f"\n  {n}" for n in made)
            )
            return
        if action == "detach":
            if not before:
                raise CommandError("detach needs --before YYYY-MM")
            detached = partitions_detach(
                before=_month(before, "--before"), actor=Actor(f"cli:{getpass.getuser()}")
            )
            said = f"detached {len(detached)} partitions" + "".join(f"\n  {name}" for name in detached)
            self._say({"detached": detached}, json, said)
            return
        tables = {
            spec.table: partitions_of(spec.table) if is_partitioned(spec.table) else None
            for spec in PARTITIONED
        }
        lines = []
        for table, partitions in tables.items():
            if partitions is None:
                lines.append(f"{table}: not partitioned (SQLite, or not migrated)")
                continue
            lines.append(f"{table}: {len(partitions)} partitions")
            lines += [f"  {name}  {bound}" for name, bound in partitions.items()]
        self._say({"tables": tables}, json, "\n".join(lines))

    def _say(self, data, json, text):
        if json:
            self.emit(data)
        else:
            self.stdout.write(text)


def _month(text: str, option: str) -> Month:
    try:
        return Month.parse(text)
    except ValueError as error:
        raise CommandError(f"{option}: {error}") from None
