from django.core.management.base import CommandError

from jaring.accounts.audit import Actor
from jaring.channels.models import Outlet
from jaring.common.clock import parse_month
from jaring.common.commands import JaringCommand
from jaring.settlement.models import PaymentChannel
from jaring.settlement.queries import TermsBook, channel_named
from jaring.settlement.services import channel_create, channel_renew, channel_revoke, channel_terms_set


class Command(JaringCommand):
    json_option = False  # each action takes its own --json
    help = (
        "Payment channels (host-to-host): `jaring channel create CODE --name NAME [--outlet CODE]` (prints "
        "the secret once), `jaring channel list`, `jaring channel renew CODE`, `jaring channel revoke CODE`, "
        "`jaring channel terms CODE --from YYYY-MM --cutoff HH:MM --fee N`."
    )

    def add_command_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="make a channel; its secret is printed once")
        create.add_argument("code", help="the channel's code (BNI-H2H)")
        create.add_argument("--name", required=True)
        create.add_argument(
            "--outlet", help="the outlet credited with its payments (default: the outlet coded CODE)"
        )
        create.add_argument(
            "--cutoff", default="00:00", help="end of its business day, HH:MM (default 00:00)"
        )
        create.add_argument("--fee", type=int, default=0, help="rupiah it keeps per payment (default 0)")
        create.add_argument("--fee-share", type=int, default=0, help="and basis points of the amount")
        create.add_argument("--rate-limit", type=int, default=6000, help="requests a minute")
        create.add_argument(
            "--inquiry-alert", type=int, default=20000, help="inquiries an hour before an alert"
        )
        for name in ("renew", "revoke"):
            action = actions.add_parser(name, help=f"{name} the channel's credential")
            action.add_argument("code")
        terms = actions.add_parser("terms", help="the channel's terms from a month on")
        terms.add_argument("code")
        terms.add_argument("--from", dest="valid_from", required=True, help="YYYY-MM")
        terms.add_argument("--cutoff", required=True, help="HH:MM")
        terms.add_argument("--fee", type=int, required=True)
        terms.add_argument("--fee-share", type=int, default=0)
        terms.add_argument("--source", default="", help="the agreement the terms come from")
        actions.add_parser("list", help="the channels and their terms today")
        for action in actions.choices.values():
            action.add_argument("--json", action="store_true", help="print JSON for scripts")

    def run(self, *args, action, **options):
        return getattr(self, f"_{action}")(**options)

    def _create(self, *, code, name, outlet, cutoff, fee, fee_share, rate_limit, inquiry_alert, json, **_):
        outlet_code = outlet or code
        outlet_row = Outlet.objects.select_related("partner").filter(code=outlet_code).first()
        if outlet_row is None:
            raise CommandError(f"unknown outlet {outlet_code}: name the channel's outlet with --outlet")
        issued = channel_create(
            code=code,
            name=name,
            outlet=outlet_row,
            cutoff=cutoff,
            fee=fee,
            fee_share=fee_share,
            rate_limit=rate_limit,
            inquiry_alert=inquiry_alert,
            actor=Actor.cli(),
        )
        data = {**_row(issued.channel), "secret": issued.secret}
        if json:
            self.emit(data)
            return
        self.stdout.write(issued.secret)
        self.stderr.write(
            f"Payment channel {data['code']} ({data['name']}), payments credited to outlet {data['outlet']}, "
            f"cut-off {data['cutoff']}. The secret above is shown once: give it to the channel now. It signs "
            "requests to /api/v1/channel/ (docs/channels.md)."
        )

    def _renew(self, *, code, json, **_):
        issued = channel_renew(channel=_channel(code), actor=Actor.cli())
        if json:
            self.emit({**_row(issued.channel), "secret": issued.secret})
            return
        self.stdout.write(issued.secret)
        self.stderr.write(f"New secret for {issued.channel.code}, shown once; the old one no longer works.")

    def _revoke(self, *, code, json, **_):
        channel = channel_revoke(channel=_channel(code), actor=Actor.cli())
        if json:
            self.emit(_row(channel))
            return
        self.stdout.write(f"revoked {channel.code} at {channel.revoked_at:%Y-%m-%d %H:%M}")

    def _terms(self, *, code, valid_from, cutoff, fee, fee_share, source, json, **_):
        month = parse_month(valid_from)
        if month is None:
            raise CommandError(f"{valid_from!r} is not a month: expected YYYY-MM")
        channel = _channel(code)
        channel_terms_set(
            channel=channel,
            valid_from=month,
            cutoff=cutoff,
            fee=fee,
            fee_share=fee_share,
            source=source,
            actor=Actor.cli(),
        )
        data = _row(channel)
        if json:
            self.emit(data)
            return
        self.stdout.write(f"{channel.code}: cut-off {cutoff}, fee {fee} from {month}")

    def _list(self, *, json, **_):
        rows = [_row(channel) for channel in PaymentChannel.objects.select_related("outlet")]
        if json:
            self.emit(rows)
            return
        for row in rows:
            state = f"revoked {row['revoked_at'][:10]}" if row["revoked_at"] else "active"
            self.stdout.write(
                f"{row['code']:<12} {row['name']:<30} outlet {row['outlet']:<12} cut-off {row['cutoff']} "
                f"fee {row['fee']}  {state}"
            )


def _channel(code: str) -> PaymentChannel:
    channel = channel_named(code)
    if channel is None:
        raise CommandError(f"unknown payment channel {code}")
    return channel


def _row(channel: PaymentChannel) -> dict:
    from django.utils import timezone

    terms = TermsBook(channel).on(timezone.now())
    return {
        "code": channel.code,
        "name": channel.name,
        "outlet": channel.outlet.code,
        "source": channel.source,
        "cutoff": terms.cutoff_text,
        "fee": terms.fee,
        "fee_share": terms.fee_share,
        "rate_limit": channel.rate_limit,
        "inquiry_alert": channel.inquiry_alert,
        "generation": channel.generation,
        "revoked_at": channel.revoked_at.isoformat() if channel.revoked_at else None,
    }
