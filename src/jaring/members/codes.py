"""A participant's payment code (``rules.payment_code``) and the participant a code names."""

from __future__ import annotations

from jaring.members.models import Participant, PaymentCodeKey
from jaring.members.services.codes import payment_code_key_make
from jaring.rules.payment_code import payment_code, payment_code_serial


def payment_code_key() -> bytes:
    """The installation's key (made by a migration; made again in a database emptied since)."""
    row = PaymentCodeKey.objects.filter(pk=1).only("key").first()
    return bytes(row.key) if row is not None else payment_code_key_make()


def participant_payment_code(participant: Participant, key: bytes | None = None) -> str:
    """The payment code printed on the participant's card and receipts."""
    return payment_code(participant.pk, key or payment_code_key())


def participant_by_payment_code(code: str, *, queryset=None, key: bytes | None = None) -> Participant | None:
    """The participant a payment code names among ``queryset`` (every participant when not given); None
    for a mistyped code, a made-up one, or one naming nobody there."""
    serial = payment_code_serial(code or "", key or payment_code_key())
    if serial is None:
        return None
    return (queryset if queryset is not None else Participant.objects).filter(pk=serial).first()
