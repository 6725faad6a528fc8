"""What a payment channel tells jaring host-to-host: a payment it took (notification) and a payment it
undid (reversal advice). Both go through the one ledger path (``payment_record``, ``payment_reverse``)
under the channel's own source, so the channel's reference is its idempotency key: a notification sent
twice records one payment, and the settlement file's lines are found by the same references."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from jaring.common.errors import error_dict
from jaring.contributions.models import LedgerKey, Payment
from jaring.contributions.services import PaymentResult, payment_record, payment_reverse
from jaring.settlement.models import PaymentChannel
from jaring.settlement.queries import months_for_amount, participant_by_customer


def reversal_source(channel: PaymentChannel) -> str:
    """The ledger source of the channel's reversal advice (keyed by the reference of the payment undone)."""
    return f"channel-reversal:{channel.code}"


def unknown_customer():
    return error_dict("customer", _("No participant has this payment code or NIK."), "unknown")


def channel_payment(
    *,
    channel: PaymentChannel,
    customer: str,
    amount: int,
    reference: str,
    months: int | None = None,
    paid_at: datetime | None = None,
    actor=None,
    history_allowed: bool = False,
) -> PaymentResult:
    """Records the payment a channel took for the participant its customer number names (payment code or
    NIK), for ``months`` months, or for the months ``amount`` pays for when the channel sends no months.
    Credited to the channel's outlet; its reference is the idempotency key. ``history_allowed``: the demo
    world states days long gone; a channel never does."""
    participant = participant_by_customer(customer)
    if participant is None:
        raise unknown_customer()
    if months is None:
        months = months_for_amount(participant, amount, at=paid_at)
    return payment_record(
        participant=participant,
        months=months,
        amount=amount,
        source=channel.source,
        idempotency_key=reference,
        paid_at=paid_at,
        outlet=channel.outlet,
        actor=actor,
        history_allowed=history_allowed,
    )


def channel_reversal(
    *,
    channel: PaymentChannel,
    reference: str,
    reason: str = "",
    reversed_at: datetime | None = None,
    actor=None,
) -> PaymentResult:
    """Undoes the channel's payment of ``reference`` with a reversing entry (a channel that timed out or
    cancelled); the same advice sent again returns the first reversal."""
    key = LedgerKey.objects.filter(source=channel.source, key=reference).first()
    if key is None:
        raise error_dict("reference", _("The channel recorded no payment with this reference."), "unknown")
    payment = Payment.objects.get(pk=key.payment_id)
    return payment_reverse(
        payment=payment,
        reason=reason or _("reversal advice of channel %(code)s") % {"code": channel.code},
        source=reversal_source(channel),
        idempotency_key=reference,
        reversed_at=reversed_at,
        actor=actor,
    )
