from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from jaring.accounts.audit import Actor
from jaring.channels.models import Agent, Outlet
from jaring.common.clock import start_of_day
from jaring.common.commands import JaringCommand, parse_date
from jaring.employers.bills.services import (
    employer_bill_as_dict,
    employer_bill_issue,
    employer_bill_pay,
    employer_bills_issue,
)
from jaring.employers.models import EmployerBill
from jaring.employers.queries import employer_as_dict, employer_find, employment_as_dict, enrolment_outlet
from jaring.employers.services import employer_register
from jaring.employers.wage_earners.queries import employments_of, segment_counts, segment_history
from jaring.employers.wage_earners.services import Worker, employment_end, employment_start, wage_change
from jaring.members.queries import participant_find
from jaring.rules.months import Month


class Command(JaringCommand):
    help = (
        "Employers: `jaring employer register ...`, `show NUMBER|NIB|NPWP`; their wage earners: `enrol`, "
        "`leave`, `wage`, `worker NIK`; `segments --on DATE` counts participants by segment; their bills: "
        "`bill NUMBER --month`, `pay NUMBER --month --amount --reference`, `bills issue --month`."
    )
    json_option = False  # each action takes its own --json

    def add_command_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        reg = sub.add_parser("register", help="register an employer (the same rules as every channel)")
        reg.add_argument("--name", required=True)
        reg.add_argument("--village", required=True, help="village code, e.g. 64.71.05.1002")
        reg.add_argument("--sector", required=True, help="KBLI 2020 section, A..U (G: trade)")
        reg.add_argument("--workforce", required=True, help="the number of workers declared")
        reg.add_argument("--nib", default="", help="the 13-digit NIB, when the employer has one")
        reg.add_argument("--npwp", default="", help="the 15- or 16-digit NPWP, when it has one")
        reg.add_argument("--risk-class", help="1..5 (default: the sector's)")
        reg.add_argument("--size", help="micro, small, medium or large (default: from the workforce)")
        reg.add_argument("--outlet", help="the outlet that registered it (code)")
        reg.add_argument("--agent", help="the agent that registered it (code)")
        show = sub.add_parser("show", help="an employer's registration")
        show.add_argument("identifier", help="registration number, NIB or NPWP")
        enrol = sub.add_parser("enrol", help="enrol a worker at an employer from a month, at a monthly wage")
        leave = sub.add_parser("leave", help="end a worker's job at an employer")
        wage = sub.add_parser("wage", help="a worker's new wage at an employer from a month")
        for action in (enrol, leave, wage):
            action.add_argument("employer", help="the employer's registration number, NIB or NPWP")
            action.add_argument("--nik", required=True, help="the worker's NIK (or participant number)")
        for action in (enrol, wage):
            action.add_argument("--wage", required=True, help="the monthly wage in rupiah")
            action.add_argument("--from", dest="first_month", required=True, help="the first month, YYYY-MM")
        leave.add_argument("--to", dest="last_month", required=True, help="the job's last month, YYYY-MM")
        enrol.add_argument("--name", help="the worker's name (a NIK not registered yet)")
        enrol.add_argument("--birth-date", help="YYYY-MM-DD (a NIK not registered yet)")
        enrol.add_argument("--sex", help="M or F (a NIK not registered yet)")
        enrol.add_argument("--village", help="the worker's village code (a NIK not registered yet)")
        enrol.add_argument("--occupation", help="occupation code (a NIK not registered yet)")
        enrol.add_argument("--phone", default="")
        enrol.add_argument("--outlet", help="the outlet registering a new worker (default: the employer's)")
        enrol.add_argument("--agent", help="the agent registering a new worker (code)")
        worker = sub.add_parser("worker", help="a participant's segments and jobs with their dates")
        worker.add_argument("nik", help="NIK or participant number")
        segments = sub.add_parser("segments", help="registered and active participants by segment on a day")
        segments.add_argument("--on", required=True, help="the day, YYYY-MM-DD")
        bill = sub.add_parser("bill", help="an employer's bill of a month (issued when it is not yet)")
        pay = sub.add_parser("pay", help="record a payment of an employer's bill of a month")
        for action in (bill, pay):
            action.add_argument("employer", help="the employer's registration number, NIB or NPWP")
            action.add_argument("--month", required=True, help="the contribution month, YYYY-MM")
        pay.add_argument("--amount", required=True, help="the amount paid in rupiah")
        pay.add_argument("--reference", required=True, help="the payment's reference (once per bill)")
        pay.add_argument("--paid-at", help="when it was paid, YYYY-MM-DD (default: now)")
        bills = sub.add_parser("bills", help="issue every employer's bill of a month in one job")
        bills.add_argument("bills_action", choices=["issue"])
        bills.add_argument("--month", required=True, help="the contribution month, YYYY-MM")
        for action in (reg, show, enrol, leave, wage, worker, segments, bill, pay, bills):
            action.add_argument("--json", action="store_true", help="print JSON for scripts")

    def run(self, *args, action, **options):
        return getattr(self, action)(**options)

    def _employer(self, text):
        employer = employer_find(text)
        if employer is None:
            raise CommandError(f"no employer with number, NIB or NPWP {text}")
        return employer

    def _result(self, result, json, verb):
        data = {
            "ok": True,
            "participant_number": result.participant.number,
            "registered": result.registered,
            "employment": employment_as_dict(result.employment),
            "warnings": [{"reason": w.reason, "message": w.message} for w in result.warnings],
        }
        if json:
            self.emit(data)
            return
        job = data["employment"]
        self.stdout.write(
            f"{verb}: participant {data['participant_number']}"
            f"{' (registered now)' if result.registered else ''} at employer {job['employer']}, "
            f"{job['first_month']}..{job['last_month'] or ''} at Rp{job['wage']:,}".replace(",", ".")
        )
        for warning in result.warnings:
            self.stdout.write(f"warning: {warning.message}")

    def enrol(self, *, employer, nik, wage, first_month, outlet, agent, json, **options):
        employer_row = self._employer(employer)
        outlet_row = Outlet.objects.select_related("partner").filter(code=outlet).first() if outlet else None
        if outlet and outlet_row is None:
            raise ValidationError({"outlet": [ValidationError(f"Unknown outlet {outlet}.", code="unknown")]})
        agent_row = Agent.objects.filter(code=agent).first() if agent else None
        if agent and agent_row is None:
            raise ValidationError({"agent": [ValidationError(f"Unknown agent {agent}.", code="unknown")]})
        worker = None
        if options.get("name"):
            worker = Worker(
                name=options["name"],
                birth_date=parse_date(options["birth_date"]) if options.get("birth_date") else None,
                sex=(options.get("sex") or "").upper() or None,
                village_code=options.get("village") or "",
                occupation_code=options.get("occupation") or "",
                phone=options.get("phone") or "",
                outlet=outlet_row or enrolment_outlet(employer_row),
                agent=agent_row,
            )
        result = employment_start(
            employer=employer_row,
            nik=nik,
            wage=wage,
            first_month=first_month,
            worker=worker,
            actor=Actor.cli(),
        )
        self._result(result, json, "enrolled")

    def leave(self, *, employer, nik, last_month, json, **_):
        result = employment_end(
            employer=self._employer(employer), nik=nik, last_month=last_month, actor=Actor.cli()
        )
        self._result(result, json, "job ended")

    def wage(self, *, employer, nik, wage, first_month, json, **_):
        result = wage_change(
            employer=self._employer(employer), nik=nik, wage=wage, first_month=first_month, actor=Actor.cli()
        )
        self._result(result, json, "new wage")

    def worker(self, *, nik, json, **_):
        participant = participant_find(nik)
        if participant is None:
            raise CommandError(f"no participant with NIK or number {nik}")
        jobs = employments_of(participant)
        data = {
            "participant_number": participant.number,
            "registered_segment": participant.segment,
            "segments": [
                {
                    "segment": s.segment,
                    "first_month": str(s.first),
                    "last_month": str(s.last) if s.last else None,
                }
                for s in segment_history(participant, jobs)
            ],
            "employments": [employment_as_dict(job) for job in jobs],
        }
        if json:
            self.emit(data)
            return
        self.stdout.write(f"participant {participant.number}, registered as {participant.segment}")
        for spell in data["segments"]:
            self.stdout.write(f"  {spell['segment']:5} {spell['first_month']}..{spell['last_month'] or ''}")
        for job in data["employments"]:
            self.stdout.write(
                f"  employer {job['employer']} {job['employer_name']}: "
                f"{job['first_month']}..{job['last_month'] or ''} Rp{job['wage']:,}".replace(",", ".")
            )

    def segments(self, *, on, json, **_):
        day = parse_date(on)
        counts = segment_counts(day)
        data = {
            "day": day.isoformat(),
            "segments": [
                {"segment": c.segment, "registered": c.registered, "active": c.active} for c in counts
            ],
        }
        if json:
            self.emit(data)
            return
        self.stdout.write(f"participants by segment on {day.isoformat()} (active: its month)")
        for count in counts:
            self.stdout.write(
                f"  {count.segment:5} registered {count.registered:>10,}  active {count.active:>10,}"
            )

    def bill(self, *, employer, month, json, **_):
        found = self._employer(employer)
        issued = employer_bill_issue(employer=found, month=month, actor=Actor.cli())
        if issued is None:
            raise CommandError(f"employer {found.number} has no worker in {month}: no bill")
        self._bill_show(employer_bill_as_dict(issued), json)

    def pay(self, *, employer, month, amount, reference, paid_at, json, **_):
        found = self._employer(employer)
        try:
            wanted = Month.parse(month)
        except ValueError:
            raise CommandError(f"not a month: {month} (YYYY-MM)") from None
        issued = EmployerBill.objects.filter(employer=found, month=wanted).first()
        if issued is None:
            raise CommandError(f"employer {found.number} has no bill for {month}: issue it first")
        moment = start_of_day(parse_date(paid_at)) if paid_at else None
        result = employer_bill_pay(
            bill=issued, amount=amount, reference=reference, paid_at=moment, actor=Actor.cli()
        )
        data = employer_bill_as_dict(result.bill, lines=False) | {
            "recorded": result.created,
            "covered_now": result.covered,
        }
        if not result.created and not json:
            self.stdout.write(f"reference {reference} was paid before: nothing more is covered")
        self._bill_show(data, json)

    def bills(self, *, bills_action, month, json, **_):
        made = employer_bills_issue(month=month, actor=Actor.cli())
        if json:
            self.emit({"month": month, "issued": made})
            return
        self.stdout.write(f"employer bills for {month}: {made} issued")

    def _bill_show(self, data, json):
        if json:
            self.emit(data)
            return
        self.stdout.write(
            f"bill of employer {data['employer']} {data['employer_name']} for {data['month']}: "
            f"{data['workers']} workers, {_rupiah(data['amount'])} "
            f"(employer {_rupiah(data['employer_share'])}, workers {_rupiah(data['worker_share'])}), "
            f"due {data['due_on']}"
        )
        self.stdout.write(
            f"  {data['status']}: paid {_rupiah(data['paid_amount'])}, "
            f"covered {_rupiah(data['covered_amount'])}, outstanding {_rupiah(data['outstanding'])}, "
            f"late fine {_rupiah(data['fine'])}"
        )
        for line in data.get("lines", ()):
            self.stdout.write(
                f"  {line['participant_number']} wage {_rupiah(line['wage'])}: {_rupiah(line['amount'])}"
            )

    def register(
        self, *, name, village, sector, workforce, nib, npwp, risk_class, size, outlet, agent, json, **_
    ):
        outlet_row = Outlet.objects.select_related("partner").filter(code=outlet).first() if outlet else None
        agent_row = Agent.objects.filter(code=agent).first() if agent else None
        errors = {}
        if outlet and outlet_row is None:
            errors["outlet"] = [ValidationError(f"Unknown outlet {outlet}.", code="unknown")]
        if agent and agent_row is None:
            errors["agent"] = [ValidationError(f"Unknown agent {agent}.", code="unknown")]
        if errors:
            raise ValidationError(errors)
        employer = employer_register(
            name=name,
            village_code=village,
            sector=sector,
            workforce=workforce,
            nib=nib,
            npwp=npwp,
            risk_class=risk_class,
            size=size,
            outlet=outlet_row,
            agent=agent_row,
            actor=Actor.cli(),
        )
        data = {"ok": True, **employer_as_dict(employer)}
        if json:
            self.emit(data)
            return
        self.stdout.write(
            f"registered {employer.name}: employer number {employer.number} "
            f"({employer.size}, risk class {employer.risk_class}, branch {data['office'] or '-'})"
        )

    def show(self, *, identifier, json, **_):
        employer = employer_find(identifier)
        if employer is None:
            raise CommandError(f"no employer with number, NIB or NPWP {identifier}")
        data = employer_as_dict(employer)
        if json:
            self.emit(data)
            return
        self.stdout.write(f"{employer.number} {employer.name} ({employer.status})")
        self.stdout.write(f"  NIB {data['nib'] or '-'}, NPWP {data['npwp'] or '-'}")
        self.stdout.write(
            f"  sector {employer.sector} ({data['sector_name']}), risk class {employer.risk_class}, "
            f"{employer.size} with {employer.workforce:,} workers"
        )
        self.stdout.write(f"  village {employer.village_id}, branch {data['office'] or '-'}")


def _rupiah(amount: int) -> str:
    return f"Rp{amount:,}".replace(",", ".")
