import getpass
from pathlib import Path

from django.core.management.base import CommandError
from tqdm import tqdm

from jaring.channels.models import Agent
from jaring.common.commands import JaringCommand
from jaring.common.errors import error_dict
from jaring.rules.months import Month


def _month(text: str) -> Month:
    try:
        return Month.parse(text)
    except ValueError:
        raise error_dict("month", f"{text!r} is not a month: expected YYYY-MM") from None


class Command(JaringCommand):
    help = (
        "Perisai agents: `jaring agent statement CODE --month YYYY-MM [--json] [--xlsx F] [--pdf F]`, "
        "`jaring agent statements --month YYYY-MM` (every agent, bulk), `jaring agent lifecycle --month "
        "YYYY-MM` (the monthly run), `jaring agent approve CODE --month YYYY-MM` (a draft statement, as "
        "its branch would), `jaring agent payout --month YYYY-MM --out payout.csv`."
    )

    def add_command_arguments(self, parser):
        parser.add_argument("action", choices=["statement", "statements", "lifecycle", "approve", "payout"])
        parser.add_argument("code", nargs="?", help="the agent code (statement, approve)")
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--xlsx", help="write the statement as XLSX to this file")
        parser.add_argument("--pdf", help="write the statement as PDF to this file")
        parser.add_argument("--language", default=None, help="language of the XLSX/PDF (default: id)")
        parser.add_argument("--out", help="the payout CSV file to write")

    def run(self, *args, action, code, month, json, **options):
        month = _month(month)
        return getattr(self, f"_{action}")(month=month, code=code, json=json, **options)

    def _statement(self, *, month, code, json, xlsx=None, pdf=None, language=None, **options):
        from jaring.perisai.documents import statement_pdf, statement_xlsx
        from jaring.perisai.queries import statement_for, statement_json

        if not code:
            raise error_dict("code", "give the agent code: jaring agent statement CODE --month YYYY-MM")
        agent = Agent.objects.filter(code=code.strip()).first()
        if agent is None:
            raise error_dict("code", f"unknown agent {code!r}")
        statement = statement_for(agent, month)
        for path, write in ((xlsx, statement_xlsx), (pdf, statement_pdf)):
            if path:
                if statement is None:
                    raise error_dict("month", f"{agent.code} has no statement for {month}")
                Path(path).write_bytes(write(statement, language=language))
        data = statement_json(agent, month, statement)
        if json:
            self.emit(data)
            return
        self.stdout.write(f"{agent.code} {agent.name}, {month}: {data['state'] or 'nothing this month'}")
        for key in ("acquisitions", "collected", "commission", "bonus", "total", "carried", "payable"):
            self.stdout.write(f"  {key:<13}{data[key]:>14,}")
        self.stdout.write(f"  {len(data['lines'])} lines")

    def _approve(self, *, month, code, json, **options):
        from django.db import transaction

        from jaring.perisai.models import Statement
        from jaring.perisai.services import statement_approve

        statement = Statement.objects.filter(agent__code=(code or "").strip(), month=month).first()
        if statement is None:
            raise error_dict("code", f"no statement of agent {code!r} for {month}: compute it first")
        with transaction.atomic():
            statement = statement_approve(
                statement=statement, actor=None, summary=f"jaring agent approve by {getpass.getuser()}"
            )
        if json:
            self.emit({"agent": statement.agent.code, "month": str(month), "state": statement.state,
                       "payable": statement.payable})  # fmt: skip
        else:
            self.stdout.write(f"{statement.agent.code} {month}: approved, Rp{statement.payable:,} payable")

    def _statements(self, *, month, json, **options):
        from jaring.perisai.services import statements_compute

        with tqdm(total=5, desc=f"statements {month}", unit="step", disable=json or None) as bar:

            def progress(done, total):
                bar.total = total
                bar.n = done
                bar.refresh()

            result = statements_compute(
                month=month, progress=progress, summary=f"jaring agent statements by {getpass.getuser()}"
            )
        if json:
            self.emit(result.as_json())
        else:
            self.stdout.write(
                f"{result.statements:,} draft statements for {month} ({result.lines:,} lines; "
                f"{result.skipped_closed:,} already approved left as they are) in {result.seconds:.1f} s"
            )

    def _lifecycle(self, *, month, json, **options):
        from jaring.perisai.services import lifecycle_run

        result = lifecycle_run(month=month, by="jaring agent lifecycle")
        if json:
            self.emit(result.as_json())
        else:
            self.stdout.write(
                f"{month}: {len(result.deactivated)} idle agents deactivated "
                f"({', '.join(result.deactivated) or '-'}), {len(result.eligible)} eligible to rejoin "
                f"({', '.join(result.eligible) or '-'})"
            )

    def _payout(self, *, month, json, out=None, **options):
        from jaring.perisai.documents import payout_csv
        from jaring.perisai.models import Payout
        from jaring.perisai.services import payout_create

        if not out:
            raise error_dict("out", "give the file to write: --out payout.csv")
        payout = (
            payout_create(month=month, by=f"jaring agent payout by {getpass.getuser()}")
            or Payout.objects.filter(month=month).order_by("-id").first()
        )
        if payout is None:
            raise CommandError(f"no approved statement of {month} to pay", returncode=1)
        Path(out).write_bytes(payout_csv(payout))
        if json:
            self.emit({"payout": payout.pk, "month": str(month), "statements": payout.statements,
                       "amount": payout.amount, "file": out})  # fmt: skip
        else:
            self.stdout.write(
                f"payout #{payout.pk}: {payout.statements} statements, Rp{payout.amount:,} -> {out}"
            )
