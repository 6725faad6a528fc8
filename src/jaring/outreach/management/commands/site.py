from django.core.management.base import CommandError

from jaring.accounts.audit import Actor
from jaring.common.commands import JaringCommand, parse_date
from jaring.outreach.models import Site
from jaring.outreach.queries import daily_collection, market_target, site_figures, site_find
from jaring.outreach.services import site_create, site_traders_count


class Command(JaringCommand):
    help = (
        "Outreach sites (markets and others): `jaring site list`, "
        "`jaring site add --code --name --kind --village [--mou] [--outlet] [--traders --counted]`, "
        "`jaring site traders CODE --traders --counted`, `jaring site report [CODE]` (without a code: each "
        "branch's government-run markets against its target); each with --json."
    )
    json_option = False

    def add_command_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="sites with what their collector outlet's tallies say")
        listing.add_argument("--office", help="sites of this branch (code)")
        add = sub.add_parser("add", help="register a site")
        add.add_argument("--code", required=True)
        add.add_argument("--name", required=True)
        add.add_argument("--kind", required=True, choices=Site.Kind.values)
        add.add_argument("--village", required=True, help="the village code, e.g. 64.71.06.1001")
        add.add_argument("--mou", default="", help="the MoU it works under (number)")
        add.add_argument("--outlet", default="", help="the collector's outlet (code)")
        add.add_argument("--manager", default="")
        add.add_argument("--traders", default=None)
        add.add_argument("--counted", default=None, help="the day the traders were counted, YYYY-MM-DD")
        traders = sub.add_parser("traders", help="record a new count of a site's traders")
        traders.add_argument("code")
        traders.add_argument("--traders", required=True)
        traders.add_argument("--counted", required=True)
        report = sub.add_parser("report", help="a site's daily collection, or the market target per branch")
        report.add_argument("code", nargs="?")
        report.add_argument("--today", help="YYYY-MM-DD (default: today)")
        for action in (listing, add, traders, report):
            action.add_argument("--json", action="store_true", help="print JSON for scripts")

    def run(self, *args, action, **options):
        return getattr(self, action)(**options)

    def _site(self, code) -> Site:
        site = site_find(code)
        if site is None:
            raise CommandError(f"no site with code {code}")
        return site

    def list(self, *, office, json, **_):
        sites = Site.objects.select_related("office", "village", "mou", "outlet").order_by("code")
        if office:
            sites = sites.filter(office__code=office.strip().upper())
        rows = [f.as_dict() for f in site_figures(list(sites))]
        if json:
            self.emit({"sites": rows})
            return
        for r in rows:
            self.stdout.write(
                f"{r['code']:12} {r['kind']:14} {r['office']:8} {r['mou'] or '-':20} "
                f"traders {r['traders'] or '-'} "
                f"registered {r['registered']} active {r['active']}  {r['name']}"
            )
        self.stdout.write(f"{len(rows)} sites")

    def add(self, *, code, name, kind, village, mou, outlet, manager, traders, counted, json, **_):
        site = site_create(
            code=code,
            name=name,
            kind=kind,
            village_code=village,
            mou=mou or None,
            outlet=outlet or None,
            manager_name=manager,
            traders=traders,
            traders_counted_on=counted,
            actor=Actor.cli(),
        )
        (figures,) = site_figures([site])
        self._done(
            json, {"ok": True, "site": figures.as_dict()}, f"registered site {site.code} ({site.office.code})"
        )

    def traders(self, *, code, traders, counted, json, **_):
        site = site_traders_count(
            site=self._site(code), traders=traders, counted_on=counted, actor=Actor.cli()
        )
        self._done(
            json,
            {"ok": True, "code": site.code, "traders": site.traders},
            f"{site.code}: {site.traders} traders",
        )

    def report(self, *, code, today, json, **_):
        day = parse_date(today) if today else None
        if code:
            site = self._site(code)
            (figures,) = site_figures([site], today=day)
            days = daily_collection(site, today=day)
            data = {
                "site": figures.as_dict(),
                "daily": [
                    {"day": d.isoformat(), "deposits": n, "deposited": s, "paid": p} for d, n, s, p in days
                ],
            }
            if json:
                self.emit(data)
                return
            s = data["site"]
            self.stdout.write(
                f"{s['code']} {s['name']}: registered {s['registered']}, active {s['active']}, "
                f"traders {s['traders'] or '-'}"
            )
            for row in data["daily"]:
                self.stdout.write(
                    f"  {row['day']}: {row['deposits']} deposits Rp{row['deposited']:,}, "
                    f"paid Rp{row['paid']:,}"
                )
            return
        branches, required = market_target(today=day)
        if json:
            self.emit({"required": required.as_dict(), "branches": [b.as_dict() for b in branches]})
            return
        self.stdout.write(
            f"government-run markets under MoU per branch (required {required.value}, {required.source})"
        )
        for b in branches:
            a = b.attainment
            self.stdout.write(
                f"  {b.office.code:8} {a.count} of {a.required}{' met' if a.met else ''}  "
                f"{', '.join(b.markets)}"
            )

    def _done(self, json, data, text):
        if json:
            self.emit(data)
        else:
            self.stdout.write(text)
