"""The payment codes' key, made when it is missing (``rules.payment_code``, ``members.codes``)."""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction

from jaring.members.models import PaymentCodeKey


def payment_code_key_make() -> bytes:
    """Makes the installation's key if there is none and returns the key there is. The migration makes it
    once; a database emptied since (a test's flush) gets a new one here, as a new installation would.
    Two processes making it at the same moment keep the first one's."""
    try:
        with transaction.atomic():
            row, _made = PaymentCodeKey.objects.get_or_create(pk=1, defaults={"key": secrets.token_bytes(32)})
    except IntegrityError:
        row = PaymentCodeKey.objects.get(pk=1)
    return bytes(row.key)
