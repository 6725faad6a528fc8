"""A participant's payment code (``rules.payment_code``) and the participant a code names."""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction

from jaring.members.models import Participant, PaymentCodeKey
from jaring.rules.payment_code import payment_code, payment_code_serial


def payment_code_key() -> bytes:
    """The installation's key. The migration makes it; a database emptied since (a test's flush) gets a new
    one here, as a new installation would."""
    row = PaymentCodeKey.objects.filter(pk=1).only("key").first()
    if row is None:
        try:
            with transaction.atomic():
                row = PaymentCodeKey.objects.create(pk=1, key=secrets.token_bytes(32))
        except IntegrityError:  # made at the same moment by another process
            row = PaymentCodeKey.objects.get(pk=1)
    return bytes(row.key)


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
