from django.core.exceptions import ValidationError

from jaring.accounts.audit import Actor
from jaring.common.clock import local_date
from jaring.common.commands import JaringCommand, parse_date
from jaring.monitoring.permanence import permanence_report, segment_as_dict
from jaring.monitoring.services import permanence_shares_set
from jaring.org.models import Office


class Command(JaringCommand):
    help = (
        "Informal workers by how permanent their work is: `jaring permanence report --office CODE` (the "
        "branch's unreached segments, ranked, with the arithmetic) and `jaring permanence shares --permanent "
        "0.5 --seasonal 0.3 --mobile 0.2 --from YYYY-MM-DD [--region CODE]`."
    )
    json_option = False

    def add_command_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        report = sub.add_parser("report", help="a branch's segments, the most unreached first")
        report.add_argument("--office", required=True, help="a branch (code, e.g. KC-BPN)")
        report.add_argument("--as-of", help="YYYY-MM-DD (default today)")
        report.add_argument("--limit", type=int, default=20, help="lines to print (the JSON holds all)")
        shares = sub.add_parser("shares", help="set the share of each class, as the default or for a regency")
        shares.add_argument("--permanent", required=True)
        shares.add_argument("--seasonal", required=True)
        shares.add_argument("--mobile", required=True)
        shares.add_argument("--from", dest="effective_from", required=True, help="YYYY-MM-DD")
        shares.add_argument("--region", default="", help="a regency/city code; none: the default")
        shares.add_argument("--source", default="")
        for action in (report, shares):
            action.add_argument("--json", action="store_true", help="print JSON for scripts")

    def run(self, *args, action, **options):
        return self.report(**options) if action == "report" else self.shares(**options)

    def report(self, *, office, as_of, limit, json, **options):
        found = Office.objects.filter(code=office).first()
        if found is None:
            raise ValidationError({"office": [f"No office has the code {office}."]})
        report = permanence_report(found, as_of=parse_date(as_of) if as_of else local_date())
        if json:
            self.emit(
                {
                    "office": found.code,
                    "as_of": report.as_of.isoformat(),
                    "by_class": {k: dict(zip(("potential", "registered", "active"), v, strict=True))
                                 for k, v in report.by_class().items()},
                    "segments": [segment_as_dict(segment) for segment in report.segments],
                }
            )  # fmt: skip
            return
        self.stdout.write(
            f"{found.code}  {found.name}, {report.as_of}: unreached informal workers, by segment"
        )
        for segment in report.segments[:limit]:
            self.stdout.write(f"  {segment.regency} {segment.regency_name:<22} {segment.permanence:<9} "
                              f"{segment.arithmetic()}")  # fmt: skip

    def shares(self, *, permanent, seasonal, mobile, effective_from, region, source, json, **options):
        rows = permanence_shares_set(
            shares={"permanent": permanent, "seasonal": seasonal, "mobile": mobile},
            effective_from=parse_date(effective_from), region_code=region, source=source, actor=Actor.cli(),
        )  # fmt: skip
        data = {
            "ok": True,
            "region": region or None,
            "shares": {row.permanence: str(row.share) for row in rows},
        }
        if json:
            self.emit(data)
        else:
            self.stdout.write(f"saved: {data['shares']}")
