"""Payment channels: making one (its secret shown once), renewing or revoking its credential, its terms,
and what every signed request leaves behind (the signature seen, the hour's inquiries)."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit
from jaring.channels.models import Outlet
from jaring.common.bulk import db_datetime
from jaring.rules.months import Month
from jaring.settlement.credentials import TOLERANCE, channel_secret, secret_hash
from jaring.settlement.models import ChannelTerms, PaymentChannel, SignatureSeen
from jaring.settlement.terms import FROM_THE_START, Terms

logger = logging.getLogger("jaring.settlement")

CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,19}$")


@dataclass(frozen=True)
class IssuedChannel:
    channel: PaymentChannel
    secret: str  # shown once: jaring keeps only its hash


def channel_create(
    *,
    code: str,
    name: str,
    outlet: Outlet | None,
    cutoff: str = "00:00",
    fee: int = 0,
    fee_share: int = 0,
    rate_limit: int = 6000,
    inquiry_alert: int = 20000,
    actor=None,
) -> IssuedChannel:
    """Makes channel ``code``, its payments credited to ``outlet``, with its first terms (in force from the
    start) and a credential of generation 1 whose secret is returned once."""
    code = (code or "").strip().upper()
    errors: dict[str, list[str]] = {}
    if not CODE_PATTERN.match(code):
        errors["code"] = [_("A channel code is 2 to 20 capital letters, digits, '-' or '_'.")]
    elif PaymentChannel.objects.filter(code=code).exists():
        errors["code"] = [_("Channel %(code)s exists already.") % {"code": code}]
    if not (name or "").strip():
        errors["name"] = [_("The channel needs a name.")]
    if outlet is None:
        errors["outlet"] = [_("The channel needs the outlet its payments are credited to.")]
    elif not outlet.is_active:
        errors["outlet"] = [_("Outlet %(code)s is closed.") % {"code": outlet.code}]
    for field_name, value in (("rate_limit", rate_limit), ("inquiry_alert", inquiry_alert)):
        if not isinstance(value, int) or value < 1:
            errors[field_name] = [_("A whole number above zero.")]
    try:
        terms = Terms.of(cutoff=cutoff, fee=fee, fee_share=fee_share)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    secret = channel_secret(code, 1)
    with transaction.atomic():
        channel = PaymentChannel.objects.create(
            code=code,
            name=name.strip(),
            outlet=outlet,
            secret_hash=secret_hash(secret),
            rate_limit=rate_limit,
            inquiry_alert=inquiry_alert,
            created_at=timezone.now(),
        )
        ChannelTerms.objects.create(
            code=f"{code}:{FROM_THE_START}",
            channel=channel,
            valid_from=FROM_THE_START,
            data=terms.as_data(),
            source="jaring channel create",
        )
        said = Said(
            gettext_noop("payment channel %(code)s, credited to outlet %(outlet)s"),
            {"code": code, "outlet": outlet.code},
        )
        audit(actor, "create", obj=channel, after=channel, summary=said)
    return IssuedChannel(channel, secret)


def channel_renew(*, channel: PaymentChannel, actor=None) -> IssuedChannel:
    """Gives the channel a new secret (the old one stops working at once) and lifts a revocation."""
    with transaction.atomic():
        channel = PaymentChannel.objects.select_for_update().get(pk=channel.pk)
        before = {"generation": channel.generation, "revoked_at": channel.revoked_at}
        channel.generation += 1
        secret = channel_secret(channel.code, channel.generation)
        channel.secret_hash = secret_hash(secret)
        channel.revoked_at = None
        channel.save(update_fields=["generation", "secret_hash", "revoked_at"])
        said = Said(gettext_noop("new credential for payment channel %(code)s"), {"code": channel.code})
        audit(
            actor,
            "update",
            obj=channel,
            before=before,
            after={"generation": channel.generation, "revoked_at": None},
            summary=said,
        )
    return IssuedChannel(channel, secret)


def channel_revoke(*, channel: PaymentChannel, actor=None) -> PaymentChannel:
    """Refuses the channel's requests from now on (its payments stay; ``channel_renew`` lifts it)."""
    with transaction.atomic():
        channel = PaymentChannel.objects.select_for_update().get(pk=channel.pk)
        if channel.revoked_at is None:
            channel.revoked_at = timezone.now()
            channel.save(update_fields=["revoked_at"])
            said = Said(gettext_noop("payment channel %(code)s revoked"), {"code": channel.code})
            audit(actor, "update", obj=channel, after={"revoked_at": channel.revoked_at}, summary=said)
    return channel


def channel_terms_set(
    *,
    channel: PaymentChannel,
    valid_from: Month,
    cutoff: str,
    fee: int,
    fee_share: int = 0,
    source: str = "",
    actor=None,
) -> ChannelTerms:
    """The channel's terms from ``valid_from`` on: the terms in force before end the month before."""
    terms = Terms.of(cutoff=cutoff, fee=fee, fee_share=fee_share)
    if valid_from <= FROM_THE_START:
        raise ValidationError({"valid_from": [_("Terms start after %(month)s.") % {"month": FROM_THE_START}]})
    with transaction.atomic():
        rows = ChannelTerms.objects.select_for_update().filter(channel=channel)
        rows.filter(valid_from__gte=valid_from).delete()
        for row in rows.filter(valid_to__isnull=True) | rows.filter(valid_to__gte=valid_from):
            row.valid_to = valid_from - 1
            row.save(update_fields=["valid_to", "updated_at"])
        row = ChannelTerms.objects.create(
            code=f"{channel.code}:{valid_from}",
            channel=channel,
            valid_from=valid_from,
            data=terms.as_data(),
            source=source,
        )
        said = Said(
            gettext_noop("terms of payment channel %(code)s from %(month)s: cut-off %(cutoff)s, fee %(fee)s"),
            {"code": channel.code, "month": str(valid_from), "cutoff": terms.cutoff_text, "fee": fee},
        )
        audit(actor, "update", obj=row, after=row, summary=said)
    return row


_INSERT_SEEN = (
    "INSERT INTO settlement_signatureseen (channel_id, signature, seen_at) VALUES (%s, %s, %s) "
    "ON CONFLICT DO NOTHING"
)
_forgotten_at = 0.0


def request_admit(*, channel: PaymentChannel, signature: str, at: datetime | None = None) -> bool:
    """Remembers a signed request's signature; False when it was seen before (a replay). Its own short
    transaction: a replay is refused even when the request it repeats failed."""
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_SEEN, [channel.pk, signature, db_datetime(at or timezone.now())])
        admitted = cursor.rowcount == 1
    global _forgotten_at
    if time.monotonic() - _forgotten_at > 60:
        _forgotten_at = time.monotonic()
        signatures_forget()
    return admitted


def signatures_forget(*, before: datetime | None = None) -> int:
    """Forgets the signatures older than twice the timestamp tolerance: a request that old is refused as
    stale anyway."""
    before = before or timezone.now() - timedelta(seconds=2 * TOLERANCE)
    deleted, _counts = SignatureSeen.objects.filter(seen_at__lt=before).delete()
    return deleted


_COUNT_INQUIRY = (
    "INSERT INTO settlement_inquiryhour (channel_id, hour, count) VALUES (%s, %s, 1) "
    "ON CONFLICT (channel_id, hour) DO UPDATE SET count = settlement_inquiryhour.count + 1 "
    "RETURNING count"
)


def inquiry_count(*, channel: PaymentChannel, at: datetime | None = None) -> int:
    """Counts an inquiry in its hour; the inquiry that passes the channel's ``inquiry_alert`` writes an
    alert to the audit trail and the log (once an hour). Returns the hour's count so far."""
    at = at or timezone.now()
    hour = at.replace(minute=0, second=0, microsecond=0)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_COUNT_INQUIRY, [channel.pk, db_datetime(hour)])
        count = cursor.fetchone()[0]
        if count == channel.inquiry_alert + 1:
            logger.warning(
                "payment channel %s passed %s inquiries in the hour from %s",
                channel.code,
                channel.inquiry_alert,
                hour.isoformat(),
            )
            said = Said(
                gettext_noop(
                    "alert: payment channel %(code)s made more than %(limit)s inquiries in the hour "
                    "from %(hour)s"
                ),
                {
                    "code": channel.code,
                    "limit": channel.inquiry_alert,
                    "hour": timezone.localtime(hour).isoformat(),
                },
            )
            audit(None, "update", obj=channel, summary=said)
    return count
