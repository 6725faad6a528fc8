"""Handing SMEs over to Pos, and what comes of them: every write of a lead, one path for every channel.

``leads_hand_over`` takes a list of ``LeadRequest`` (the page's form and the CLI send a list of one):
``lead_check`` judges each against a ``LeadBook`` (the offices, outlets, villages, NIBs the list names,
read in bulk) and answers a plan, a ``Replay`` (the same NIB already handed to the same outlet and still
open: the retry answers that lead) or the problems; nothing is written unless the whole list is good.
``lead_contacted``, ``lead_declined`` and ``lead_register`` move a lead along ``TRANSITIONS``, locking it
first. Every service audits its ``actor`` in the write's own transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit, user_of
from jaring.channels.models import Outlet, Partner
from jaring.common.errors import Problem, error_dict, problems_error
from jaring.common.text import CONTROL_CODE, has_control_character
from jaring.employers.models import Employer, Lead
from jaring.org.models import Office
from jaring.regions.models import Region
from jaring.rules.business_ids import IdentifierError, parse_nib

NAME_MAX = 160
CONTACT_MAX = 120
NOTE_MAX = 500
PHONE_DIGITS = (8, 15)

S = Lead.Status
# Where a lead may go from each status. A declined company may be contacted again later (its mind, or
# its owner, changes); a registered one is final: its employer is the outlet's for good.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.HANDED_OVER: frozenset({S.CONTACTED, S.REGISTERED, S.DECLINED}),
    S.CONTACTED: frozenset({S.REGISTERED, S.DECLINED}),
    S.DECLINED: frozenset({S.CONTACTED}),
    S.REGISTERED: frozenset(),
}


@dataclass(frozen=True)
class LeadRequest:
    """A company to hand over, as a channel read it: the branch and the outlet as records or codes."""

    name: str
    office: Office | str | None
    outlet: Outlet | str | None
    nib: str = ""
    village_code: str = ""
    phone: str = ""
    contact_name: str = ""
    note: str = ""


@dataclass
class LeadPlan:
    """An accepted hand-over, ready to be written (``lead`` once it is)."""

    name: str
    nib: str
    village_code: str
    phone: str
    contact_name: str
    note: str
    office: Office
    outlet: Outlet
    lead: Lead | None = None


@dataclass(frozen=True)
class Replay:
    """The request was made before: the same NIB is in an open lead of the same outlet (``lead``), or
    earlier in the same list (``plan``). Nothing new is written."""

    lead: Lead | None = None
    plan: LeadPlan | None = None


@dataclass(frozen=True)
class HandOver:
    """What a hand-over answered: the lead, and whether this call made it (False: a retry)."""

    lead: Lead
    created: bool


@dataclass
class LeadBook:
    """What the checks of a list of hand-overs read, in bulk: the offices, outlets and villages named,
    the employers and open leads holding its NIBs; and the NIBs taken by the plans accepted so far."""

    now: datetime
    offices: dict[str, Office] = field(default_factory=dict)
    outlets: dict[str, Outlet] = field(default_factory=dict)
    villages: frozenset[str] = frozenset()
    employers: dict[str, Employer] = field(default_factory=dict)  # by NIB
    open_leads: dict[str, Lead | LeadPlan] = field(default_factory=dict)  # by NIB

    @classmethod
    def load(cls, *, requests: Iterable[LeadRequest], now: datetime | None = None) -> LeadBook:
        """Reads what ``requests`` name: five statements whatever the list's length."""
        requests = list(requests)
        office_codes = {_code(r.office) for r in requests} - {""}
        outlet_codes = {_code(r.outlet) for r in requests} - {""}
        village_codes = {_text(r.village_code) for r in requests} - {""}
        nibs = {_nib(r.nib) for r in requests} - {None}
        book = cls(now=now or timezone.now())
        book.offices = {o.code: o for o in Office.objects.filter(code__in=office_codes)}
        book.outlets = {
            o.code: o
            for o in Outlet.objects.select_related("partner", "office").filter(code__in=outlet_codes)
        }
        book.villages = frozenset(
            Region.objects.filter(code__in=village_codes, level=Region.Level.VILLAGE).values_list(
                "code", flat=True
            )
        )
        if nibs:
            book.employers = {e.nib: e for e in Employer.objects.filter(nib__in=nibs)}
            book.open_leads = {
                lead.nib: lead
                for lead in Lead.objects.select_related("outlet").filter(nib__in=nibs, status__in=Lead.OPEN)
            }
        return book


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _code(value) -> str:
    """The code of an office or outlet given as a record or as typed."""
    if value is None:
        return ""
    return value.code if hasattr(value, "code") else _text(value).upper()


def _nib(text) -> str | None:
    if not _text(text) or has_control_character(text):
        return None
    try:
        return parse_nib(text)
    except IdentifierError:
        return None


def _words(text) -> str:
    return " ".join((text or "").split()) if isinstance(text, str) else ""


def lead_check(request: LeadRequest, book: LeadBook) -> LeadPlan | Replay | list[Problem]:
    """Judges a hand-over: every field, the branch (a BPJS branch office), the outlet (an open outlet of
    Pos), the NIB (not an employer registered already, nor open at another outlet). Reads only the
    book; an accepted NIB is held in the book, so a later request of the list sees it."""
    problems: list[Problem] = []

    def fail(field_name: str, code: str, message: str) -> None:
        problems.append(Problem(field_name, code, message))

    texts = {
        "name": request.name,
        "nib": request.nib,
        "village_code": request.village_code,
        "phone": request.phone,
        "contact_name": request.contact_name,
        "note": request.note,
        "office": request.office if isinstance(request.office, str) else "",
        "outlet": request.outlet if isinstance(request.outlet, str) else "",
    }
    controlled = {
        name for name, text in texts.items() if isinstance(text, str) and has_control_character(text)
    }
    for name in sorted(controlled):
        fail(name, CONTROL_CODE, _("Remove the control characters (such as NUL) from this text."))

    name = _words(request.name)
    if "name" not in controlled:
        if not name:
            fail("name", "required", _("The company's name is required."))
        elif len(name) > NAME_MAX:
            fail("name", "invalid", _("The name is longer than %(most)s characters.") % {"most": NAME_MAX})
        elif not any(character.isalpha() for character in name):
            fail("name", "invalid", _("A name contains letters."))

    contact_name = _words(request.contact_name)
    if "contact_name" not in controlled and len(contact_name) > CONTACT_MAX:
        fail(
            "contact_name",
            "invalid",
            _("The name is longer than %(most)s characters.") % {"most": CONTACT_MAX},
        )

    note = _words(request.note)
    if "note" not in controlled and len(note) > NOTE_MAX:
        fail("note", "invalid", _("The note is longer than %(most)s characters.") % {"most": NOTE_MAX})

    phone = "".join(c for c in _text(request.phone) if c.isdigit() or c == "+")
    if "phone" not in controlled and _text(request.phone):
        least, most = PHONE_DIGITS
        if not least <= len(phone.lstrip("+")) <= most or "+" in phone[1:]:
            fail("phone", "invalid", _("A phone number has 8 to 15 digits."))

    village_code = _text(request.village_code)
    if "village_code" not in controlled and village_code and village_code not in book.villages:
        fail("village_code", "unknown", _("Unknown village code %(code)s.") % {"code": village_code})

    office = None
    if "office" not in controlled:
        code = _code(request.office)
        office = book.offices.get(code)
        if not code:
            fail("office", "required", _("The BPJS branch handing the company over is required."))
        elif office is None:
            fail("office", "unknown", _("Unknown office %(code)s.") % {"code": code})
        elif office.kind != Office.Kind.BRANCH:
            fail(
                "office",
                "not_branch",
                _("%(code)s is not a branch office: a BPJS branch hands companies over.") % {"code": code},
            )
            office = None

    outlet = None
    if "outlet" not in controlled:
        code = _code(request.outlet)
        outlet = book.outlets.get(code)
        if not code:
            fail("outlet", "required", _("The Pos outlet the company is handed to is required."))
        elif outlet is None:
            fail("outlet", "unknown", _("Unknown outlet %(code)s.") % {"code": code})
        elif outlet.partner.kind != Partner.Kind.POS:
            fail("outlet", "not_pos", _("Outlet %(code)s is not a Pos outlet.") % {"code": code})
            outlet = None
        elif not outlet.is_active:
            fail("outlet", "closed", _("Outlet %(code)s is closed.") % {"code": code})
            outlet = None

    nib = ""
    if "nib" not in controlled and _text(request.nib):
        try:
            nib = parse_nib(request.nib)
        except IdentifierError as error:
            messages = {
                "not_digits": _(
                    "A %(what)s holds digits only (dots, dashes and spaces between them are fine)."
                )
                % {"what": "NIB"},
                "length": _("A NIB has 13 digits."),
            }
            fail("nib", error.code, messages.get(error.code, str(error)))
        else:
            employer = book.employers.get(nib)
            held = book.open_leads.get(nib)
            if employer is not None:
                fail(
                    "nib",
                    "registered",
                    _("This %(what)s is already registered: employer %(number)s, %(name)s.")
                    % {"what": "NIB", "number": employer.number, "name": employer.name},
                )
            elif held is not None and outlet is not None and held.outlet.pk == outlet.pk and not problems:
                return Replay(lead=held) if isinstance(held, Lead) else Replay(plan=held)
            elif held is not None:
                fail("nib", "open_lead", _OpenLeadMessage(held))

    if problems:
        return problems
    plan = LeadPlan(
        name=name,
        nib=nib,
        village_code=village_code,
        phone=phone,
        contact_name=contact_name,
        note=note,
        office=office,
        outlet=outlet,
    )
    if nib:
        book.open_leads[nib] = plan
    return plan


class _OpenLeadMessage:
    """Made when read: a lead earlier in the same list has its number only once the list is written."""

    def __init__(self, held: Lead | LeadPlan) -> None:
        self.held = held

    def __str__(self) -> str:
        lead = self.held if isinstance(self.held, Lead) else self.held.lead
        return _(
            "This company was already handed over to %(outlet)s (lead %(number)s) and is still open."
        ) % {
            "outlet": self.held.outlet.code,
            "number": lead.number if lead is not None else "-",
        }


def leads_apply(plans: list[LeadPlan], *, actor=None, now: datetime) -> list[Lead]:
    """Writes the accepted hand-overs (one statement), setting each plan's ``lead``. Must run inside a
    transaction; a NIB handed over meanwhile by another transaction raises ``IntegrityError``."""
    if not plans:
        return []
    created_by = user_of(actor)
    leads = Lead.objects.bulk_create(
        Lead(
            name=plan.name,
            nib=plan.nib,
            contact_name=plan.contact_name,
            phone=plan.phone,
            village_id=plan.village_code or None,
            office=plan.office,
            outlet=plan.outlet,
            status=Lead.Status.HANDED_OVER,
            status_changed_at=now,
            note=plan.note,
            handed_at=now,
            created_by=created_by if getattr(created_by, "pk", None) else None,
        )
        for plan in plans
    )
    for plan, lead in zip(plans, leads, strict=True):
        plan.lead = lead
    return leads


def leads_hand_over(
    *, requests: list[LeadRequest], actor=None, now: datetime | None = None
) -> list[HandOver]:
    """Hands companies over to Pos outlets: all of the list or nothing. Each answer is the new lead, or
    the open lead of the same NIB and outlet made before (a retry, ``created`` False). Raises
    ``ValidationError`` per field (a list of more than one: ``<row>.<field>``, rows from 1) when any
    request is refused; nothing is written then."""
    requests = list(requests)
    for attempt in range(2):
        try:
            with transaction.atomic():
                moment = now or timezone.now()
                book = LeadBook.load(requests=requests, now=moment)
                outcomes = [lead_check(request, book) for request in requests]
                refused = [(row, o) for row, o in enumerate(outcomes, start=1) if isinstance(o, list)]
                if refused:
                    raise problems_error(
                        Problem(p.field if len(requests) == 1 else f"{row}.{p.field}", p.code, p[2])
                        for row, problems in refused
                        for p in problems
                    )
                plans = [o for o in outcomes if isinstance(o, LeadPlan)]
                leads_apply(plans, actor=actor, now=moment)
                for plan in plans:
                    said = Said(
                        gettext_noop("lead %(number)s handed over by %(office)s to %(outlet)s"),
                        {"number": plan.lead.number, "office": plan.office.code, "outlet": plan.outlet.code},
                    )
                    audit(actor, "create", obj=plan.lead, after=plan.lead, summary=said)
                answers = []
                for outcome in outcomes:
                    if isinstance(outcome, LeadPlan):
                        answers.append(HandOver(outcome.lead, True))
                    elif outcome.lead is not None:
                        answers.append(HandOver(outcome.lead, False))
                    else:  # the same company twice in the list: the second is the first
                        answers.append(HandOver(outcome.plan.lead, False))
                return answers
        except IntegrityError:
            # The same NIB handed over at the same moment by another channel: judged again, the retry
            # answers that lead or is refused as open elsewhere.
            if attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def lead_hand_over(
    *,
    name: str,
    office: Office | str | None,
    outlet: Outlet | str | None,
    nib: str = "",
    village_code: str = "",
    phone: str = "",
    contact_name: str = "",
    note: str = "",
    actor=None,
) -> HandOver:
    """One hand-over: ``leads_hand_over`` of a list of one."""
    request = LeadRequest(
        name=name,
        office=office,
        outlet=outlet,
        nib=nib,
        village_code=village_code,
        phone=phone,
        contact_name=contact_name,
        note=note,
    )
    (answer,) = leads_hand_over(requests=[request], actor=actor)
    return answer


# -- moving a lead along ----------------------------------------------------------------------------------


def _locked(lead: Lead) -> Lead:
    """The lead read again under a row lock: two tellers pressing at once are judged one after the
    other."""
    return (
        Lead.objects.select_for_update(of=("self",))
        .select_related("outlet", "office", "employer")
        .get(pk=lead.pk)
    )


def _refuse_move(lead: Lead, to: str) -> None:
    if to not in TRANSITIONS[lead.status]:
        if lead.status == Lead.Status.REGISTERED:
            message = _("Lead %(number)s is registered: that is final.") % {"number": lead.number}
        else:
            message = _("Lead %(number)s is %(status)s; it cannot become %(to)s.") % {
                "number": lead.number,
                "status": lead.get_status_display(),
                "to": Lead.Status(to).label,
            }
        raise error_dict("status", message, "transition")


def _move(lead: Lead, *, to: str, note: str | None, employer: Employer | None, actor, said: Said) -> Lead:
    before = Lead.objects.filter(pk=lead.pk).values().get()
    lead.status = to
    lead.status_changed_at = timezone.now()
    if note is not None:
        lead.note = note
    lead.employer = employer
    lead.save(update_fields=["status", "status_changed_at", "note", "employer"])
    audit(actor, "update", obj=lead, before=before, after=lead, summary=said)
    return lead


def _note(text, *, required: bool) -> str:
    if isinstance(text, str) and has_control_character(text):
        raise error_dict(
            "note", _("Remove the control characters (such as NUL) from this text."), CONTROL_CODE
        )
    note = _words(text)
    if required and not note:
        raise error_dict("note", _("Say why the company declined."), "required")
    if len(note) > NOTE_MAX:
        raise error_dict(
            "note", _("The note is longer than %(most)s characters.") % {"most": NOTE_MAX}, "invalid"
        )
    return note


@transaction.atomic
def lead_contacted(*, lead: Lead, note: str = "", actor=None) -> Lead:
    """The outlet reached the company (or reached a declined one again). Contacted again: nothing
    changes (a retry). Raises ``ValidationError`` (``status:transition``) from registered; a declined
    lead whose NIB is open again in another lead cannot reopen (``nib:open_lead``)."""
    note = _note(note, required=False)
    lead = _locked(lead)
    if lead.status == Lead.Status.CONTACTED:
        return lead
    _refuse_move(lead, Lead.Status.CONTACTED)
    if lead.nib and lead.status == Lead.Status.DECLINED:
        held = Lead.objects.filter(nib=lead.nib, status__in=Lead.OPEN).exclude(pk=lead.pk).first()
        if held is not None:
            raise error_dict("nib", str(_OpenLeadMessage(held)), "open_lead")
    said = Said(gettext_noop("lead %(number)s contacted"), {"number": lead.number})
    return _move(lead, to=Lead.Status.CONTACTED, note=note or None, employer=None, actor=actor, said=said)


@transaction.atomic
def lead_declined(*, lead: Lead, reason: str, actor=None) -> Lead:
    """The company does not want to register now; ``reason`` (required) is kept as the lead's note.
    Declined again: nothing changes. Raises ``ValidationError`` from registered."""
    reason = _note(reason, required=True)
    lead = _locked(lead)
    if lead.status == Lead.Status.DECLINED:
        return lead
    _refuse_move(lead, Lead.Status.DECLINED)
    said = Said(
        gettext_noop("lead %(number)s declined: %(reason)s"), {"number": lead.number, "reason": reason}
    )
    return _move(lead, to=Lead.Status.DECLINED, note=reason, employer=None, actor=actor, said=said)


@transaction.atomic
def lead_register(*, lead: Lead, employer: Employer, actor=None) -> Lead:
    """Links the employer the lead became and marks it registered. The employer must have been
    registered by the lead's outlet (registering at the Pos desk credits it), not be another lead's, and
    carry the lead's NIB when both have one. The same employer again: nothing changes."""
    lead = _locked(lead)
    if lead.status == Lead.Status.REGISTERED and lead.employer_id == employer.pk:
        return lead
    _refuse_move(lead, Lead.Status.REGISTERED)
    if employer.outlet_id != lead.outlet_id:
        raise error_dict(
            "employer",
            _(
                "Employer %(number)s was not registered by %(outlet)s: register the company at that "
                "outlet's desk, then link it."
            )
            % {"number": employer.number, "outlet": lead.outlet.code},
            "other_outlet",
        )
    if lead.nib and employer.nib and lead.nib != employer.nib:
        raise error_dict(
            "employer",
            _("Employer %(number)s has another NIB than the lead (%(nib)s).")
            % {"number": employer.number, "nib": lead.nib},
            "nib_mismatch",
        )
    other = Lead.objects.filter(employer=employer).exclude(pk=lead.pk).first()
    if other is not None:
        raise error_dict(
            "employer",
            _("Employer %(number)s is already linked to lead %(lead)s.")
            % {"number": employer.number, "lead": other.number},
            "taken",
        )
    said = Said(
        gettext_noop("lead %(number)s registered as employer %(employer)s"),
        {"number": lead.number, "employer": employer.number},
    )
    return _move(lead, to=Lead.Status.REGISTERED, note=None, employer=employer, actor=actor, said=said)


def lead_for_employer(employer: Employer) -> Lead | None:
    """The open lead an employer just registered at an outlet answers: the same NIB, handed to the same
    outlet. For the registration to link it (``lead_register``) when the channels choose to."""
    if not employer.nib or employer.outlet_id is None:
        return None
    return Lead.objects.filter(nib=employer.nib, outlet_id=employer.outlet_id, status__in=Lead.OPEN).first()
