"""Applying a batch: each item through the same service as its single endpoint, each on its own.

Every item is applied in its own transaction (the services' own) or not at all, so a batch never
half-applies an item, and an item's failure leaves the others alone. Rerunning a batch is safe:
registrations are keyed by NIK and payments and deposits by their ``reference``, so what was applied
comes back as ``duplicate``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from jaring.accounts.audit import Actor
from jaring.api.models import ApiKey, Scope
from jaring.api.problems import message_dict, reasons_of, shape_errors
from jaring.api.queries import participant_paying
from jaring.api.schemas import BatchDeposit, BatchPayment, BatchRegistration, BatchResult, InvalidItem
from jaring.common.errors import DuplicateRegistration, IdempotencyConflict
from jaring.contributions.queries import ratebook
from jaring.contributions.services import deposit_record, outlet_source, payment_record
from jaring.members.services import participant_register
from jaring.members.validation import RegistrationContext

logger = logging.getLogger("jaring.api")
SCOPE_OF = {"registration": Scope.REGISTER, "payment": Scope.PAY, "deposit": Scope.DEPOSIT}


def batch_scopes(items: Sequence) -> set[str]:
    """The scopes a key needs for every item of the batch."""
    return {SCOPE_OF[item.type] for item in items if item.type in SCOPE_OF}


def batch_apply(*, api_key: ApiKey, items: Sequence, request=None) -> list[BatchResult]:
    """One result per item, in order: accepted, duplicate (already recorded: the NIK is registered, or
    the reference was used for this same request) or rejected (with the messages per field). Each item
    is audited as the single call it stands for, with the key as its actor."""
    context = RegistrationContext(ratebook=ratebook())  # one set of lookups for the whole batch
    actor = Actor.api_key(api_key, request)
    results = []
    for index, item in enumerate(items):
        if isinstance(item, InvalidItem):
            results.append(_invalid(index, item))
            continue
        try:
            if isinstance(item, BatchRegistration):
                results.append(_register(index, item, api_key, context, actor))
            elif isinstance(item, BatchPayment):
                results.append(_pay(index, item, api_key, actor))
            else:
                results.append(_deposit(index, item, api_key, actor))
        except DuplicateRegistration as error:
            results.append(
                BatchResult(
                    index=index,
                    type=item.type,
                    status="duplicate",
                    errors=message_dict(error),
                    reasons=["nik:duplicate"],
                    participant_number=error.participant.number if error.disclosed else None,
                )
            )
        except IdempotencyConflict:
            message = _("This reference was used before for a different request; nothing was recorded.")
            results.append(
                BatchResult(
                    index=index,
                    type=item.type,
                    status="rejected",
                    errors={"reference": [message]},
                    reasons=["reference:conflict"],
                    reference=getattr(item, "reference", None),
                )
            )
        except ValidationError as error:
            results.append(
                BatchResult(
                    index=index,
                    type=item.type,
                    status="rejected",
                    errors=message_dict(error),
                    reasons=reasons_of(error),
                    reference=getattr(item, "reference", None),
                )
            )
        except DatabaseError:
            raise  # the database is in trouble: stop; resending the batch later is safe
        except Exception:
            # A fault on one item (a bug met by odd data) must not cost the other items: the services
            # roll the item back, the fault is logged for fixing, and the item is answered as not applied.
            logger.exception("batch item %s (%s) of key %s failed", index, item.type, api_key.prefix)
            message = _("This item could not be applied because of a fault on our side; it was not recorded.")
            results.append(
                BatchResult(
                    index=index,
                    type=item.type,
                    status="rejected",
                    errors={"__all__": [message]},
                    reference=getattr(item, "reference", None),
                )
            )
    return results


def _invalid(index: int, item: InvalidItem) -> BatchResult:
    errors = []
    for error in item.errors:
        location = list(error.get("loc", ()))
        if location[:1] == [item.type]:
            location = location[1:]  # Pydantic names the union member first
        if not location and str(error.get("type", "")).startswith("union_tag"):
            location = ["type"]
        errors.append({**error, "loc": tuple(location)})
    return BatchResult(index=index, type=item.type, status="rejected", errors=shape_errors(errors))


def _register(
    index: int, item: BatchRegistration, api_key: ApiKey, context: RegistrationContext, actor: Actor
) -> BatchResult:
    registration = participant_register(
        **item.registered(),
        outlet=api_key.outlet,
        agent=api_key.agent,
        context=context,
        actor=actor,
        history_allowed=Scope.HISTORY in api_key.scope_set,
    )
    return BatchResult(
        index=index,
        type=item.type,
        status="accepted",
        participant_number=registration.participant.number,
    )


def _pay(index: int, item: BatchPayment, api_key: ApiKey, actor: Actor) -> BatchResult:
    participant = participant_paying(nik=item.nik, number=item.number, birth_date=item.birth_date)
    result = payment_record(
        participant=participant,
        months=item.months,
        amount=item.amount,
        paid_at=item.paid_at,
        source=outlet_source(api_key.outlet),
        idempotency_key=item.reference,
        outlet=api_key.outlet,
        agent=api_key.agent,
        actor=actor,
        history_allowed=Scope.HISTORY in api_key.scope_set,
    )
    return BatchResult(
        index=index,
        type=item.type,
        status="accepted" if result.created else "duplicate",
        reference=item.reference,
        participant_number=participant.number,
        payment_id=result.payment.pk,
    )


def _deposit(index: int, item: BatchDeposit, api_key: ApiKey, actor: Actor) -> BatchResult:
    participant = participant_paying(nik=item.nik, number=item.number, birth_date=item.birth_date)
    result = deposit_record(
        participant=participant,
        amount=item.amount,
        collected_at=item.collected_at,
        source=outlet_source(api_key.outlet),
        idempotency_key=item.reference,
        outlet=api_key.outlet,
        agent=api_key.agent,
        actor=actor,
        history_allowed=Scope.HISTORY in api_key.scope_set,
    )
    return BatchResult(
        index=index,
        type=item.type,
        status="accepted" if result.created else "duplicate",
        reference=item.reference,
        participant_number=participant.number,
        deposit_id=result.deposit.pk,
    )
