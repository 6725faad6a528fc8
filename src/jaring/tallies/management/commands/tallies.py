import getpass
import time

from django.core.management.base import CommandError

from jaring.common.commands import JaringCommand
from jaring.rules.months import Month
from jaring.tallies.services import tallies_rebuild
from jaring.tallies.verify import tallies_verify


class Command(JaringCommand):
    help = (
        "Tallies: `jaring tallies verify` recomputes them from the facts and exits 1 on any difference; "
        "`jaring tallies rebuild` restores them."
    )

    def add_command_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "rebuild"])
        parser.add_argument(
            "--month",
            action="append",
            default=[],
            help="verify: only this month (YYYY-MM; repeat for more), e.g. the month just closed",
        )

    def run(self, *args, action, json, month, **options):
        started = time.perf_counter()
        if action == "rebuild":
            said = f"jaring tallies rebuild by {getpass.getuser()}"
            tallies, deltas = tallies_rebuild(actor=None, summary=said)
            seconds = time.perf_counter() - started
            if json:
                self.emit({"tallies": tallies, "coverage_deltas": deltas, "seconds": round(seconds, 2)})
            else:
                self.stdout.write(
                    f"rebuilt {tallies:,} tallies and {deltas:,} coverage deltas in {seconds:.1f} s"
                )
            return
        try:
            months = [Month.parse(text) for text in month] or None
        except ValueError as error:
            raise CommandError(f"--month is YYYY-MM: {error}") from error
        differences = tallies_verify(months)
        seconds = time.perf_counter() - started
        if json:
            self.emit(
                {
                    "ok": not differences,
                    "differences": [
                        {
                            "what": d.what,
                            "key": [str(part) for part in d.key],
                            "stored": d.stored,
                            "expected": d.expected,
                        }
                        for d in differences[:1000]
                    ],
                    "seconds": round(seconds, 2),
                }
            )
        else:
            for d in differences[:50]:
                self.stdout.write(f"{d.what} {d.key}: stored {d.stored}, facts say {d.expected}")
            verdict = (
                "tallies agree with the facts" if not differences else f"{len(differences):,} differences"
            )
            self.stdout.write(f"{verdict} ({seconds:.1f} s)")
        if differences:
            raise CommandError(
                "tallies differ from the facts; `jaring tallies rebuild` restores them", returncode=1
            )
