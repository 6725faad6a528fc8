from django.utils.translation import gettext as _

from jaring.accounts.audit import Actor
from jaring.channels.models import Agent, Outlet
from jaring.common import clock
from jaring.common.commands import JaringCommand
from jaring.common.errors import Problem, problems_error
from jaring.contributions.remittances import Period, collector_balances, collectors
from jaring.contributions.services import remittance_record
from jaring.rules.money import format_rupiah


class Command(JaringCommand):
    help = (
        "Market collectors' remittances: `jaring remittance record --outlet CODE [--agent CODE] --amount N "
        "--reference REF [--at DATE] [--note TEXT]` records money a collector handed over (a retry with "
        "the same reference records nothing); `jaring remittance balance [--outlet CODE] [--month YYYY-MM | "
        "--from DATE --to DATE]` reconciles each collector's deposits against its remittances, with what "
        "it still owes."
    )

    def add_command_arguments(self, parser):
        parser.add_argument("action", choices=["record", "balance"])
        parser.add_argument("--outlet", help="the collector's outlet code")
        parser.add_argument("--agent", help="record: the agent (of the outlet's staff) who handed it over")
        parser.add_argument("--amount", help="record: whole rupiah (250000 or 250.000)")
        parser.add_argument("--reference", help="record: the collector's reference (slip or transfer number)")
        parser.add_argument("--at", help="record: when it was handed over, YYYY-MM-DD[THH:MM] (default now)")
        parser.add_argument("--note", default="", help="record: a note")
        parser.add_argument("--month", help="balance: YYYY-MM (default: this month)")
        parser.add_argument("--from", dest="first", help="balance: first day, YYYY-MM-DD (with --to)")
        parser.add_argument("--to", dest="last", help="balance: last day, YYYY-MM-DD (with --from)")

    def run(self, *args, action, json, **options):
        return getattr(self, f"_{action}")(json=json, **options)

    def _record(self, *, json, outlet, agent, amount, reference, at, note, **options):
        problems = []
        outlet_row = _outlet(outlet, problems)
        agent_row = None
        if agent and (agent_row := Agent.objects.filter(code=agent.strip()).first()) is None:
            problems.append(Problem("agent", "unknown", _("No agent with code %(code)s.") % {"code": agent}))
        rupiah = _amount(amount, problems)
        remitted_at = None
        if at and (remitted_at := clock.parse_moment(at)) is None:
            message = _("%(text)s is not a date: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM.") % {"text": at}
            problems.append(Problem("remitted_at", "invalid", message))
        if problems:
            raise problems_error(problems)
        result = remittance_record(
            outlet=outlet_row,
            agent=agent_row,
            amount=rupiah,
            remitted_at=remitted_at,
            reference=reference or "",
            note=note,
            actor=Actor.cli(),
        )
        remittance = result.remittance
        if json:
            self.emit(
                {
                    "created": result.created,
                    "remittance": remittance.pk,
                    "outlet": outlet_row.code,
                    "agent": agent_row.code if agent_row else None,
                    "amount": remittance.amount,
                    "remitted_at": remittance.remitted_at.isoformat(),
                    "reference": remittance.reference,
                    "note": remittance.note,
                }
            )
            return
        values = {
            "amount": format_rupiah(remittance.amount),
            "outlet": outlet_row.code,
            "day": clock.local_date(remittance.remitted_at).isoformat(),
            "reference": remittance.reference,
        }
        if result.created:
            line = _("Recorded: %(outlet)s remitted %(amount)s on %(day)s (reference %(reference)s).")
        else:
            line = _(
                "Already recorded, nothing added: %(outlet)s remitted %(amount)s on %(day)s (reference "
                "%(reference)s)."
            )
        self.stdout.write(line % values)

    def _balance(self, *, json, outlet, month, first, last, **options):
        problems = []
        outlets = None
        if outlet:
            # the balance of one collector; any other outlet's takings are settled, not remitted
            outlets = list(collectors().filter(code=outlet.strip()))
            if not outlets and _outlet(outlet, problems) is not None:
                message = _(
                    "Outlet %(code)s is not a market collector's: only market collectors remit deposits."
                )
                problems.append(Problem("outlet", "not_collector", message % {"code": outlet.strip()}))
        period = _period(month, first, last, problems)
        if problems:
            raise problems_error(problems)
        balances = collector_balances(period, outlets=outlets)
        totals = {
            key: sum(getattr(balance, key) for balance in balances)
            for key in ("owed_before", "collected", "remitted", "owed")
        }
        if json:
            self.emit(
                {
                    "from": period.first.isoformat(),
                    "to": period.last.isoformat(),
                    "collectors": [balance.as_json() for balance in balances],
                    "total": totals,
                }
            )
            return
        heading = [_("collector"), _("owed before"), _("collected"), _("remitted"), _("still owed")]
        rows = [
            [balance.outlet.code, *(format_rupiah(getattr(balance, key)) for key in totals)]
            for balance in balances
        ]
        if len(rows) > 1:
            rows.append([_("total"), *(format_rupiah(value) for value in totals.values())])
        widths = [max(len(row[column]) for row in (heading, *rows)) for column in range(len(heading))]
        self.stdout.write(
            _("Remittances from %(first)s to %(last)s") % {"first": period.first, "last": period.last}
        )
        for row in (heading, *rows):
            cells = [
                row[0].ljust(widths[0]),
                *(cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)),
            ]
            self.stdout.write("  ".join(cells))
        if not balances:
            self.stdout.write(_("No market collectors."))


def _outlet(code: str | None, problems: list) -> Outlet | None:
    """The outlet by its code; a problem when it is missing or unknown."""
    if not code or not code.strip():
        problems.append(Problem("outlet", "required", _("Give the collector's outlet code.")))
        return None
    found = Outlet.objects.select_related("partner").filter(code=code.strip()).first()
    if found is None:
        problems.append(Problem("outlet", "unknown", _("No outlet with code %(code)s.") % {"code": code}))
    return found


def _amount(text: str | None, problems: list) -> int | None:
    """Whole rupiah as typed (``250000``, ``250.000``); the service says whether it is a valid amount."""
    digits = (text or "").strip().replace(".", "").replace(",", "")
    try:
        return int(digits)
    except ValueError:
        problems.append(Problem("amount", "invalid", _("The amount is a positive whole number of rupiah.")))
        return None


def _period(month: str | None, first: str | None, last: str | None, problems: list) -> Period | None:
    """``--month`` (default: this month in Jakarta) or ``--from`` with ``--to``."""
    if first or last:
        if month:
            problems.append(
                Problem("month", "invalid", _("Give either a month or a range of days, not both."))
            )
            return None
        days = [clock.parse_day(text or "") for text in (first, last)]
        for name, text, day in (("from", first, days[0]), ("to", last, days[1])):
            if day is None:
                message = (
                    _("Give a date as YYYY-MM-DD.")
                    if not text
                    else _("%(text)s is not a date.") % {"text": text}
                )
                problems.append(Problem(name, "invalid", message))
        return Period(*days) if None not in days else None
    if not month:
        return Period.of_month(clock.month_of())
    found = clock.parse_month(month)
    if found is None:
        problems.append(
            Problem("month", "invalid", _("%(text)s is not a month: expected YYYY-MM.") % {"text": month})
        )
        return None
    return Period.of_month(found)
