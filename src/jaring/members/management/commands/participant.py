from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from jaring.accounts.audit import Actor
from jaring.channels.models import Agent, Outlet
from jaring.common.clock import local_date
from jaring.common.commands import JaringCommand, parse_date, parse_moment
from jaring.common.errors import DuplicateRegistration
from jaring.contributions.queries import participant_status
from jaring.members.codes import participant_payment_code
from jaring.members.queries import participant_find
from jaring.members.services import participant_register
from jaring.members.services.merge import participant_merge
from jaring.rules.money import format_rupiah


class Command(JaringCommand):
    help = (
        "Participants: `jaring participant register ...`, `jaring participant show NIK|NUMBER` and "
        "`jaring participant merge SURVIVOR ABSORBED --reason TEXT` (two records decided one person)."
    )

    def add_command_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        reg = sub.add_parser("register", help="register a worker (the same rules as every channel)")
        reg.add_argument("--nik", required=True)
        reg.add_argument("--name", required=True)
        reg.add_argument("--birth-date", required=True, help="YYYY-MM-DD")
        reg.add_argument("--sex", required=True, choices=["M", "F"])
        reg.add_argument("--phone", default="")
        reg.add_argument("--village", required=True, help="village code, e.g. 64.71.01.1001")
        reg.add_argument("--occupation", required=True, help="occupation code, e.g. PEDAGANG_PASAR")
        reg.add_argument("--income", required=True, help="declared monthly income in rupiah")
        reg.add_argument("--programmes", default="JKK+JKM")
        reg.add_argument("--outlet", required=True, help="outlet code")
        reg.add_argument("--agent", help="agent code")
        reg.add_argument("--registered-at", help="for operators migrating records: YYYY-MM-DD")
        reg.add_argument("--event", default="", help="the code of the event the worker signed up at")
        show = sub.add_parser("show", help="status, paid-through month, covered months, payments")
        show.add_argument("identifier", help="NIK or participant number")
        show.add_argument("--as-of", help="YYYY-MM-DD (default today)")
        merge = sub.add_parser(
            "merge", help="merge two records of one person (their pair decided the same person)"
        )
        merge.add_argument("survivor", help="NIK or participant number of the record that stays")
        merge.add_argument("absorbed", help="NIK or participant number of the record merged into it")
        merge.add_argument("--reason", default="", help="why (kept with the merge)")
        for p in (reg, show, merge):
            p.add_argument("--json", action="store_true", help="print JSON for scripts")

    def run(self, *args, action, **options):
        return {"register": self.register, "show": self.show, "merge": self.merge}[action](**options)

    def merge(self, *, survivor, absorbed, reason, json, **options):
        found = {}
        for name, identifier in (("survivor", survivor), ("absorbed", absorbed)):
            found[name] = participant_find(identifier)
            if found[name] is None:
                raise ValidationError({name: f"No participant with NIK or number {identifier}."})
        result = participant_merge(
            survivor=found["survivor"], absorbed=found["absorbed"], actor=Actor.cli(), reason=reason
        )
        done = result.merge
        data = {
            "ok": True,
            "created": result.created,
            "survivor": found["survivor"].number,
            "absorbed": found["absorbed"].number,
            "entries_moved": done.entries_moved,
            "amount_moved": done.amount_moved,
            "double_paid": done.double_paid,
            "double_paid_amount": done.double_paid_amount,
            "settled_as": done.settled_as,
            "deposit_moved": done.deposit_moved,
            "claims_moved": done.claims_moved,
        }
        if json:
            self.emit(data)
            return
        said = "merged" if result.created else "was merged before"
        self.stdout.write(
            f"{data['absorbed']} {said} into {data['survivor']}: {done.entries_moved} entries moved "
            f"({format_rupiah(done.amount_moved)} recorded again)"
        )
        if done.double_paid_amount:
            months = ", ".join(month["month"] for month in done.double_paid)
            self.stdout.write(
                f"  paid twice: {months} ({format_rupiah(done.double_paid_amount)}, {done.settled_as})"
            )

    def register(
        self,
        *,
        nik,
        name,
        birth_date,
        sex,
        phone,
        village,
        occupation,
        income,
        programmes,
        outlet,
        agent,
        registered_at,
        event,
        json,
        **options,
    ):
        outlet_row = Outlet.objects.select_related("partner").filter(code=outlet).first()
        errors = {}
        if outlet_row is None:
            errors["outlet"] = [f"Unknown outlet {outlet}."]
        agent_row = Agent.objects.filter(code=agent).first() if agent else None
        if agent and agent_row is None:
            errors["agent"] = [f"Unknown agent {agent}."]
        if errors:
            raise ValidationError(errors)
        try:
            registration = participant_register(
                nik=nik,
                name=name,
                birth_date=parse_date(birth_date),
                sex=sex,
                phone=phone,
                village_code=village,
                occupation_code=occupation,
                declared_income=income,
                programmes=programmes,
                outlet=outlet_row,
                agent=agent_row,
                registered_at=parse_moment(registered_at),
                event_code=event,
                actor=Actor.cli(),
                history_allowed=True,  # the operator may record history (audited as such)
            )
        except DuplicateRegistration as duplicate:
            if json:
                self.emit(
                    {"ok": False, "errors": duplicate.message_dict, "existing": duplicate.participant.number}
                )
            else:
                self.stderr.write(duplicate.message_dict["nik"][0])
            raise CommandError("duplicate NIK", returncode=2) from None
        participant = registration.participant
        data = {
            "ok": True,
            "number": participant.number,
            "payment_code": participant_payment_code(participant),
            "name": participant.name,
            "office": participant.office.code if participant.office else None,
            "outlet": participant.outlet.code,
            "channel": participant.channel,
            "warnings": list(registration.warnings),
        }
        if json:
            self.emit(data)
            return
        self.stdout.write(f"registered {participant.name}: participant number {participant.number}")
        for warning in registration.warnings:
            self.stdout.write(f"  warning: {warning}")

    def show(self, *, identifier, as_of, json, **options):
        participant = participant_find(identifier)
        if participant is None:
            raise CommandError(f"no participant with NIK or number {identifier}")
        day: date = parse_date(as_of) if as_of else local_date()
        status = participant_status(participant, as_of=day)
        data = {**status.as_dict(), "payment_code": participant_payment_code(participant)}
        if json:
            self.emit(data)
            return
        self.stdout.write(f"{participant.number} {participant.name} (NIK {participant.masked_nik})")
        self.stdout.write(f"  status on {day}: {data['status']}, paid through {data['paid_through'] or '-'}")
        if data["merged_into"]:
            self.stdout.write(f"  merged into participant number {data['merged_into']}")
        self.stdout.write(f"  registered {data['registered_month']} at {data['outlet']} ({data['channel']})")
        self.stdout.write(f"  payment code {data['payment_code']}")
        covered = ", ".join(f"{run['first']}..{run['last']}" for run in data["covered"]) or "-"
        self.stdout.write(f"  covered: {covered}")
        for payment in data["payments"]:
            self.stdout.write(
                f"  {payment['paid_at'][:10]} {payment['kind']:<12} "
                f"{payment['first_month']} x{payment['months']}"
                f" {format_rupiah(payment['amount'])} ref {payment['reference']}"
            )
        prices = ", ".join(f"{n} mo {format_rupiah(total)}" for n, total in data["next_prices"].items())
        self.stdout.write(f"  next: {prices}")
