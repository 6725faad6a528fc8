"""Registering employers: the one check and the one set-based apply every channel takes.

``employer_check`` judges a request against an ``EmployerBook`` (the villages, branches and business
identifiers the list names, read in bulk, and the wage earners' rate book) and answers with a plan or
the problems that refuse it, each a ``Problem`` with a field, a stable code and a message in the user's
language. ``employers_apply`` writes a list of plans with one statement. ``employer_register`` is the
list of one, audited; the file import applies a chunk of rows as one list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit
from jaring.channels.models import Agent, Outlet, Partner
from jaring.common.clock import local_date, month_of
from jaring.common.errors import Problem, problems_error
from jaring.common.text import CONTROL_CODE, has_control_character
from jaring.contributions.queries import wage_ratebook
from jaring.employers.models import Employer, Lead
from jaring.org.models import BranchArea
from jaring.org.queries import serving_branch_id
from jaring.regions.models import Region
from jaring.rules.business_ids import IdentifierError, parse_nib, parse_npwp
from jaring.rules.employer_number import employer_number
from jaring.rules.sectors import sectors
from jaring.rules.wage_rates import SIZES, WageRateBook, WageRuleMissing
from jaring.tallies.writer import EMPLOYERS, TallyBatch, Who

NAME_MAX = 160
# Not a rule: the largest workforce a registration may declare, to refuse typing errors (the largest
# Indonesian employers have a few hundred thousand workers).
WORKFORCE_MAX = 2_000_000
# The sizes a partner's outlet (a Pos teller, a partner's system) may register: SMEs (UMKM), which BPJS
# hands over to Pos; large employers are registered by the branch (with no outlet, or at its own).
SME_SIZES = frozenset({"micro", "small", "medium"})


@dataclass(frozen=True)
class EmployerRequest:
    """An employer to register, as a channel read it (numbers may still be text, as typed)."""

    name: str
    village_code: str
    sector: str
    workforce: int | str | None
    nib: str = ""
    npwp: str = ""
    risk_class: int | str | None = None  # None or empty: the sector's
    size: str | None = None  # None or empty: from the workforce
    outlet: Outlet | None = None
    agent: Agent | None = None


@dataclass
class EmployerPlan:
    """An accepted registration, ready to be written (``pk`` once it is)."""

    name: str
    nib: str
    npwp: str
    sector: str
    risk_class: int
    size: str
    workforce: int
    village_code: str
    office_id: int | None
    outlet: Outlet | None
    agent: Agent | None
    registered_at: datetime
    pk: int | None = None

    @property
    def number(self) -> str:
        return employer_number(self.pk) if self.pk else ""


@dataclass
class EmployerBook:
    """What the checks of a list of employers read, in bulk and then held: the villages and branch
    areas the list names, the employers already holding its NIBs and NPWPs, the wage earners' rate book;
    and the identifiers taken by the plans accepted so far."""

    wages: WageRateBook
    now: datetime
    villages: frozenset[str] = frozenset()
    branches: dict[str, int] = field(default_factory=dict)
    # identifier -> the employer (or plan of this list) holding it
    nibs: dict[str, Employer | EmployerPlan] = field(default_factory=dict)
    npwps: dict[str, Employer | EmployerPlan] = field(default_factory=dict)

    @classmethod
    def load(
        cls, *, requests: Iterable[EmployerRequest], wages: WageRateBook | None = None, now=None
    ) -> EmployerBook:
        """Reads what ``requests`` name: four statements whatever the list's length."""
        if wages is None:
            wages = wage_ratebook()
        requests = list(requests)
        codes = {_text(r.village_code) for r in requests} - {""}
        codes = {code for code in codes if not has_control_character(code)}
        villages = frozenset(
            Region.objects.filter(code__in=codes, level=Region.Level.VILLAGE).values_list("code", flat=True)
        )
        regencies = {code[:5] for code in villages}
        branches = dict(
            BranchArea.objects.filter(regency_id__in=regencies).values_list("regency_id", "office_id")
        )
        nibs = {_identifier(parse_nib, r.nib) for r in requests} - {None}
        npwps = {_identifier(parse_npwp, r.npwp) for r in requests} - {None}
        taken = Employer.objects.filter(Q(nib__in=nibs) | Q(npwp__in=npwps)) if nibs or npwps else ()
        book = cls(wages=wages, now=now or timezone.now(), villages=villages, branches=branches)
        for employer in taken:
            if employer.nib in nibs:
                book.nibs[employer.nib] = employer
            if employer.npwp in npwps:
                book.npwps[employer.npwp] = employer
        return book


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _identifier(parse, text) -> str | None:
    """The identifier's digits, or None when it is empty or cannot be one (its check says why)."""
    if not _text(text) or has_control_character(text):
        return None
    try:
        return parse(text)
    except IdentifierError:
        return None


def _blank(value) -> bool:
    """Nothing given: None, or text of spaces only."""
    return value is None or (isinstance(value, str) and not value.strip())


def _whole(value) -> int | None:
    """A whole number from an int or text (``1.250`` as written in Indonesia); None when it is none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = _text(value).replace(".", "").replace(",", "")
    return int(text) if text.isascii() and text.isdigit() else None


def employer_check(request: EmployerRequest, book: EmployerBook) -> EmployerPlan | list[Problem]:
    """Judges a registration: every field, then the NIB and NPWP not held by an employer registered
    before (nor earlier in the same list). Reads only the book; when it accepts, the book holds the new
    identifiers, so the next request of the list sees them taken."""
    problems: list[Problem] = []

    def fail(field_name: str, code: str, message: str) -> None:
        problems.append(Problem(field_name, code, message))

    controlled = {
        name
        for name, text in (
            ("name", request.name),
            ("village_code", request.village_code),
            ("sector", request.sector),
            ("nib", request.nib),
            ("npwp", request.npwp),
            ("size", request.size),
        )
        if isinstance(text, str) and has_control_character(text)
    }
    for name in sorted(controlled):
        fail(name, CONTROL_CODE, _("Remove the control characters (such as NUL) from this text."))

    name = " ".join((request.name or "").split())
    if "name" not in controlled:
        if not name:
            fail("name", "required", _("The employer's name is required."))
        elif len(name) > NAME_MAX:
            fail("name", "invalid", _("The name is longer than %(most)s characters.") % {"most": NAME_MAX})
        elif not any(character.isalpha() for character in name):
            fail("name", "invalid", _("A name contains letters."))

    village_code = _text(request.village_code)
    if "village_code" not in controlled and village_code not in book.villages:
        fail("village_code", "unknown", _("Unknown village code %(code)s.") % {"code": village_code or "-"})

    sector_code = _text(request.sector).upper()
    sector = sectors().get(sector_code)
    if sector is None and "sector" not in controlled:
        fail(
            "sector",
            "unknown",
            _("Unknown sector %(code)s: a sector is a KBLI 2020 section, A to U.")
            % {"code": sector_code or "-"},
        )

    workforce = None
    if _blank(request.workforce):
        fail("workforce", "required", _("The number of workers is required."))
    elif (workforce := _whole(request.workforce)) is None:
        fail("workforce", "invalid", _("The number of workers is a whole number."))
    elif not 1 <= workforce <= WORKFORCE_MAX:
        most = f"{WORKFORCE_MAX:,}".replace(",", ".")
        fail("workforce", "range", _("The number of workers is from 1 to %(most)s.") % {"most": most})
        workforce = None

    month = month_of(book.now)
    try:
        risk_classes = sorted(book.wages.schedule_for(month).jkk_by_risk_class)
    except WageRuleMissing:
        risk_classes = []
    risk_class = None
    if not _blank(request.risk_class):
        risk_class = _whole(request.risk_class)
        if risk_class not in risk_classes:
            fail(
                "risk_class",
                "unknown",
                _("Risk class %(given)s does not exist: the work-accident risk classes are %(classes)s.")
                % {"given": request.risk_class, "classes": ", ".join(map(str, risk_classes)) or "-"},
            )
            risk_class = None
    elif sector is not None:
        risk_class = sector.risk_class

    size = _text(request.size).lower()
    if "size" not in controlled:
        if size and size not in SIZES:
            fail(
                "size",
                "unknown",
                _("Unknown size %(size)s: an employer is micro, small, medium or large.") % {"size": size},
            )
        elif not size and workforce is not None:
            try:
                size = book.wages.size_for(workforce, month)
            except WageRuleMissing:
                fail("size", "no_rule", _("No table of employer sizes is in force; state the size."))
        if size in SIZES and size not in SME_SIZES and _partner_outlet(request.outlet):
            fail(
                "size",
                "not_sme",
                _("A large employer is registered by the BPJS branch, not at a partner's outlet."),
            )

    nib = _checked_identifier("nib", "NIB", request.nib, parse_nib, book.nibs, controlled, fail)
    npwp = _checked_identifier("npwp", "NPWP", request.npwp, parse_npwp, book.npwps, controlled, fail)

    outlet, agent = request.outlet, request.agent
    if outlet is not None and not outlet.is_active:
        fail("outlet", "closed", _("Outlet %(code)s is closed.") % {"code": outlet.code})
    if agent is not None:
        if outlet is None or agent.partner_id != outlet.partner_id:
            fail(
                "agent",
                "invalid",
                _("Agent %(code)s does not work for this outlet's partner.") % {"code": agent.code},
            )
        elif agent.status != Agent.Status.ACTIVE:
            fail("agent", "agent_inactive", _("Agent %(code)s is not active.") % {"code": agent.code})

    if problems:
        return problems
    plan = EmployerPlan(
        name=name,
        nib=nib,
        npwp=npwp,
        sector=sector.code,
        risk_class=risk_class,
        size=size,
        workforce=workforce,
        village_code=village_code,
        office_id=serving_branch_id(village_code, outlet=outlet, branches=book.branches),
        outlet=outlet,
        agent=agent,
        registered_at=book.now,
    )
    if nib:
        book.nibs[nib] = plan
    if npwp:
        book.npwps[npwp] = plan
    return plan


def _partner_outlet(outlet: Outlet | None) -> bool:
    """Whether ``outlet`` is a partner's (a Pos office, a bank...), not a BPJS branch's own counter."""
    return outlet is not None and outlet.partner.kind != Partner.Kind.BPJS_BRANCH


def _checked_identifier(field_name, label, text, parse, taken, controlled, fail) -> str:
    """The identifier's digits ("" when not given); a problem when it cannot be one or is taken."""
    if field_name in controlled or not _text(text):
        return ""
    try:
        digits = parse(text)
    except IdentifierError as error:
        messages = {
            "not_digits": _("A %(what)s holds digits only (dots, dashes and spaces between them are fine)."),
            "length": _("A NIB has 13 digits.") if field_name == "nib" else _("An NPWP has 15 or 16 digits."),
        }
        fail(field_name, error.code, messages.get(error.code, str(error)) % {"what": label})
        return ""
    holder = taken.get(digits)
    if holder is not None:
        fail(field_name, "duplicate", _DuplicateMessage(label, holder))
        return ""
    return digits


class _DuplicateMessage:
    """Made when read: an employer earlier in the same list has its number only once the list is
    written."""

    def __init__(self, label: str, holder: Employer | EmployerPlan) -> None:
        self.label, self.holder = label, holder

    def __str__(self) -> str:
        return _("This %(what)s is already registered: employer %(number)s, %(name)s.") % {
            "what": self.label,
            "number": self.holder.number or "-",
            "name": self.holder.name,
        }


def employers_apply(plans: list[EmployerPlan], *, actor=None) -> list[Employer]:
    """Writes the accepted registrations (one statement) and their tallies (one grouped upsert), setting
    each plan's ``pk``; the employers as written. Must run inside a transaction; a NIB or NPWP
    registered meanwhile by another transaction raises ``IntegrityError`` (the database's unique keys
    settle the race). A company registered at a Pos outlet with the NIB of a lead handed to that outlet
    and still open converts the lead (``employers.leads``), audited as done by ``actor``."""
    if not plans:
        return []
    employers = Employer.objects.bulk_create(
        Employer(
            name=plan.name,
            nib=plan.nib,
            npwp=plan.npwp,
            sector=plan.sector,
            risk_class=plan.risk_class,
            size=plan.size,
            workforce=plan.workforce,
            village_id=plan.village_code,
            office_id=plan.office_id,
            outlet=plan.outlet,
            agent=plan.agent,
            registered_at=plan.registered_at,
        )
        for plan in plans
    )
    tallies = TallyBatch()
    for plan, employer in zip(plans, employers, strict=True):
        plan.pk = employer.pk
        who = Who.of_employer(
            office_id=plan.office_id,
            outlet_id=employer.outlet_id,
            agent_id=employer.agent_id,
            channel=plan.outlet.partner.kind if plan.outlet else "",
        )
        tallies.add(EMPLOYERS, local_date(plan.registered_at), who)
    tallies.write()
    _leads_convert(employers, actor=actor)
    return employers


def _leads_convert(employers: list[Employer], *, actor) -> None:
    """Links the open leads the new employers answer: the same NIB, handed to the outlet that registered
    them (one read for the list; most lists answer none)."""
    from jaring.employers.leads.services import lead_register  # the leads build on the registry

    by_key = {(e.nib, e.outlet_id): e for e in employers if e.nib and e.outlet_id is not None}
    if not by_key:
        return
    leads = Lead.objects.filter(nib__in=[nib for nib, _outlet in by_key], status__in=Lead.OPEN)
    for lead in leads.order_by("pk"):
        employer = by_key.get((lead.nib, lead.outlet_id))
        if employer is not None:
            lead_register(lead=lead, employer=employer, actor=actor)


def employer_register(
    *,
    name: str,
    village_code: str,
    sector: str,
    workforce: int | str | None,
    nib: str = "",
    npwp: str = "",
    risk_class: int | str | None = None,
    size: str | None = None,
    outlet: Outlet | None = None,
    agent: Agent | None = None,
    actor=None,
) -> Employer:
    """Registers an employer: ``employer_check`` and ``employers_apply`` for a list of one, audited with
    ``actor`` in the same transaction. Raises ``ValidationError`` (per field, with stable codes) for bad
    input, a NIB or NPWP already registered included; nothing is written then."""
    request = EmployerRequest(
        name=name,
        village_code=village_code,
        sector=sector,
        workforce=workforce,
        nib=nib,
        npwp=npwp,
        risk_class=risk_class,
        size=size,
        outlet=outlet,
        agent=agent,
    )
    for attempt in range(2):
        try:
            with transaction.atomic():
                book = EmployerBook.load(requests=[request])
                outcome = employer_check(request, book)
                if isinstance(outcome, list):
                    raise problems_error(outcome)
                (employer,) = employers_apply([outcome], actor=actor)
                if actor is not None:
                    said = Said(
                        gettext_noop("employer %(number)s registered (%(size)s, risk class %(risk)s)"),
                        {"number": employer.number, "size": employer.size, "risk": employer.risk_class},
                    )
                    audit(actor, "create", obj=employer, after=employer, summary=said)
                return employer
        except IntegrityError:
            # The same NIB or NPWP registered at the same moment through another channel: judged again,
            # it is now refused as a duplicate.
            if attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
