import getpass
from contextlib import nullcontext
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError

from jaring.common.commands import JaringCommand, parse_date
from jaring.common.replica import replica_reads
from jaring.monitoring.exports import FORMATS, report_text, report_write
from jaring.monitoring.formatting import Style
from jaring.monitoring.models import Contest
from jaring.monitoring.queries import (
    contest_get,
    contest_leaderboard,
    contest_monev,
    contest_period,
    contest_winners,
)
from jaring.monitoring.reports import leaderboard_report, monev_report
from jaring.monitoring.services import contest_define, contest_period_close


def _output_options(parser) -> None:
    parser.add_argument("--as-of", help="YYYY-MM-DD (default today): count the days up to this one")
    parser.add_argument("--format", choices=FORMATS, help="export as XLSX or PDF (with --output)")
    parser.add_argument("--output", help="the file to write with --format")
    parser.add_argument("--lang", choices=["id", "en"], default="id", help="report language (default id)")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")


class Command(JaringCommand):
    help = (
        "Contests between outlets: `define FILE.yaml` (create or update), `list`, `leaderboard CODE "
        "[--period P]`, `winners CODE --period P`, `close CODE --period P` (keep its standings, make its "
        "winners final), `monev CODE [--as-of DATE]`; exports with "
        "--format xlsx|pdf --output FILE."
    )
    json_option = False

    def add_command_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        define = sub.add_parser("define", help="create or update contests from a YAML file")
        define.add_argument("file")
        define.add_argument("--json", action="store_true", help="print JSON for scripts")
        listing = sub.add_parser("list", help="the contests and their periods")
        listing.add_argument("--json", action="store_true", help="print JSON for scripts")
        board = sub.add_parser("leaderboard", help="the ranking of one period (live while it runs)")
        board.add_argument("code")
        board.add_argument("--period", help="period code (default: the one running, else the last started)")
        _output_options(board)
        winners = sub.add_parser("winners", help="the winners of a closed period")
        winners.add_argument("code")
        winners.add_argument("--period", required=True)
        _output_options(winners)
        closing = sub.add_parser("close", help="close a period that is over: its winners become final")
        closing.add_argument("code")
        closing.add_argument("--period", required=True)
        closing.add_argument("--json", action="store_true", help="print JSON for scripts")
        monev = sub.add_parser("monev", help="totals and growth per period, overall and per outlet")
        monev.add_argument("code")
        _output_options(monev)

    # The running figures read from the read replica when there is one (as the contest pages do);
    # defining and closing, and the winners a close has just made final, read the primary.
    REPLICA_READS = frozenset({"leaderboard", "monev"})

    def run(self, *args, action, **options):
        with replica_reads() if action in self.REPLICA_READS else nullcontext():
            return getattr(self, action)(**options)

    def define(self, *, file, json, **options):
        path = Path(file)
        if not path.is_file():
            raise ValidationError({"file": f"No such file: {file}"})
        try:
            spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            raise ValidationError({"file": f"Not valid YAML: {error}"}) from error
        specs = spec.get("contests") if isinstance(spec, dict) and "contests" in spec else [spec]
        said = f"jaring contest define {path.name} by {getpass.getuser()}"
        contests = [contest_define(spec=item, actor=None, summary=said) for item in specs]
        if json:
            self.emit({"ok": True, "contests": [self._describe(contest) for contest in contests]})
            return
        for contest in contests:
            self.stdout.write(f"contest {contest.code}: {contest.name} ({contest.periods.count()} periods)")

    def list(self, *, json, **options):
        contests = [self._describe(contest) for contest in Contest.objects.all()]
        if json:
            self.emit({"contests": contests})
            return
        for contest in contests:
            periods = ", ".join(f"{p['code']} {p['start']}..{p['end']}" for p in contest["periods"])
            self.stdout.write(f"{contest['code']}  {contest['name']}  [{contest['metric']}]  {periods}")

    @staticmethod
    def _describe(contest: Contest) -> dict:
        return {
            "code": contest.code,
            "name": contest.name,
            "metric": contest.metric,
            "periods": [
                {
                    "code": period.code,
                    "start": period.start.isoformat(),
                    "end": period.end.isoformat(),
                    "prizes": list(period.prizes.values_list("amount", flat=True)),
                    "closed": period.closed_at is not None,
                }
                for period in contest.periods.order_by("start")
            ],
        }

    def leaderboard(self, *, code, period, as_of, **options):
        board = contest_leaderboard(contest_get(code), period, parse_date(as_of) if as_of else None)
        self._out(board.as_json(), leaderboard_report(board, Style(options["lang"])), **options)

    def winners(self, *, code, period, as_of, **options):
        board = contest_winners(contest_get(code), period, parse_date(as_of) if as_of else None)
        data = board.as_json()
        data["rows"] = [row for row in data["rows"] if row["prize"] > 0]
        self._out(data, leaderboard_report(board, Style(options["lang"])), **options)

    def close(self, *, code, period, json, **options):
        chosen = contest_period(contest_get(code), period)
        said = f"jaring contest close by {getpass.getuser()}"
        closed = contest_period_close(period=chosen, actor=None, summary=said)
        board = contest_leaderboard(closed.contest, closed)
        if json:
            self.emit({"ok": True, **board.as_json(), "closed_at": closed.closed_at.isoformat()})
            return
        self.stdout.write(f"closed {code} {closed.code}: {len(board.rows)} standings kept")
        for row in board.winners:
            self.stdout.write(f"  {row.rank}. {row.outlet} {row.name}: {row.value:,} (Rp{row.prize:,})")

    def monev(self, *, code, as_of, **options):
        result = contest_monev(contest_get(code), parse_date(as_of) if as_of else None)
        self._out(result.as_json(), monev_report(result, Style(options["lang"])), **options)

    def _out(self, data, report, *, json, format, output, **options):
        if format:
            if not output:
                raise ValidationError({"output": "--format needs --output FILE"})
            path = report_write(report, Path(output), format)
            if json:
                self.emit({"ok": True, "file": str(path), "format": format})
            else:
                self.stdout.write(f"wrote {path}")
            return
        if json:
            self.emit(data)
        else:
            self.stdout.write(report_text(report))
