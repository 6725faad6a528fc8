import getpass
from contextlib import nullcontext
from pathlib import Path

from django.core.exceptions import ValidationError

from jaring.channels.models import Agent
from jaring.common.commands import JaringCommand, parse_date
from jaring.common.replica import replica_reads
from jaring.monitoring.contests import parse_rupiah
from jaring.monitoring.exports import FORMATS, report_text, report_write
from jaring.monitoring.formatting import Style
from jaring.monitoring.models import Target
from jaring.monitoring.queries import office_get, outlet_get, owner_status, target_status
from jaring.monitoring.reports import target_report
from jaring.monitoring.services import informal_share_set, potential_set, target_set
from jaring.monitoring.targets import year_period
from jaring.regions.models import Region


def _owner_options(parser, required=True) -> None:
    owner = parser.add_mutually_exclusive_group(required=required)
    owner.add_argument("--office", help="office code (KP, KW07, KC-BPN)")
    owner.add_argument("--outlet", help="outlet code")
    owner.add_argument("--agent", help="agent code")


class Command(JaringCommand):
    help = (
        "Targets: `set` a target of an office, outlet or agent; `status` of an office (rolled up its "
        "subtree, with penetration), outlet or agent; `potential` loads a staff figure of the potential "
        "market; `share` sets the informal-worker share used for the estimate."
    )
    json_option = False

    def add_command_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        put = sub.add_parser("set", help="set a target (creates it or replaces its value)")
        _owner_options(put)
        put.add_argument("--metric", required=True, choices=Target.Metric.values)
        put.add_argument("--year", type=int, help="a calendar year (or --start and --end)")
        put.add_argument("--start", help="YYYY-MM-DD")
        put.add_argument("--end", help="YYYY-MM-DD")
        put.add_argument("--value", required=True, help="a count, or rupiah for contributions")
        put.add_argument("--segment", default="BPU", help="BPU (default), PU, JAKON, PMI, or '' for all")
        put.add_argument("--note", default="")
        status = sub.add_parser("status", help="achievement, projection and status of the targets")
        _owner_options(status)
        status.add_argument("--as-of", help="YYYY-MM-DD (default today)")
        status.add_argument("--year", type=int, help="targets of this year (default: the year of --as-of)")
        status.add_argument("--format", choices=FORMATS, help="export as XLSX or PDF (with --output)")
        status.add_argument("--output", help="the file to write with --format")
        status.add_argument("--lang", choices=["id", "en"], default="id", help="report language (default id)")
        market = sub.add_parser("potential", help="load a staff figure of the potential market")
        where = market.add_mutually_exclusive_group(required=True)
        where.add_argument("--region", help="a regency/city code, e.g. 64.71")
        where.add_argument(
            "--office", help="an office: the figure is spread over its regencies by population"
        )
        market.add_argument("--workers", required=True, type=int)
        market.add_argument("--effective", required=True, help="YYYY-MM-DD: in force from this day")
        market.add_argument("--source", default="")
        share = sub.add_parser("share", help="set the informal share of the population (e.g. 0.5795)")
        share.add_argument("--share", required=True, help="the informal share of the employed (0.5795)")
        share.add_argument(
            "--employed", default="1", help="the employed per resident (0.5076); 1: the share is of residents"
        )
        share.add_argument("--effective", required=True, help="YYYY-MM-DD: in force from this day")
        share.add_argument("--source", default="")
        for p in (put, status, market, share):
            p.add_argument("--json", action="store_true", help="print JSON for scripts")

    def run(self, *args, action, **options):
        # A status report reads from the read replica when there is one, as the dashboards do.
        with replica_reads() if action == "status" else nullcontext():
            return getattr(self, f"do_{action}")(**options)

    @staticmethod
    def _owner(office, outlet, agent) -> dict:
        if office:
            return {"office": office_get(office)}
        if outlet:
            return {"outlet": outlet_get(outlet)}
        found = Agent.objects.filter(code=agent).first()
        if found is None:
            raise ValidationError({"agent": f"Unknown agent {agent}."})
        return {"agent": found}

    def do_set(
        self, *, office, outlet, agent, metric, year, start, end, value, segment, note, json, **options
    ):
        if year:
            start, end = year_period(year)
        elif start and end:
            start, end = parse_date(start), parse_date(end)
        else:
            raise ValidationError({"period": "Give --year, or --start and --end."})
        target = target_set(
            metric=metric,
            start=start,
            end=end,
            value=parse_rupiah(value, "value"),
            segment=segment,
            note=note,
            **self._owner(office, outlet, agent),
            actor=None,
            summary=f"jaring target set by {getpass.getuser()}",
        )
        if json:
            self.emit({"ok": True, "target": target.pk, "value": target.value})
        else:
            self.stdout.write(f"target set: {target}")

    def do_status(self, *, office, outlet, agent, as_of, year, format, output, lang, json, **options):
        day = parse_date(as_of) if as_of else None
        owner = self._owner(office, outlet, agent)
        if office:
            status = target_status(owner["office"], day, year=year)
        else:
            status = owner_status(**owner, as_of=day, year=year)
        report = target_report(status, Style(lang))
        if format:
            if not output:
                raise ValidationError({"output": "--format needs --output FILE"})
            path = report_write(report, Path(output), format)
            self.emit({"ok": True, "file": str(path)}) if json else self.stdout.write(f"wrote {path}")
            return
        if json:
            self.emit(status.as_json())
        else:
            self.stdout.write(report_text(report))

    def do_potential(self, *, region, office, workers, effective, source, json, **options):
        where = (
            {"office": office_get(office)}
            if office
            else {"region": Region.objects.filter(code=region).first()}
        )
        if not office and where["region"] is None:
            raise ValidationError({"region": f"Unknown region {region}."})
        rows = potential_set(
            workers=workers,
            effective_from=parse_date(effective),
            source=source,
            **where,
            actor=None,
            summary=f"jaring target potential by {getpass.getuser()}",
        )
        if json:
            self.emit({"ok": True, "regions": {row.region_id: row.workers for row in rows}})
        else:
            for row in rows:
                self.stdout.write(f"{row.region_id}: {row.workers:,} from {row.effective_from}")

    def do_share(self, *, share, effective, source, json, employed="1", **options):
        row = informal_share_set(
            share=share,
            employed=employed,
            effective_from=parse_date(effective),
            source=source,
            actor=None,
            summary=f"jaring target share by {getpass.getuser()}",
        )
        if json:
            self.emit({"ok": True, "share": str(row.share), "employed": str(row.employed),
                       "effective_from": row.effective_from.isoformat()})  # fmt: skip
        else:
            self.stdout.write(
                f"informal share {row.share} of {row.employed} employed from {row.effective_from}"
            )
