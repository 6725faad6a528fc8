from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from jaring.accounts.audit import Actor
from jaring.common.clock import local_date
from jaring.common.commands import JaringCommand, parse_date
from jaring.events.models import Campaign, Event
from jaring.events.queries import campaign_report, event_yields, report_as_dict, yield_as_dict
from jaring.events.services import campaign_save, event_save
from jaring.rules.money import format_rupiah


class Command(JaringCommand):
    help = (
        "Campaigns and events: `jaring event campaign CODE --name --from --to`, "
        "`jaring event save CODE --name --kind --city --from --to [--campaign] [--attendance] [--cost]`, "
        "`jaring event list`, `jaring event report CODE [--as-of] [--json]` (an event or a campaign)."
    )
    json_option = False

    def add_command_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        campaign = sub.add_parser("campaign", help="create or change a campaign")
        campaign.add_argument("code")
        campaign.add_argument("--name", required=True)
        campaign.add_argument("--from", dest="starts_on", required=True, help="first day, YYYY-MM-DD")
        campaign.add_argument("--to", dest="ends_on", required=True, help="last day, YYYY-MM-DD")
        campaign.add_argument("--note", default="", help="where its figures come from")
        save = sub.add_parser(
            "save", help="create or change an event (its attendance once counted, its cost)"
        )
        save.add_argument("code")
        save.add_argument("--name", required=True)
        save.add_argument("--kind", required=True, choices=Event.Kind.values)
        save.add_argument("--city", required=True, help="regency or city code, e.g. 31.71")
        save.add_argument("--from", dest="starts_on", required=True, help="first day, YYYY-MM-DD")
        save.add_argument("--to", dest="ends_on", required=True, help="last day, YYYY-MM-DD")
        save.add_argument("--campaign", default="", help="campaign code")
        save.add_argument("--office", default="", help="the branch running it (default: the city's)")
        save.add_argument("--target", default="0", help="attendance aimed at")
        save.add_argument("--attendance", default=None, help="attendance counted")
        save.add_argument("--cost", default="0", help="rupiah")
        sub.add_parser("list", help="campaigns and events, newest first")
        report = sub.add_parser("report", help="what an event or a campaign brought")
        report.add_argument("code", help="an event's or a campaign's code")
        report.add_argument("--as-of", help="YYYY-MM-DD (default today)")
        for action in (campaign, save, report):
            action.add_argument("--json", action="store_true", help="print JSON for scripts")

    def run(self, *args, action, **options):
        return getattr(self, action)(**options)

    def campaign(self, *, code, name, starts_on, ends_on, note, json, **options):
        saved = campaign_save(
            actor=Actor.cli(), code=code, name=name, starts_on=_day(starts_on, "starts_on"),
            ends_on=_day(ends_on, "ends_on"), note=note,
        )  # fmt: skip
        self._saved({"ok": True, "campaign": saved.code}, json)

    def save(self, *, code, name, kind, city, starts_on, ends_on, campaign, office, target, attendance, cost,
             json, **options):  # fmt: skip
        saved = event_save(
            actor=Actor.cli(), code=code, name=name, kind=kind, city_code=city,
            starts_on=_day(starts_on, "starts_on"), ends_on=_day(ends_on, "ends_on"), campaign_code=campaign,
            office_code=office, target_attendance=target, attendance=attendance, cost=cost,
        )  # fmt: skip
        self._saved(
            {"ok": True, "event": saved.code, "office": saved.office.code if saved.office else None}, json
        )

    def _saved(self, data: dict, json: bool) -> None:
        if json:
            self.emit(data)
        else:
            self.stdout.write(f"saved {data.get('event') or data.get('campaign')}")

    def list(self, **options):
        for campaign in Campaign.objects.order_by("-starts_on", "code"):
            self.stdout.write(f"{campaign.code}  {campaign.name}  {campaign.starts_on} .. {campaign.ends_on}")
            for event in campaign.events.order_by("starts_on", "code"):
                self.stdout.write(f"  {event.code}  {event.name}  {event.starts_on} .. {event.ends_on}")
        for event in Event.objects.filter(campaign__isnull=True).order_by("-starts_on", "code"):
            self.stdout.write(f"{event.code}  {event.name}  {event.starts_on} .. {event.ends_on}")

    def report(self, *, code, as_of, json, **options):
        as_of = parse_date(as_of) if as_of else local_date()
        code = code.strip().upper()
        campaign = Campaign.objects.filter(code=code).first()
        if campaign is not None:
            report = campaign_report(campaign, as_of=as_of)
            data, lines = report_as_dict(report), [yield_as_dict(item) for item in report.yields]
        else:
            event = Event.objects.filter(code=code).select_related("city", "office").first()
            if event is None:
                raise ValidationError({"code": [f"No event or campaign has the code {code}."]})
            data = yield_as_dict(event_yields([event], as_of=as_of)[0])
            lines = [data]
        if json:
            self.emit(data)
            return
        self.stdout.write(f"{data['code']}  {data['name']}  {data['starts_on']} .. {data['ends_on']}")
        header = f"{'event':<16} {'target':>8} {'attended':>9} {'new':>6} {'already':>8} {'cost/new':>14}"
        self.stdout.write(header + "  still covered after 3 / 6 / 12 months")
        for line in [*lines, *([data] if len(lines) > 1 or campaign else [])]:
            still = " / ".join("-" if v is None else f"{v:,}" for v in line["still_covered"].values())
            cost = "-" if line["cost_per_new"] is None else format_rupiah(line["cost_per_new"])
            name = "total" if line is data and campaign else line["code"]
            attended = "-" if line["attendance"] is None else f"{line['attendance']:,}"
            self.stdout.write(
                f"{name:<16} {line['target_attendance']:>8,} {attended:>9} {line['new']:>6,} "
                f"{line['already_registered']:>8,} {cost:>14}  {still}"
            )


def _day(text: str, name: str):
    try:
        return parse_date(text)
    except CommandError as error:  # the parser's own message names the format
        raise ValidationError({name: [str(error)]}) from error
