from django.core.management.base import CommandError

from jaring.accounts.audit import Actor
from jaring.common.clock import local_date
from jaring.common.commands import JaringCommand, parse_date
from jaring.common.privacy import mask_phone
from jaring.employers.leads.queries import lead_as_dict, lead_find, lead_yield
from jaring.employers.leads.services import lead_contacted, lead_declined, lead_hand_over, lead_register
from jaring.employers.models import Lead
from jaring.employers.queries import employer_find
from jaring.org.models import Office
from jaring.org.queries import in_office_subtree


class Command(JaringCommand):
    help = (
        "SMEs a BPJS branch hands over to a Pos outlet: "
        "`jaring lead hand-over --office --outlet --name ...`, `list`, `contacted NUMBER`, "
        "`declined NUMBER --reason`, `register NUMBER --employer`, "
        "`yield [--office] [--start] [--end]`."
    )
    json_option = False  # each action takes its own --json

    def add_command_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        hand = sub.add_parser(
            "hand-over", help="hand a company over to a Pos outlet (a retry answers the lead)"
        )
        hand.add_argument(
            "--office", required=True, help="the BPJS branch handing it over (code, e.g. KC-KRW)"
        )
        hand.add_argument("--outlet", required=True, help="the Pos outlet it is handed to (code)")
        hand.add_argument("--name", required=True, help="the company's name")
        hand.add_argument("--nib", default="", help="its 13-digit NIB, when it has one")
        hand.add_argument("--village", default="", help="its village code, e.g. 32.15.01.1001")
        hand.add_argument("--phone", default="")
        hand.add_argument("--contact", default="", help="the person to ask for")
        hand.add_argument("--note", default="")
        listing = sub.add_parser("list", help="leads, newest first")
        listing.add_argument("--outlet", help="handed to this outlet (code)")
        listing.add_argument("--office", help="of this office subtree (code)")
        listing.add_argument("--status", choices=Lead.Status.values)
        listing.add_argument("--limit", type=int, default=200)
        contacted = sub.add_parser("contacted", help="the outlet reached the company")
        declined = sub.add_parser("declined", help="the company does not register (say why)")
        register = sub.add_parser("register", help="link the employer the outlet registered for the lead")
        for action in (contacted, declined, register):
            action.add_argument("number", help="the lead's number (e.g. L000000018) or the company's NIB")
        contacted.add_argument("--note", default="")
        declined.add_argument("--reason", required=True)
        register.add_argument("--employer", required=True, help="its registration number, NIB or NPWP")
        report = sub.add_parser("yield", help="what the leads handed over in a period became")
        report.add_argument("--office", help="an office subtree (code)")
        report.add_argument("--start", help="first day handed over, YYYY-MM-DD (default: 1 January)")
        report.add_argument("--end", help="last day, YYYY-MM-DD (default: today)")
        for action in (hand, listing, contacted, declined, register, report):
            action.add_argument("--json", action="store_true", help="print JSON for scripts")

    def run(self, *args, action, **options):
        method = {"hand-over": "hand_over", "yield": "yield_"}.get(action, action)
        return getattr(self, method)(**options)

    def _lead(self, number) -> Lead:
        lead = lead_find(number)
        if lead is None:
            raise CommandError(f"no lead with number or NIB {number}")
        return lead

    def _office(self, code) -> Office | None:
        if not code:
            return None
        office = Office.objects.filter(code=code.strip().upper()).first()
        if office is None:
            raise CommandError(f"no office with code {code}")
        return office

    def _show(self, data: dict, json: bool, verb: str) -> None:
        if json:
            self.emit(data)
            return
        lead = data["lead"]
        self.stdout.write(
            f"{verb}: lead {lead['number']} {lead['name']} ({lead['status']}), "
            f"{lead['office']} to {lead['outlet']}"
            f"{', employer ' + lead['employer'] if lead['employer'] else ''}"
        )

    def hand_over(self, *, office, outlet, name, nib, village, phone, contact, note, json, **_):
        answer = lead_hand_over(
            name=name,
            office=office,
            outlet=outlet,
            nib=nib,
            village_code=village,
            phone=phone,
            contact_name=contact,
            note=note,
            actor=Actor.cli(),
        )
        data = {
            "ok": True,
            "created": answer.created,
            "lead": lead_as_dict(answer.lead, show_phone=mask_phone),
        }
        self._show(data, json, "handed over" if answer.created else "handed over before")

    def list(self, *, outlet, office, status, limit, json, **_):
        leads = Lead.objects.select_related("office", "outlet", "employer")
        if outlet:
            leads = leads.filter(outlet__code=outlet.strip().upper())
        if office:
            root = self._office(office)
            leads = leads.filter(
                in_office_subtree(root, via="office") | in_office_subtree(root, via="outlet__office")
            )
        if status:
            leads = leads.filter(status=status)
        rows = [
            lead_as_dict(lead, show_phone=mask_phone) for lead in leads.order_by("-handed_at", "-id")[:limit]
        ]
        if json:
            self.emit({"leads": rows})
            return
        for row in rows:
            self.stdout.write(
                f"{row['number']} {row['status']:11} {row['handed_at'][:10]} {row['office']:8} "
                f"{row['outlet']:10} {row['name']}{' -> ' + row['employer'] if row['employer'] else ''}"
            )
        self.stdout.write(f"{len(rows)} leads")

    def contacted(self, *, number, note, json, **_):
        lead = lead_contacted(lead=self._lead(number), note=note, actor=Actor.cli())
        self._show({"ok": True, "lead": lead_as_dict(lead, show_phone=mask_phone)}, json, "contacted")

    def declined(self, *, number, reason, json, **_):
        lead = lead_declined(lead=self._lead(number), reason=reason, actor=Actor.cli())
        self._show({"ok": True, "lead": lead_as_dict(lead, show_phone=mask_phone)}, json, "declined")

    def register(self, *, number, employer, json, **_):
        lead = self._lead(number)
        found = employer_find(employer)
        if found is None:
            raise CommandError(f"no employer with number, NIB or NPWP {employer}")
        lead = lead_register(lead=lead, employer=found, actor=Actor.cli())
        self._show({"ok": True, "lead": lead_as_dict(lead, show_phone=mask_phone)}, json, "registered")

    def yield_(self, *, office, start, end, json, **_):
        end_day = parse_date(end) if end else local_date()
        start_day = parse_date(start) if start else end_day.replace(month=1, day=1)
        if start_day > end_day:
            raise CommandError(f"the start ({start_day}) is after the end ({end_day})")
        report = lead_yield(office=self._office(office), start=start_day, end=end_day)
        if json:
            self.emit(report.as_dict())
            return
        self.stdout.write(f"leads handed over {start_day} .. {end_day}, by their status now")
        for title, rows in (("outlet", report.outlets), ("branch", report.branches)):
            self.stdout.write(
                f"  {title:10} {'handed':>7} {'contacted':>9} {'registered':>10} {'declined':>8} "
                f"{'open':>5} {'conv.':>6} {'workers':>7} {'paid':>14}"
            )
            for row in [*rows, report.total] if rows else []:
                data = row.as_dict()
                self.stdout.write(
                    f"  {data['code'] or 'total':10} {data['handed']:>7} {data['contacted']:>9} "
                    f"{data['registered']:>10} {data['declined']:>8} {data['open']:>5} "
                    f"{(data['conversion'] or '-') + ' %':>6} {data['workers']:>7} "
                    f"{_rupiah(data['paid']):>14}"
                )


def _rupiah(amount: int) -> str:
    return f"Rp{amount:,}".replace(",", ".")
