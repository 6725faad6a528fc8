from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from jaring.accounts.audit import Actor
from jaring.channels.models import Agent, Outlet
from jaring.common.commands import JaringCommand
from jaring.employers.queries import employer_as_dict, employer_find
from jaring.employers.services import employer_register


class Command(JaringCommand):
    help = "Employers: `jaring employer register ...` and `jaring employer show NUMBER|NIB|NPWP`."
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
        for action in (reg, show):
            action.add_argument("--json", action="store_true", help="print JSON for scripts")

    def run(self, *args, action, **options):
        return self.register(**options) if action == "register" else self.show(**options)

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
