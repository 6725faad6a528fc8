"""A phone's outbox applied as lists: its registrations as one list, then its payments and deposits as
one, through the same checks and set-based applies as a file import (``registration_check`` with
``registrations_apply``, ``ledger_record``), with what each record came to kept under its key in the
same transaction.

The phone's own row is locked first, so two syncs of one phone (a retry racing its original) run one
after the other and the second answers from what the first kept. Payments come after the registrations
of the same outbox, so a worker registered and paid for offline is found. A payment refused only for
its price (changed while the phone was offline) is recorded as a deposit of the same money, after the
list of payments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from jaring.accounts.audit import Actor, Said, audit
from jaring.api.models import Scope
from jaring.api.problems import message_dict, reasons_of, shape_errors
from jaring.api.queries import participants_paying
from jaring.api.schemas import BatchDeposit, BatchPayment, BatchRegistration
from jaring.common.errors import Problem, problems_error
from jaring.contributions.queries import ratebook
from jaring.contributions.services import outlet_source
from jaring.contributions.services.checks import DepositRequest, PaymentRequest
from jaring.contributions.services.ledger import ledger_record
from jaring.field.models import Device, SyncRecord
from jaring.members.services.registration import (
    RegistrationBook,
    RegistrationPlan,
    RegistrationRequest,
    registration_check,
    registrations_apply,
)
from jaring.members.validation import RegistrationContext

KEY_LENGTH = 64
ITEM_OF = {
    SyncRecord.Kind.REGISTRATION: TypeAdapter(BatchRegistration),
    SyncRecord.Kind.PAYMENT: TypeAdapter(BatchPayment),
    SyncRecord.Kind.DEPOSIT: TypeAdapter(BatchDeposit),
}
PRICE_CHANGED = "amount:price_mismatch"
CLOSED = (SyncRecord.State.RECORDED, SyncRecord.State.AS_DEPOSIT, SyncRecord.State.DROPPED)


def as_deposit_note() -> str:
    return _(
        "The price changed while the phone was offline: the money was recorded as a deposit into "
        "the worker's balance, which buys the months it covers."
    )


@dataclass
class Slot:
    """One record of the outbox on its way: what the phone sent, then what it came to (``kept``)."""

    key: str
    kind: str
    made_at: datetime | None
    replaces: str
    data: dict[str, Any]
    item: Any = None  # the record read as the batch endpoint reads it
    kept: SyncRecord | None = None
    fields: dict[str, Any] = field(default_factory=dict)  # what ``kept`` is made of, gathered on the way

    @property
    def keyless(self) -> bool:
        """Without the key the phone made for it (or with one too long): refused, and nothing kept."""
        return not self.key or len(self.key) > KEY_LENGTH


def record_read(record: dict[str, Any]) -> Slot:
    """A record as the phone sent it (key, kind, moment, what it replaces and its data), not yet judged."""
    data = record.get("data")
    return Slot(
        key=str(record.get("key", "")).strip(),
        kind=str(record.get("kind", "")),
        made_at=moment_read(record.get("made_at")),
        replaces=str(record.get("replaces", "") or "")[:KEY_LENGTH],
        data=data if isinstance(data, dict) else {},
    )


def outbox_apply(*, device: Device, slots: list[Slot], request=None) -> None:
    """Applies the slots not answered yet and keeps what each came to, in one transaction; fills ``kept``
    of every slot: a record received before (the same key, read under the phone's lock) is answered as
    it was then, and a key twice in one outbox as its first."""
    now = timezone.now()
    with transaction.atomic():
        list(Device.objects.select_for_update().filter(pk=device.pk).values_list("pk"))
        keys = [slot.key for slot in slots if slot.kept is None]
        known = {record.key: record for record in device.records.filter(key__in=keys)}
        fresh: list[Slot] = []
        taken = set(known)
        for slot in slots:
            if slot.kept is None and slot.key not in taken:  # a key twice in one outbox: as the first
                taken.add(slot.key)
                fresh.append(slot)
        registrations, ledger = [], []
        for slot in fresh:
            record_judge(slot)
            if slot.item is not None:
                (registrations if slot.kind == SyncRecord.Kind.REGISTRATION else ledger).append(slot)
        history = Scope.HISTORY in device.api_key.scope_set
        _registrations_apply(device, registrations, history, now)
        _ledger_apply(device, ledger, history, now)
        for slot in fresh:
            slot.kept = kept_of(device, slot, now)
        SyncRecord.objects.bulk_create([slot.kept for slot in fresh])
        replaced = {slot.replaces for slot in fresh if slot.replaces}
        if replaced:
            device.records.filter(key__in=replaced, resolved_at__isnull=True).update(resolved_at=now)
        known.update({slot.key: slot.kept for slot in fresh})
        if fresh:
            _audit(device, fresh, request)
    for slot in slots:
        if slot.kept is None and slot.key in known:
            slot.kept = known[slot.key]


def record_judge(slot: Slot) -> None:
    """What a record is, before anything is applied: a drop is answered dropped, and an unknown kind or
    data the batch endpoint refuses is answered refused (``slot.fields``); any other record is read as
    the batch endpoint reads it (``slot.item``), payments and deposits under the record's key."""
    if slot.kind == SyncRecord.Kind.DROP:
        slot.fields = {"state": SyncRecord.State.DROPPED}
        return
    adapter = ITEM_OF.get(slot.kind)
    if adapter is None:
        slot.kind = slot.kind or "?"
        slot.fields = _refused(
            ["kind:invalid"], {"kind": [_("A record is a registration, a payment or a deposit.")]}
        )
        return
    reference = {} if slot.kind == SyncRecord.Kind.REGISTRATION else {"reference": slot.key}
    try:
        slot.item = adapter.validate_python({**slot.data, "type": slot.kind, **reference})
    except PydanticValidationError as error:
        slot.fields = _refused(["data:invalid"], shape_errors(error.errors(include_url=False)))


def _registrations_apply(device: Device, slots: list[Slot], history: bool, now: datetime) -> None:
    if not slots:
        return
    outlet, agent = device.api_key.outlet, device.api_key.agent
    requests = [
        RegistrationRequest(**slot.item.registered(), outlet=outlet, agent=agent, history_allowed=history)
        for slot in slots
    ]
    book = RegistrationBook.load(
        context=RegistrationContext(ratebook=ratebook()), niks=[request.nik for request in requests], now=now
    )
    outcomes = [registration_check(request, book) for request in requests]
    registrations_apply([outcome for outcome in outcomes if isinstance(outcome, RegistrationPlan)], book)
    for slot, outcome in zip(slots, outcomes, strict=True):
        if isinstance(outcome, RegistrationPlan):
            slot.fields = {"state": SyncRecord.State.RECORDED, "participant_id": outcome.pk}
        else:
            # refused: a NIK registered meanwhile elsewhere (the first registration counts), an agent
            # deactivated, a field wrong; the agent edits and resends it, or drops it
            slot.fields = {**_refused_for(outcome), "participant_id": _disclosed(outcome)}


def _ledger_apply(device: Device, slots: list[Slot], history: bool, now: datetime) -> None:
    if not slots:
        return
    outlet, agent = device.api_key.outlet, device.api_key.agent
    source = outlet_source(outlet)
    found = participants_paying([(slot.item.nik, slot.item.number, slot.item.birth_date) for slot in slots])
    named, requests = [], []
    for slot, participant in zip(slots, found, strict=True):
        slot.fields = {"amount": slot.item.amount}  # cash the agent took, recorded or not
        if isinstance(participant, ValidationError):
            slot.fields.update(_refused(reasons_of(participant), message_dict(participant)))
            continue
        slot.fields["participant_id"] = participant
        named.append(slot)
        requests.append(_ledger_request(slot, participant, source, outlet, agent, history))
    outcomes = ledger_record(requests, now=now) if requests else []
    priced_again = []
    for slot, request, outcome in zip(named, requests, outcomes, strict=True):
        if isinstance(request, PaymentRequest) and _price_changed(outcome):
            priced_again.append((slot, outcome))
            continue
        slot.fields.update(_answer_of(outcome, deposit=isinstance(request, DepositRequest)))
    if not priced_again:
        return
    deposits = [
        DepositRequest(
            participant=slot.fields["participant_id"],
            amount=slot.item.amount,
            source=source,
            reference=slot.key,
            collected_at=slot.item.paid_at,
            outlet=outlet,
            agent=agent,
            history_allowed=history,
        )
        for slot, _refusal in priced_again
    ]
    for (slot, _refusal), outcome in zip(priced_again, ledger_record(deposits, now=now), strict=True):
        slot.fields.update(_answer_of(outcome, deposit=True))
        if not isinstance(outcome, list):
            slot.fields.update(state=SyncRecord.State.AS_DEPOSIT, note=as_deposit_note())


def _price_changed(outcome) -> bool:
    return isinstance(outcome, list) and any(problem.reason == PRICE_CHANGED for problem in outcome)


def _ledger_request(slot: Slot, participant: int, source: str, outlet, agent, history: bool):
    item = slot.item
    if slot.kind == SyncRecord.Kind.PAYMENT:
        return PaymentRequest(
            participant=participant, months=item.months, amount=item.amount, source=source,
            reference=slot.key, paid_at=item.paid_at, outlet=outlet, agent=agent, history_allowed=history,
        )  # fmt: skip
    return DepositRequest(
        participant=participant, amount=item.amount, source=source, reference=slot.key,
        collected_at=item.collected_at, outlet=outlet, agent=agent, history_allowed=history,
    )  # fmt: skip


def _answer_of(outcome, *, deposit: bool) -> dict[str, Any]:
    """What a ledger outcome says of its record: recorded (new, or the same request received before
    under the same reference: a replay) with its payment or deposit, or refused with its reasons."""
    if isinstance(outcome, list):
        return _refused_for(outcome)
    return {"state": SyncRecord.State.RECORDED, ("deposit_id" if deposit else "payment_id"): outcome.pk}


def _refused(reasons: list[str], messages: dict[str, list[str]]) -> dict[str, Any]:
    return {"state": SyncRecord.State.REFUSED, "reasons": list(reasons), "messages": dict(messages)}


def _refused_for(problems: list[Problem]) -> dict[str, Any]:
    error = problems_error(problems)
    return _refused(reasons_of(error), message_dict(error))


def _disclosed(problems: list[Problem]) -> int | None:
    """The registration a duplicate NIK names, when the sender's partner made it (and may be told)."""
    for problem in problems:
        said = problem[2]
        if problem.reason == "nik:duplicate" and getattr(said, "disclosed", False):
            return said.first.pk
    return None


def kept_of(device: Device, slot: Slot, now: datetime) -> SyncRecord:
    """What a record came to (``slot.fields``) as the row kept under its key, not yet saved."""
    fields = dict(slot.fields)
    note = fields.pop("note", "")
    state = fields.pop("state")
    return SyncRecord(
        device=device,
        key=slot.key,
        kind=slot.kind,
        state=state,
        made_at=slot.made_at,
        received_at=now,
        reasons=fields.pop("reasons", []),
        messages=fields.pop("messages", {}),
        participant_id=fields.pop("participant_id", None),
        payment_id=fields.pop("payment_id", None),
        deposit_id=fields.pop("deposit_id", None),
        amount=max(int(fields.pop("amount", 0) or 0), 0),
        shown={**shown_of(slot.data), **({"note": note} if note else {})},
        replaces=slot.replaces,
        resolved_at=now if state in CLOSED else None,
    )


def _audit(device: Device, slots: list[Slot], request) -> None:
    """One entry for the sync, as a file import has one for its file: each record is kept under its key
    (``SyncRecord``), with the registration, payment or deposit it came to."""
    counts: dict[str, int] = {}
    for slot in slots:
        counts[slot.kept.state] = counts.get(slot.kept.state, 0) + 1
    audit(
        Actor.api_key(device.api_key, request),
        "create",
        obj=device,
        after={"records": len(slots), **counts},
        summary=Said(
            gettext_noop("phone %(name)s of agent %(agent)s synced %(count)s records"),
            {"name": device.name, "agent": device.agent.code, "count": len(slots)},
        ),
    )


def shown_of(data: dict) -> dict:
    """What staff see of a record: the name's initials and the NIK masked."""
    from jaring.common.privacy import mask_nik

    name = str(data.get("name", "") or "")
    nik = str(data.get("nik", "") or "")
    return {
        "name": " ".join(word[:1] + "." for word in name.split())[:40],
        "nik": mask_nik(nik) if nik else "",
        "number": str(data.get("number", "") or ""),
    }


def moment_read(value) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else timezone.make_aware(moment)
