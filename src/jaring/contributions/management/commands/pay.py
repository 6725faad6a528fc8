import uuid

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from jaring.accounts.audit import Actor
from jaring.channels.models import Outlet
from jaring.common.commands import JaringCommand, parse_moment
from jaring.common.errors import error_dict
from jaring.contributions.services import payment_quote, payment_record
from jaring.members.queries import participant_find
from jaring.rules.money import format_rupiah


class Command(JaringCommand):
    help = "Record a payment: `jaring pay NIK --months 3 [--amount N] [--paid-at DATE] [--key K]`."

    def add_command_arguments(self, parser):
        parser.add_argument("identifier", help="NIK or participant number")
        parser.add_argument("--months", type=int, required=True, help="1, 3, 6 or 12")
        parser.add_argument("--amount", type=int, help="rupiah; defaults to the priced amount")
        parser.add_argument("--paid-at", help="for operators migrating records: YYYY-MM-DD")
        parser.add_argument("--key", help="idempotency key (payment reference); a retry with it pays nothing")
        parser.add_argument("--outlet", help="outlet code credited with the payment")

    def run(self, *args, identifier, months, amount, paid_at, key, outlet, json, **options):
        participant = participant_find(identifier)
        if participant is None:
            raise error_dict("nik", _("No participant with this NIK or participant number."), "unknown")
        outlet_row = None
        if (
            outlet
            and (outlet_row := Outlet.objects.select_related("partner").filter(code=outlet).first()) is None
        ):
            raise CommandError(f"unknown outlet {outlet}")
        moment = parse_moment(paid_at)
        if amount is None:
            amount = payment_quote(participant, months=months, at=moment)[1].total
        result = payment_record(
            participant=participant,
            months=months,
            amount=amount,
            paid_at=moment,
            outlet=outlet_row,
            source="cli",
            idempotency_key=key or f"cli-{uuid.uuid4()}",
            actor=Actor.cli(),
            history_allowed=True,  # the operator's command line may record history (audited as such)
        )
        payment, standing = result.payment, participant.standing
        data = {
            "created": result.created,
            "payment": payment.pk,
            "number": participant.number,
            "first_month": str(payment.first_month),
            "months": payment.months,
            "amount": payment.amount,
            "reference": payment.idempotency_key,
            "paid_through": str(standing.paid_through) if standing.paid_through else None,
            "status": standing.status,
        }
        if json:
            self.emit(data)
            return
        verb = "recorded" if result.created else "already recorded (same key), nothing added:"
        self.stdout.write(
            f"{verb} {format_rupiah(payment.amount)} for {payment.months} month(s) from {payment.first_month}"
            f"; paid through {data['paid_through']}, status {data['status']}"
        )
