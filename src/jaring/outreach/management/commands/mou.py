from django.core.management.base import CommandError

from jaring.accounts.audit import Actor
from jaring.common.commands import JaringCommand, parse_date
from jaring.outreach.models import Commitment, Mou
from jaring.outreach.queries import mou_as_dict, mou_find, mou_party_name, mou_report, mous_expiring
from jaring.outreach.services import budget_line_add, commitment_add, mou_create, regulation_issued


class Command(JaringCommand):
    help = (
        "MoUs with local governments and market managers: `jaring mou list [--expiring]`, "
        "`jaring mou add --number --title --party --office --signed --from --to "
        "[--region|--partner|--manager]`, "
        "`jaring mou commit NUMBER --kind --target`, `jaring mou budget NUMBER --payer --year --ceiling`, "
        "`jaring mou regulation NUMBER --issued --reference`, `jaring mou report NUMBER`; each with --json."
    )
    json_option = False

    def add_command_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="MoUs, newest signed first")
        listing.add_argument(
            "--expiring", action="store_true", help="only those ending within the look-ahead"
        )
        listing.add_argument("--today", help="YYYY-MM-DD (default: today)")
        add = sub.add_parser("add", help="register an MoU")
        add.add_argument("--number", required=True)
        add.add_argument("--title", required=True)
        add.add_argument("--party", required=True, choices=Mou.Party.values)
        add.add_argument(
            "--region", default="", help="Kemendagri code of the province, regency/city or village"
        )
        add.add_argument("--partner", default="", help="the market collector partner (code)")
        add.add_argument("--manager", default="", help="the market manager's name (no partner in jaring)")
        add.add_argument("--party-signatory", default="")
        add.add_argument("--office", required=True, help="the BPJS office that signed (code)")
        add.add_argument("--office-signatory", default="")
        add.add_argument("--signed", required=True, help="YYYY-MM-DD")
        add.add_argument("--from", dest="valid_from", required=True, help="YYYY-MM-DD")
        add.add_argument("--to", dest="valid_to", required=True, help="YYYY-MM-DD")
        add.add_argument("--groups", default="", help="payer group codes, comma separated")
        add.add_argument("--note", default="")
        commit = sub.add_parser("commit", help="add a commitment to an MoU")
        commit.add_argument("number")
        commit.add_argument("--kind", required=True, choices=Commitment.Kind.values)
        commit.add_argument("--target", required=True)
        commit.add_argument("--note", default="")
        budget = sub.add_parser("budget", help="add a budget line to the MoU's commitment to cover workers")
        budget.add_argument("number")
        budget.add_argument("--payer", required=True)
        budget.add_argument("--year", required=True)
        budget.add_argument("--ceiling", required=True, help="pagu, whole rupiah")
        budget.add_argument("--account", default="")
        regulation = sub.add_parser("regulation", help="record the regulation an MoU's commitment promised")
        regulation.add_argument("number")
        regulation.add_argument("--issued", required=True, help="YYYY-MM-DD")
        regulation.add_argument("--reference", required=True)
        report = sub.add_parser("report", help="an MoU's commitments, progress, budget lines and forecast")
        report.add_argument("number")
        report.add_argument("--today", help="YYYY-MM-DD (default: today)")
        for action in (listing, add, commit, budget, regulation, report):
            action.add_argument("--json", action="store_true", help="print JSON for scripts")

    def run(self, *args, action, **options):
        return getattr(self, action)(**options)

    def _mou(self, number) -> Mou:
        mou = mou_find(number)
        if mou is None:
            raise CommandError(f"no MoU with number {number}")
        return mou

    def _commitment(self, mou: Mou, kind: str) -> Commitment:
        found = mou.commitments.filter(kind=kind).order_by("id").first()
        if found is None:
            raise CommandError(f"MoU {mou.number} has no commitment of the kind {kind}")
        return found

    def list(self, *, expiring, today, json, **_):
        if expiring:
            mous, ahead = mous_expiring(today=parse_date(today) if today else None)
        else:
            mous = list(
                Mou.objects.select_related("office", "region", "partner").order_by("-signed_on", "number")
            )
            ahead = None
        rows = [mou_as_dict(m) for m in mous]
        if json:
            self.emit({"mous": rows, **({"lookahead": ahead.as_dict()} if ahead else {})})
            return
        for m in mous:
            self.stdout.write(
                f"{m.number:24} {m.valid_from} .. {m.valid_to} {m.office.code:8} "
                f"{mou_party_name(m)}: {m.title}"
            )
        self.stdout.write(f"{len(rows)} MoUs" + (f" ending within {ahead.value} days" if ahead else ""))

    def add(self, *, number, title, party, region, partner, manager, party_signatory, office,
            office_signatory, signed, valid_from, valid_to, groups, note, json, **_):  # fmt: skip
        mou = mou_create(
            number=number,
            title=title,
            party=party,
            region_code=region,
            partner=partner or None,
            manager_name=manager,
            party_signatory=party_signatory,
            office=office,
            office_signatory=office_signatory,
            signed_on=signed,
            valid_from=valid_from,
            valid_to=valid_to,
            payer_groups=[c for c in groups.split(",") if c.strip()],
            note=note,
            actor=Actor.cli(),
        )
        self._done(json, {"ok": True, "mou": mou_as_dict(mou)}, f"registered MoU {mou.number}")

    def commit(self, *, number, kind, target, note, json, **_):
        c = commitment_add(mou=self._mou(number), kind=kind, target=target, note=note, actor=Actor.cli())
        self._done(
            json, {"ok": True, "kind": c.kind, "target": c.target}, f"commitment {c.kind} {c.target} added"
        )

    def budget(self, *, number, payer, year, ceiling, account, json, **_):
        mou = self._mou(number)
        line = budget_line_add(
            commitment=self._commitment(mou, Commitment.Kind.COVER_WORKERS),
            payer=payer,
            year=year,
            ceiling=ceiling,
            account=account,
            actor=Actor.cli(),
        )
        data = {"ok": True, "payer": line.payer.code, "year": line.year, "ceiling": line.ceiling}
        self._done(json, data, f"budget line {line.year} of {line.payer.code} added")

    def regulation(self, *, number, issued, reference, json, **_):
        mou = self._mou(number)
        c = regulation_issued(
            commitment=self._commitment(mou, Commitment.Kind.REGULATION),
            done_on=issued,
            reference=reference,
            actor=Actor.cli(),
        )
        self._done(
            json,
            {"ok": True, "reference": c.reference, "done_on": c.done_on.isoformat()},
            "regulation recorded",
        )

    def report(self, *, number, today, json, **_):
        report = mou_report(self._mou(number), today=parse_date(today) if today else None)
        if json:
            self.emit(report.as_dict())
            return
        data = report.as_dict()
        mou = data["mou"]
        self.stdout.write(f"MoU {mou['number']}: {mou['title']}")
        self.stdout.write(
            f"  with {mou['party_name']} ({mou['party']}), {mou['office']}, "
            f"valid {mou['valid_from']} .. {mou['valid_to']}"
        )
        self.stdout.write(
            f"  payer groups {', '.join(data['payer_groups']) or '-'}: {data['group_members']} members "
            f"in {data['month']}, {data['group_members_covered']} covered"
        )
        for c in data["commitments"]:
            self.stdout.write(
                f"  commitment {c['kind']:14} {c['reached']} of {c['target']}{' (met)' if c['met'] else ''}"
            )
        for b in data["budget_lines"]:
            self.stdout.write(
                f"  budget {b['year']} {b['payer']}: ceiling {_rupiah(b['ceiling'])}, "
                f"billed {_rupiah(b['billed'])}, "
                f"paid {_rupiah(b['paid'])}"
            )
            if b["forecast"]:
                self.stdout.write(f"    forecast {b['forecast_year']}: {b['forecast']['arithmetic']}")
        for row in data["history"]:
            self.stdout.write(f"  {row['month']}: {row['registered']} registered, {row['active']} active")

    def _done(self, json, data, text):
        if json:
            self.emit(data)
        else:
            self.stdout.write(text)


def _rupiah(amount: int) -> str:
    return f"Rp{amount:,}".replace(",", ".")
