import sys
from pathlib import Path

from django.core.management.base import CommandError

from jaring.accounts.audit import Actor
from jaring.common.commands import JaringCommand, parse_date
from jaring.imports.readers import COLUMNS
from jaring.settlement.models import Difference, SettlementFile
from jaring.settlement.queries import channel_named, differences_of
from jaring.settlement.services import difference_resolve, settlement_funds_record, settlement_import
from jaring.settlement.services.settle import BUCKETS

HEADER = ",".join(COLUMNS["settlement"])


class Command(JaringCommand):
    json_option = False
    help = (
        "Settlement files of payment channels: `jaring settlement import FILE --channel CODE [--funds N] "
        "[--json]` reconciles a file, `jaring settlement template` prints its header, `jaring settlement "
        "funds`, `differences` and `resolve` follow up."
    )

    def add_command_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        imported = actions.add_parser("import", help="reconcile a channel's settlement file")
        imported.add_argument("file", type=Path)
        imported.add_argument("--channel", required=True)
        imported.add_argument("--funds", type=int, help="rupiah the channel transferred for the file")
        imported.add_argument("--date", help="the file's business date, YYYY-MM-DD (default: its lines')")
        actions.add_parser("template", help="print the header of a settlement file")
        funds = actions.add_parser("funds", help="record the funds a channel transferred for a file")
        funds.add_argument("--channel", required=True)
        funds.add_argument("--date", required=True, help="the file's business date")
        funds.add_argument("--amount", type=int, required=True)
        listing = actions.add_parser("differences", help="the open differences")
        listing.add_argument("--channel")
        listing.add_argument("--date")
        listing.add_argument("--all", action="store_true", help="resolved ones too")
        resolve = actions.add_parser("resolve", help="close a difference with a reason")
        resolve.add_argument("id", type=int)
        resolve.add_argument("--reason", required=True)
        for action in actions.choices.values():
            action.add_argument("--json", action="store_true", help="print JSON for scripts")

    def run(self, *args, action, **options):
        return getattr(self, f"_{action}")(**options)

    def _import(self, *, file, channel, funds, date, json, **_):
        if not file.is_file():
            raise CommandError(f"no file {file}")
        result = settlement_import(
            channel=_channel(channel),
            path=file,
            funds=funds,
            business_date=parse_date(date) if date else None,
            actor=Actor.cli(),
            progress=None if json else self._progress,
        )
        settled = result.file
        data = {
            **{bucket: result.counts.get(bucket, 0) for bucket in BUCKETS},
            "replayed": result.replayed,
            "business_date": settled.business_date.isoformat(),
            "lines": settled.lines,
            "total": settled.total,
            "fees": settled.fees,
            "funds_expected": settled.funds_expected,
            "funds": settled.funds,
        }
        if json:
            self.emit(data)
            return
        if sys.stderr.isatty():
            self.stderr.write("")
        self.stdout.write(
            f"{settled.channel.code} {data['business_date']}: "
            + ", ".join(f"{bucket} {data[bucket]}" for bucket in BUCKETS)
            + (" (this file was reconciled before: nothing changed)" if result.replayed else "")
        )
        self.stdout.write(
            f"total {settled.total}, fees {settled.fees}, expected transfer {settled.funds_expected}"
            + (f", transferred {settled.funds}" if settled.funds is not None else "")
        )

    def _progress(self, lines: int) -> None:
        if sys.stderr.isatty():
            self.stderr.write(f"\r{lines:,} lines", ending="")

    def _template(self, *, json, **_):
        if json:
            self.emit({"header": HEADER, "columns": list(COLUMNS["settlement"])})
            return
        self.stdout.write(HEADER)

    def _funds(self, *, channel, date, amount, json, **_):
        settled = (
            SettlementFile.objects.filter(
                channel=_channel(channel), business_date=parse_date(date), superseded_by__isnull=True
            )
            .order_by("-imported_at")
            .first()
        )
        if settled is None:
            raise CommandError(f"no settlement file of {channel} for {date}")
        settled = settlement_funds_record(settlement=settled, funds=amount, actor=Actor.cli())
        data = {"funds": settled.funds, "funds_expected": settled.funds_expected}
        if json:
            self.emit(data)
            return
        self.stdout.write(f"transferred {settled.funds} against {settled.funds_expected} expected")

    def _differences(self, *, channel, date, all, json, **_):
        rows = differences_of(
            channel=_channel(channel) if channel else None,
            day=parse_date(date) if date else None,
            open_only=not all,
        )
        data = [_difference(row) for row in rows[:10_000]]
        if json:
            self.emit(data)
            return
        for row in data:
            self.stdout.write(
                f"{row['id']:>6} {row['channel']:<10} {row['business_date']} {row['kind']:<18} "
                f"{row['reference']:<20} file {row['file_amount']} jaring {row['recorded_amount']} "
                f"{row['reason']}"
            )

    def _resolve(self, *, id, reason, json, **_):
        difference = Difference.objects.select_related("channel").filter(pk=id).first()
        if difference is None:
            raise CommandError(f"no difference {id}")
        difference = difference_resolve(difference=difference, resolution=reason, actor=Actor.cli())
        if json:
            self.emit(_difference(difference))
            return
        self.stdout.write(f"resolved {difference.pk}: {difference.resolution}")


def _channel(code: str):
    channel = channel_named(code)
    if channel is None:
        raise CommandError(f"unknown payment channel {code}")
    return channel


def _difference(row: Difference) -> dict:
    return {
        "id": row.pk,
        "channel": row.channel.code,
        "business_date": row.business_date.isoformat(),
        "kind": row.kind,
        "line": row.line,
        "reference": row.reference,
        "payment_code": row.payment_code,
        "file_amount": row.file_amount,
        "recorded_amount": row.recorded_amount,
        "payment_id": row.payment_id,
        "reason": row.reason,
        "resolved_at": row.resolved_at.isoformat() if row.resolved_at else None,
        "resolution": row.resolution,
    }
