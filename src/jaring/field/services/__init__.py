"""The desk in the field: enrolling an agent's phone, revoking it, and syncing its outbox.

A phone's outbox reaches the server through the same checks and applies as every channel: as lists, its
registrations then its payments and deposits (``field.services.outbox``), each record under the key the phone
made for it; one by one through the batch endpoint's path (``api.batch.batch_apply``) when a list meets
a race it cannot settle whole. What a record came to is kept with that key (``SyncRecord``) in the same
transaction as the record itself, so a sync sent again, or cut off half-way and resumed, answers the
records already received from what was kept and applies nothing twice.

Cash taken is never refused for its price: a payment whose price changed while the phone was offline is
recorded as a deposit of the same money into the worker's balance, which buys the months it covers, and
the agent is told. An acquisition goes to whichever registration the server recorded first: a NIK
registered meanwhile elsewhere comes back refused, for the agent to resolve (edit and resend, or drop).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit
from jaring.api.models import Scope
from jaring.api.schemas import BatchDeposit, BatchResult
from jaring.api.services import apikey_create, apikey_revoke
from jaring.channels.models import Agent
from jaring.field.models import Device, SyncRecord
from jaring.field.services.outbox import (
    PRICE_CHANGED,
    Slot,
    as_deposit_note,
    kept_of,
    outbox_apply,
    record_judge,
    record_read,
)
from jaring.rules.participant_number import participant_number

logger = logging.getLogger("jaring.field")

DEVICE_SCOPES = (Scope.REGISTER, Scope.PAY, Scope.DEPOSIT, Scope.STATUS)
# Each record of a sync counts against the key's limit as the single call it stands for: a phone back
# from a week in the villages sends a few hundred at once.
DEVICE_RATE_LIMIT = 3_000


@dataclass(frozen=True)
class Enrolled:
    device: Device
    token: str  # the device's key, shown once: the phone keeps it


def device_enrol(*, agent: Agent, name: str, actor) -> Enrolled:
    """Gives an active agent's phone a credential of its own: an API key bound to the agent and its
    outlet, with the scopes the field desk needs. Raises ``ValidationError`` per field."""
    from jaring.accounts.audit import user_of

    name = " ".join((name or "").split())[:80]
    if not name:
        raise ValidationError({"name": [_("Name the phone (for example: Siti's Samsung).")]})
    with transaction.atomic():
        issued = apikey_create(
            outlet=agent.outlet,
            agent=agent,
            scopes=list(DEVICE_SCOPES),
            name=f"field desk: {name}",
            rate_limit=DEVICE_RATE_LIMIT,
        )
        user = user_of(actor)
        device = Device.objects.create(
            agent=agent,
            api_key=issued.api_key,
            name=name,
            enrolled_at=timezone.now(),
            enrolled_by=user if getattr(user, "pk", None) else None,
        )
        audit(
            actor,
            "create",
            obj=device,
            after={"agent": agent.code, "name": name, "key": issued.api_key.prefix},
            summary=Said(
                gettext_noop("phone %(name)s of agent %(agent)s enrolled"),
                {"name": name, "agent": agent.code},
            ),
        )
    return Enrolled(device, issued.token)


def device_revoke(*, device: Device, actor) -> Device:
    """Revokes a phone's credential (a lost phone): its syncs answer 401 from then on; what it synced
    stays."""
    with transaction.atomic():
        apikey_revoke(prefix=device.api_key.prefix)
        audit(
            actor,
            "update",
            obj=device,
            after={"revoked": True},
            summary=Said(
                gettext_noop("phone %(name)s of agent %(agent)s revoked"),
                {"name": device.name, "agent": device.agent.code},
            ),
        )
    device.api_key.refresh_from_db()
    return device


@dataclass
class Answer:
    """What one outbox record came to, as the phone shows it."""

    key: str
    kind: str
    state: str
    reasons: list[str] = field(default_factory=list)
    messages: dict[str, list[str]] = field(default_factory=dict)
    participant_number: str | None = None
    payment_id: int | None = None
    deposit_id: int | None = None
    note: str = ""

    @classmethod
    def of(cls, record: SyncRecord) -> Answer:
        return cls(
            key=record.key,
            kind=record.kind,
            state=record.state,
            reasons=list(record.reasons),
            messages=dict(record.messages),
            participant_number=participant_number(record.participant_id) if record.participant_id else None,
            payment_id=record.payment_id,
            deposit_id=record.deposit_id,
            note=str(record.shown.get("note", "")),
        )


def outbox_sync(
    *, device: Device, records: list[dict[str, Any]], request=None, as_lists: bool = True
) -> list[Answer]:
    """Applies a phone's outbox records and answers each, in the order the phone made them. A record
    received before (the same key) is answered as it was then.

    The outbox is applied as lists (``field.services.outbox``). When the list meets a race it cannot settle
    whole (a NIK registered by another channel at the same moment) or a fault, nothing of it is kept
    and the records are applied one by one instead, each on its own, as the batch endpoint does
    (``as_lists`` False: only so; the tests compare the two ways)."""
    slots = [record_read(record) for record in records]
    for slot in slots:
        if slot.keyless:
            message = _("Each record needs the key the phone made for it (up to 64 characters).")
            slot.kept = SyncRecord(
                key=slot.key, kind=slot.kind, state=SyncRecord.State.REFUSED, reasons=["key:invalid"],
                messages={"key": [message]},
            )  # fmt: skip
    if not as_lists:
        one_by_one(device=device, slots=slots, request=request)
    else:
        try:
            outbox_apply(device=device, slots=slots, request=request)
        except IntegrityError:
            one_by_one(device=device, slots=slots, request=request)
        except DatabaseError:
            raise  # the database is in trouble: stop; sending the outbox again later is safe
        except Exception:
            logger.exception("the outbox of phone %s failed as a list; applied one by one", device.pk)
            one_by_one(device=device, slots=slots, request=request)
    Device.objects.filter(pk=device.pk).update(last_sync_at=timezone.now())
    return [Answer.of(slot.kept) for slot in slots]


def one_by_one(*, device: Device, slots: list[Slot], request=None) -> None:
    """Applies each slot not answered yet on its own, through the batch endpoint's path: the way round a
    list that met a race or a fault."""
    for slot in slots:
        if not slot.keyless:  # what the list judged and kept was rolled back with it
            slot.kept, slot.item, slot.fields = None, None, {}
    keys = [slot.key for slot in slots if slot.kept is None]
    known = {record.key: record for record in device.records.filter(key__in=keys)}
    for slot in slots:
        if slot.kept is not None:
            continue
        if slot.key not in known:
            try:
                known[slot.key] = _apply(device, slot, request)
            except IntegrityError:  # the same key arrived meanwhile on another connection
                known[slot.key] = device.records.get(key=slot.key)
        slot.kept = known[slot.key]


def _apply(device: Device, slot: Slot, request) -> SyncRecord:
    """Applies one record and keeps what it came to, in one transaction: the record and its answer are
    both there or neither is."""
    now = timezone.now()
    with transaction.atomic():
        if slot.replaces:
            device.records.filter(key=slot.replaces, resolved_at__isnull=True).update(resolved_at=now)
        record_judge(slot)
        if slot.item is not None:
            slot.fields = _batch_applied(device, slot, request)
        kept = kept_of(device, slot, now)
        kept.save()
        return kept


def _batch_applied(device: Device, slot: Slot, request) -> dict[str, Any]:
    """What a record read as a batch item comes to through the batch endpoint's path; a payment refused
    only for its price is recorded as a deposit of the same money."""
    from jaring.api.batch import batch_apply

    item = slot.item
    (result,) = batch_apply(api_key=device.api_key, items=[item], request=request)
    state = SyncRecord.State.REFUSED if result.status == "rejected" else SyncRecord.State.RECORDED
    if slot.kind == SyncRecord.Kind.REGISTRATION and result.status == "duplicate":
        state = SyncRecord.State.REFUSED  # registered meanwhile elsewhere: the first one counts
    note = ""
    if (
        slot.kind == SyncRecord.Kind.PAYMENT
        and state == SyncRecord.State.REFUSED
        and PRICE_CHANGED in result.reasons
    ):
        deposit = BatchDeposit(
            type="deposit", nik=item.nik, number=item.number, birth_date=item.birth_date,
            amount=item.amount, reference=slot.key, collected_at=item.paid_at,
        )  # fmt: skip
        (result,) = batch_apply(api_key=device.api_key, items=[deposit], request=request)
        if result.status != "rejected":
            state, note = SyncRecord.State.AS_DEPOSIT, as_deposit_note()
    return {
        "state": state,
        "note": note,
        "reasons": list(result.reasons),
        "messages": dict(result.errors),
        "participant_id": _participant_id(result),
        "payment_id": result.payment_id,
        "deposit_id": result.deposit_id,
        "amount": getattr(item, "amount", 0),  # cash the agent took, refused or not
    }


def _participant_id(result: BatchResult) -> int | None:
    """The participant the answer names, by the id inside its number (no query: the number is the id)."""
    from jaring.rules.participant_number import participant_seq

    return participant_seq(result.participant_number) if result.participant_number else None
