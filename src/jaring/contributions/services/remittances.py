"""Market collectors remit what they collected: recording a remittance.

A market collector (the market's manager, under an MoU) takes small daily deposits into traders'
balances and hands the money over to the agency now and then. Each hand-over is a ``Remittance`` of the
collector's outlet; ``contributions.remittances`` reconciles them against the deposits taken.

Who may record one is the channel's business (the CLI is the operator's); the rules are here, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit, user_of
from jaring.channels.models import Agent, Outlet, Partner
from jaring.common.errors import IdempotencyConflict, Problem, problems_error
from jaring.common.fingerprint import request_fingerprint
from jaring.common.text import CONTROL_CODE, has_control_character
from jaring.contributions.models import Remittance
from jaring.contributions.queries import ratebook
from jaring.contributions.services.book import latest_allowed
from jaring.rules.money import format_rupiah

REFERENCE_LENGTH = 100
NOTE_LENGTH = 200
# The largest amount the database column holds; anything above it is a typing mistake anyway.
AMOUNT_MAX = 2**63 - 1


@dataclass(frozen=True)
class RemittanceResult:
    """The remittance recorded, or the one recorded before under the same reference (``created`` False)."""

    remittance: Remittance
    created: bool


def remittance_source(outlet: Outlet) -> str:
    """What a remittance's reference is unique within (for the conflict error): the collector's outlet."""
    return f"remittance:{outlet.code}"


def remittance_fingerprint(
    *, agent: Agent | None, amount: int, remitted_at: datetime | None, note: str
) -> str:
    """What makes two remittances under one reference of one outlet the same request. ``remitted_at``
    is taken as sent (None: "now"), so a retry of an undated remittance is the same request."""
    return request_fingerprint(
        {
            "agent": agent.pk if agent else None,
            "amount": amount,
            "remitted_at": remitted_at.isoformat() if remitted_at else None,
            "note": note,
        }
    )


def remittance_check(
    *,
    outlet: Outlet,
    agent: Agent | None,
    amount,
    remitted_at: datetime | None,
    reference: str,
    note: str,
    now: datetime,
) -> list[Problem]:
    """What is wrong with a remittance, field by field (nothing: an empty list). Reads no database.

    Neither a closed outlet nor an agent no longer active is refused: what they collected is still owed,
    and handing it over is exactly what should happen. A remittance is not refused for its age either:
    it is recorded from the collector's slip, often days late, and moves no tally, statement or coverage,
    only the collector's balance, which is read from the records each time.
    """
    problems = _reference_problems(reference)
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= AMOUNT_MAX:
        problems.append(Problem("amount", "invalid", _("The amount is a positive whole number of rupiah.")))
    if outlet.partner.kind != Partner.Kind.MARKET_COLLECTOR:
        message = _("Outlet %(code)s is not a market collector's: only market collectors remit deposits.")
        problems.append(Problem("outlet", "not_collector", message % {"code": outlet.code}))
    if agent is not None and not _works_for(agent, outlet):
        message = _("Agent %(agent)s does not collect for outlet %(outlet)s.")
        problems.append(
            Problem("agent", "not_of_outlet", message % {"agent": agent.code, "outlet": outlet.code})
        )
    if remitted_at is not None and remitted_at > latest_allowed(ratebook(), now):
        problems.append(Problem("remitted_at", "future", _("The date is in the future.")))
    if len(note) > NOTE_LENGTH:
        message = _("The note is longer than %(count)s characters.") % {"count": NOTE_LENGTH}
        problems.append(Problem("note", "too_long", message))
    elif has_control_character(note):
        problems.append(
            Problem("note", CONTROL_CODE, _("Remove the control characters (such as NUL) from the note."))
        )
    return problems


def remittance_record(
    *,
    outlet: Outlet,
    agent: Agent | None = None,
    amount: int,
    remitted_at: datetime | None = None,
    reference: str,
    note: str = "",
    actor,
) -> RemittanceResult:
    """Records that the collector ``outlet`` (through ``agent`` of its staff, when named) handed
    ``amount`` rupiah over at ``remitted_at`` (default: now) under its own ``reference``, audited as
    ``actor``. A retry with the same reference and the same content returns the first record; the same
    reference with a different content raises ``IdempotencyConflict`` and records nothing, and so does
    a refused request (``ValidationError`` per field)."""
    note = " ".join((note or "").split())  # line breaks and runs of spaces as one space; NUL is refused
    fingerprint = remittance_fingerprint(agent=agent, amount=amount, remitted_at=remitted_at, note=note)
    try:
        with transaction.atomic():
            if problems := _reference_problems(reference):
                raise problems_error(problems)
            prior = Remittance.objects.filter(outlet=outlet, reference=reference).first()
            if prior is not None:
                return _replay(prior, fingerprint, outlet)
            now = timezone.now()
            problems = remittance_check(
                outlet=outlet,
                agent=agent,
                amount=amount,
                remitted_at=remitted_at,
                reference=reference,
                note=note,
                now=now,
            )
            if problems:
                raise problems_error(problems)
            remittance = Remittance.objects.create(
                outlet=outlet,
                agent=agent,
                amount=amount,
                remitted_at=remitted_at or now,
                reference=reference,
                fingerprint=fingerprint,
                note=note,
                recorded_by=user_of(actor),
            )
            said = Said(
                gettext_noop("remittance of %(amount)s by %(outlet)s, reference %(reference)s"),
                {"amount": format_rupiah(amount), "outlet": outlet.code, "reference": reference},
            )
            if agent is not None:
                said = said.plus(gettext_noop("handed over by %(agent)s"), {"agent": agent.code})
            audit(actor, "create", obj=remittance, after=remittance, summary=said)
            return RemittanceResult(remittance, created=True)
    except IntegrityError:
        # The same reference was recorded at the same moment by another request; the first one won.
        prior = Remittance.objects.filter(outlet=outlet, reference=reference).first()
        if prior is None:
            raise
        return _replay(prior, fingerprint, outlet)


def _replay(prior: Remittance, fingerprint: str, outlet: Outlet) -> RemittanceResult:
    if prior.fingerprint != fingerprint:
        raise IdempotencyConflict(remittance_source(outlet), prior.reference)
    return RemittanceResult(prior, created=False)


def _works_for(agent: Agent, outlet: Outlet) -> bool:
    """The agent is of the outlet's staff (or of its partner, with no outlet of its own)."""
    if agent.outlet_id is not None:
        return agent.outlet_id == outlet.pk
    return agent.partner_id == outlet.partner_id


def _reference_problems(reference) -> list[Problem]:
    if not isinstance(reference, str) or not reference.strip():
        return [
            Problem("reference", "required", _("The collector's reference of the remittance is required."))
        ]
    if len(reference) > REFERENCE_LENGTH:
        message = _("The reference is longer than %(count)s characters.") % {"count": REFERENCE_LENGTH}
        return [Problem("reference", "invalid", message)]
    if has_control_character(reference):
        message = _("Remove the control characters (such as NUL) from the reference.")
        return [Problem("reference", CONTROL_CODE, message)]
    return []
