"""Registering participants: the one check and the one set-based apply every channel takes.

``registration_check`` judges a request against a ``RegistrationBook`` (the lookups of the
``RegistrationContext`` and the NIKs already registered, read in bulk) and answers with a plan or the
problems that refuse it; ``registrations_apply`` writes a list of plans (participants, refused duplicate
claims, tallies) with a handful of statements. ``participant_register`` is the list of one; the file import
and the API batch apply lists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit
from jaring.channels.models import Agent, Outlet
from jaring.common.bulk import db_date, db_datetime, insert_values, insert_with_ids, pipelined
from jaring.common.clock import local_date
from jaring.common.errors import DuplicateRegistration, Problem, problems_error, problems_of
from jaring.common.text import has_control_character
from jaring.contributions.services.book import earliest_day, latest_allowed
from jaring.events.checks import event_check
from jaring.events.models import Event, EventSignup
from jaring.members.models import DuplicateAttempt, NikVerification, Participant, Standing
from jaring.members.population import Answer, Asked, population_registry
from jaring.members.services.duplicates import (
    BLOCK_MAX,
    Neighbour,
    duplicate_pairs_write,
    duplicate_warning,
    matcher_rule,
    neighbours_load,
    probable_duplicates,
)
from jaring.members.validation import CleanRegistration, RegistrationContext, registration_clean
from jaring.rules.duplicates import Record
from jaring.tallies.writer import REGISTERED, TallyBatch, Who


@dataclass(frozen=True)
class Registration:
    participant: Participant
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class RegistrationRequest:
    """A worker to register, credited to ``outlet`` (its partner's channel) and ``agent``."""

    nik: str
    name: str
    birth_date: date | None
    sex: str | None
    village_code: str
    occupation_code: str
    declared_income: int | str | None
    programmes: str
    outlet: Outlet
    agent: Agent | None = None
    phone: str = ""
    permanence: str | None = None
    segment: str = Participant.Segment.BPU
    registered_at: datetime | None = None
    # The event the worker signs up at (its code), credited once whatever the channel.
    event_code: str = ""
    # The sender may state history: a ``registered_at`` before the grace window for late records is
    # refused (``too_old``) otherwise.
    history_allowed: bool = False


@dataclass
class RegistrationPlan:
    clean: CleanRegistration
    outlet: Outlet
    agent: Agent | None
    segment: str
    office_id: int | None
    pk: int | None = None
    event: Event | None = None
    # Participants (or registrations of the same list) this one may duplicate, with the score: warnings.
    duplicates: list = field(default_factory=list)

    @property
    def number(self) -> str:
        return Participant(pk=self.pk).number if self.pk else ""

    @property
    def warnings(self) -> tuple[str, ...]:
        """The NIK's warnings and the probable duplicates', worded for the user."""
        said = tuple(
            duplicate_warning(_number_of(who), who.nik if isinstance(who, Neighbour) else who.clean.nik)
            for who, _scored in self.duplicates
        )
        return self.clean.warnings + said


@dataclass
class RegistrationBook:
    """What the checks of a list of registrations read: the context's lookups, and the participants
    already registered under the list's NIKs (read once), kept with the registrations accepted so far."""

    context: RegistrationContext
    now: datetime
    existing: dict[str, Participant] = field(default_factory=dict)
    taken: dict[str, RegistrationPlan] = field(default_factory=dict)
    # Refused claims with the registration they claim (a participant, or a plan of this list).
    attempts: list[tuple[DuplicateAttempt, Participant | RegistrationPlan]] = field(default_factory=list)
    # Workers already registered whom an event signed up: (event, the registration, when, through where).
    signups: list[tuple[Event, Participant | RegistrationPlan, datetime, Outlet]] = field(
        default_factory=list
    )
    earliest: date | None = None  # the first day a late record may be dated on, once worked out
    latest_allowed: datetime | None = None  # the latest moment a registration may be dated, once worked out
    # Participants sharing the first twelve digits of a NIK of the list (probable duplicates), by them.
    neighbours: dict = field(default_factory=dict)
    taken_by_prefix: dict = field(default_factory=dict)  # the list's registrations by their NIK's first 12
    compare_duplicates: bool = True
    matcher: dict | None = None  # the probable-duplicate matcher's rule, once read

    @classmethod
    def load(cls, *, context: RegistrationContext, niks: Iterable[str], now: datetime | None = None):
        # A NIK holding a control character is refused by its check and cannot be registered; it is not
        # looked up (PostgreSQL refuses NUL even in a query's parameters).
        niks = {nik.strip() for nik in niks if nik and nik.strip() and not has_control_character(nik)}
        existing = Participant.objects.filter(nik__in=niks).select_related("outlet") if niks else ()
        # Probable duplicates are looked for in lists a person sends (the desk, the API, its batch, the
        # command line); a file's chunk of thousands is left to the scan, which reads it whole.
        compare = len(niks) <= COMPARED_LIST_MAX
        return cls(
            context=context,
            now=now or timezone.now(),
            existing={p.nik: p for p in existing},
            neighbours=neighbours_load(niks) if compare else {},
            compare_duplicates=compare,
        )

    def latest(self, moment: datetime | None) -> datetime | None:
        """``moment`` (``now`` when not given), or None when it lies further ahead of the server clock
        than the clock skew of the coverage policy (the same rule as for payments)."""
        if moment is None:
            return self.now
        if self.latest_allowed is None:
            self.latest_allowed = latest_allowed(self.context.ratebook, self.now)
        return moment if moment <= self.latest_allowed else None

    def too_old(self, moment: datetime) -> bool:
        """True when ``moment`` falls on a day before the coverage policy's grace window for late records
        (the same rule as for payments). Asked for every row of a file: the first day allowed is worked
        out once, and a registration made now is never late."""
        if moment is self.now:
            return False
        if self.earliest is None:
            self.earliest = earliest_day(self.context.ratebook, self.now)
        return local_date(moment) < self.earliest


def registration_check(
    request: RegistrationRequest, book: RegistrationBook
) -> RegistrationPlan | list[Problem]:
    """Judges a registration: every field (``registration_clean``), then the NIK not registered before
    (nor earlier in the same list). A duplicate sent by another outlet than the first registration's is a
    claim on a registered worker: it is kept (``DuplicateAttempt``) for the reports."""
    registered_at = book.latest(request.registered_at)
    if registered_at is None:
        return [Problem("registered_at", "future", _("The registration date is in the future."))]
    if not request.history_allowed and book.too_old(registered_at):
        message = _(
            "The date is before the days a late record may be dated on; only an operator records history."
        )
        return [Problem("registered_at", "too_old", message)]
    event, event_problems = event_check(request.event_code, registered_at, book.context.event)
    try:
        clean = registration_clean(
            nik=request.nik,
            name=request.name,
            birth_date=request.birth_date,
            sex=request.sex,
            phone=request.phone,
            village_code=request.village_code,
            occupation_code=request.occupation_code,
            declared_income=request.declared_income,
            programmes=request.programmes,
            outlet=request.outlet,
            agent=request.agent,
            registered_at=registered_at,
            context=book.context,
            permanence=request.permanence,
        )
    except ValidationError as error:
        return problems_of(error) + event_problems
    if event_problems:
        return event_problems
    first = book.existing.get(clean.nik) or book.taken.get(clean.nik)
    if first is not None:
        if event is not None:
            # Already registered, signed up at the event all the same: the event counts them once.
            book.signups.append((event, first, registered_at, request.outlet))
        if first.outlet.pk != request.outlet.pk:
            # Another channel claims a registered worker: reported. The same outlet sending its own
            # registration again (a retried request, a resent batch) is not a claim.
            attempt = DuplicateAttempt(
                nik=clean.nik,
                channel=request.outlet.partner.kind,
                outlet=request.outlet,
                agent=request.agent,
                attempted_at=registered_at,
            )
            book.attempts.append((attempt, first))
        return [
            Problem(
                "nik", "duplicate", _DuplicateMessage(first, disclosed=_same_partner(first, request.outlet))
            )
        ]
    plan = RegistrationPlan(
        clean=clean,
        outlet=request.outlet,
        agent=request.agent,
        segment=request.segment,
        office_id=book.context.branch_id(clean.village_code, request.outlet),
        event=event,
    )
    plan.duplicates = _probable_duplicates(plan, request, book)
    book.taken[clean.nik] = plan
    book.taken_by_prefix.setdefault(clean.nik[:12], []).append(plan)
    return plan


def _probable_duplicates(
    plan: RegistrationPlan, request: RegistrationRequest, book: RegistrationBook
) -> list:
    """The participants registered before, and the registrations earlier in the list, this registration
    may duplicate (sharing the NIK's first twelve digits), scored (``members.services.duplicates``)."""
    if not book.compare_duplicates:
        return []
    prefix = plan.clean.nik[:12]
    earlier = book.taken_by_prefix.setdefault(prefix, [])
    neighbours = book.neighbours.get(prefix, [])
    if not neighbours and not earlier:
        return []
    if len(neighbours) + len(earlier) > BLOCK_MAX:
        # as in the scan: a block this large (a generated file, a district's thousands born one day) says
        # nothing a smaller one does not, and comparing within it would cost a file's chunk its time
        return []
    if book.matcher is None:
        book.matcher = matcher_rule(local_date(plan.clean.registered_at))
    candidates = [(n.record, n) for n in neighbours if n.nik != plan.clean.nik]
    candidates += [(_record_of(other, 0), other) for other in earlier]
    return probable_duplicates(_record_of(plan, 0), candidates, book.matcher)


def _record_of(plan: RegistrationPlan, pk: int) -> Record:
    clean = plan.clean
    agent = plan.agent.pk if plan.agent else None
    return Record(
        pk,
        clean.nik,
        clean.name,
        clean.birth_date,
        clean.sex,
        clean.village_code,
        clean.phone or "",
        plan.outlet.pk,
        agent,
    )


def _number_of(who) -> str:
    return who.number


class _DuplicateMessage:
    """``duplicate_message`` made when read: a registration earlier in the same list has its number only
    once the list is written."""

    def __init__(self, first, *, disclosed: bool) -> None:
        self.first = first
        self.disclosed = disclosed

    def __str__(self) -> str:
        return duplicate_message(self.first, disclosed=self.disclosed)


def _same_partner(existing: Participant | RegistrationPlan, outlet: Outlet) -> bool:
    """Whether the sender's partner registered the worker: only then are the registration's details
    (number, outlet, date) told, on every channel, so that registering a NIK cannot be used to learn
    whose number it is (docs/security.md, "What each channel may say"). The NIK already tells the birth
    date, so a birth date proves nothing here."""
    return existing.outlet.partner_id == outlet.partner_id


def duplicate_message(existing: Participant | RegistrationPlan, *, disclosed: bool = True) -> str:
    """'NIK already registered ... at <outlet> on <date>' in the user's language; without the details
    unless ``disclosed``."""
    if not disclosed:
        return _(
            "This NIK is already registered, through another partner; nothing was recorded. Ask the worker "
            "for their participant card."
        )
    if isinstance(existing, RegistrationPlan):
        number, outlet, at = existing.number, existing.outlet, existing.clean.registered_at
    else:
        number, outlet, at = existing.number, existing.outlet, existing.registered_at
    return _(
        "This NIK is already registered: participant %(number)s, registered at %(outlet)s (%(code)s) "
        "on %(date)s."
    ) % {
        "number": number,
        "outlet": outlet.name,
        "code": outlet.code,
        "date": date_format(local_date(at), "j F Y"),
    }


# The longest list whose registrations are compared with the registry for probable duplicates as they
# are checked (a file's chunk is longer, and left to the scan: docs/duplicates.md).
COMPARED_LIST_MAX = 100

PARTICIPANT_COLUMNS = (
    "nik",
    "name",
    "birth_date",
    "sex",
    "phone",
    "village_id",
    "occupation_id",
    "permanence",
    "segment",
    "declared_income",
    "programmes",
    "channel",
    "outlet_id",
    "agent_id",
    "office_id",
    "registered_at",
    "registered_month",
    "created_at",
)
STANDING_COLUMNS = ("participant_id", "status", "paid_through", "deposit_balance")


def registrations_apply(plans: list[RegistrationPlan], book: RegistrationBook) -> None:
    """Writes the accepted registrations (setting each plan's ``pk``), the refused claims kept for the
    reports, the sign-ups at events, and the tallies. Must run inside a transaction."""
    if plans:
        _participants_write(plans, book)
    if book.attempts:
        for attempt, first in book.attempts:
            attempt.participant_id = first.pk
        DuplicateAttempt.objects.bulk_create(attempt for attempt, _first in book.attempts)
        book.attempts = []
    _signups_write(plans, book)
    pairs = [(plan.pk, _id_of(who), scored) for plan in plans for who, scored in plan.duplicates]
    if pairs:
        duplicate_pairs_write(pairs, book.now)
    if plans and (registry := population_registry()) is not None:
        _verifications_write(plans, registry, book.now)


def _verifications_write(plans: list[RegistrationPlan], registry, now: datetime) -> None:
    """Asks the population registry about the list's NIKs at once and keeps each answer."""
    asked = [Asked(plan.clean.nik, plan.clean.name, plan.clean.birth_date) for plan in plans]
    answers = registry.verify(asked)
    unknown = Answer("unavailable", detail="no answer for this NIK")
    NikVerification.objects.bulk_create(
        NikVerification(
            participant_id=plan.pk,
            source=registry.source,
            status=(answer := answers.get(plan.clean.nik, unknown)).status,
            name_matches=answer.name_matches,
            birth_date_matches=answer.birth_date_matches,
            detail=answer.detail[:200],
            checked_at=now,
        )
        for plan in plans
    )


def _id_of(who) -> int:
    return who.record.pk if isinstance(who, Neighbour) else who.pk


def _signups_write(plans: list[RegistrationPlan], book: RegistrationBook) -> None:
    """One row per event and worker: the registrations made at an event, then the workers it found
    already registered (a row the event already holds for the worker is kept as it is)."""
    rows = [
        EventSignup(
            event=plan.event,
            participant_id=plan.pk,
            new=True,
            signed_at=plan.clean.registered_at,
            channel=plan.outlet.partner.kind,
            outlet_id=plan.outlet.pk,
        )
        for plan in plans
        if plan.event is not None
    ]
    rows += [
        EventSignup(
            event=event,
            participant_id=first.pk,
            new=False,
            signed_at=at,
            channel=outlet.partner.kind,
            outlet_id=outlet.pk,
        )
        for event, first, at, outlet in book.signups
    ]
    if rows:
        EventSignup.objects.bulk_create(rows, ignore_conflicts=True)
    book.signups = []


def _participants_write(plans: list[RegistrationPlan], book: RegistrationBook) -> None:
    created = db_datetime(book.now)
    tallies = TallyBatch()
    rows = []
    for plan in plans:
        clean, outlet, agent = plan.clean, plan.outlet, plan.agent
        rows.append(
            (
                clean.nik,
                clean.name,
                db_date(clean.birth_date),
                clean.sex,
                clean.phone,
                clean.village_code,
                clean.occupation.code,
                clean.permanence,
                plan.segment,
                clean.declared_income,
                clean.programmes,
                outlet.partner.kind,
                outlet.pk,
                agent.pk if agent else None,
                plan.office_id,
                created if clean.registered_at is book.now else db_datetime(clean.registered_at),
                clean.registered_month.index,
                created,
            )
        )
        who = Who(plan.office_id or 0, outlet.pk, agent.pk if agent else 0, outlet.partner.kind, plan.segment)
        tallies.add(REGISTERED, local_date(clean.registered_at), who)
    ids = insert_with_ids(Participant._meta.db_table, PARTICIPANT_COLUMNS, rows)
    for plan, pk in zip(plans, ids, strict=True):
        plan.pk = pk
    new = Participant.Status.NEW.value
    with pipelined():
        insert_values(Standing, STANDING_COLUMNS, [(pk, new, None, 0) for pk in ids])
        tallies.write()


def participant_register(
    *,
    nik: str,
    name: str,
    birth_date: date | None,
    sex: str | None,
    village_code: str,
    occupation_code: str,
    declared_income: int | str | None,
    programmes: str,
    outlet: Outlet,
    agent: Agent | None = None,
    phone: str = "",
    permanence: str | None = None,
    segment: str = Participant.Segment.BPU,
    registered_at: datetime | None = None,
    event_code: str = "",
    context: RegistrationContext | None = None,
    actor=None,
    history_allowed: bool = False,
) -> Registration:
    """Registers a worker: ``registration_check`` and ``registrations_apply`` for a list of one.

    Raises ``ValidationError`` (per field) for bad input and ``DuplicateRegistration`` when the NIK is
    already registered, naming the existing registration's outlet and date; the refused claim is kept
    for reporting. Never creates a second participant for a NIK: the database's unique NIK settles a race
    between two channels. With an ``actor``, the registration is audited in its transaction.
    ``history_allowed``: the caller may state a ``registered_at`` before the grace window for late
    records (the operator's command line); the audit entry then says it is historical.
    """
    if context is None:
        from jaring.contributions.queries import ratebook

        context = RegistrationContext(ratebook=ratebook())
    request = RegistrationRequest(
        nik=nik,
        name=name,
        birth_date=birth_date,
        sex=sex,
        village_code=village_code,
        occupation_code=occupation_code,
        declared_income=declared_income,
        programmes=programmes,
        outlet=outlet,
        agent=agent,
        phone=phone,
        permanence=permanence,
        segment=segment,
        registered_at=registered_at,
        event_code=event_code,
        history_allowed=history_allowed,
    )
    try:
        with transaction.atomic():
            book = RegistrationBook.load(context=context, niks=[nik])
            outcome = registration_check(request, book)
            registrations_apply([outcome] if isinstance(outcome, RegistrationPlan) else [], book)
            if isinstance(outcome, RegistrationPlan):
                participant = _participant_of(outcome, book)
                if actor is not None:
                    audit(
                        actor,
                        "create",
                        obj=participant,
                        after=participant,
                        summary=_historical(
                            outcome,
                            book,
                            Said(gettext_noop("registered at %(outlet)s"), {"outlet": outlet.code}),
                        ),
                    )
                return Registration(participant=participant, warnings=outcome.warnings)
    except IntegrityError:
        # Registered at the same moment by another channel: the first one won.
        existing = Participant.objects.filter(nik=(nik or "").strip()).select_related("outlet").first()
        if existing is None:
            raise
        disclosed = _same_partner(existing, outlet)
        raise DuplicateRegistration(
            duplicate_message(existing, disclosed=disclosed), participant=existing, disclosed=disclosed
        ) from None
    if any(problem.code == "duplicate" and problem.field == "nik" for problem in outcome):
        existing = book.existing[(nik or "").strip()]
        disclosed = _same_partner(existing, outlet)
        raise DuplicateRegistration(
            duplicate_message(existing, disclosed=disclosed), participant=existing, disclosed=disclosed
        )
    raise problems_error(outcome)


def _historical(plan: RegistrationPlan, book: RegistrationBook, said: Said) -> Said:
    """What the audit entry adds for a registration dated before the grace window for late records."""
    at = plan.clean.registered_at
    if not book.too_old(at):
        return said
    return said.plus(gettext_noop("with a historical date (%(day)s)"), {"day": local_date(at).isoformat()})


def _participant_of(plan: RegistrationPlan, book: RegistrationBook) -> Participant:
    """The participant as written, without reading it back."""
    clean = plan.clean
    participant = Participant(
        id=plan.pk,
        nik=clean.nik,
        name=clean.name,
        birth_date=clean.birth_date,
        sex=clean.sex,
        phone=clean.phone,
        village_id=clean.village_code,
        occupation=clean.occupation,
        permanence=clean.permanence,
        segment=plan.segment,
        declared_income=clean.declared_income,
        programmes=clean.programmes,
        channel=plan.outlet.partner.kind,
        outlet=plan.outlet,
        agent=plan.agent,
        office_id=plan.office_id,
        registered_at=clean.registered_at,
        registered_month=clean.registered_month,
        created_at=book.now,
    )
    participant._state.adding = False
    participant._state.db = "default"
    Standing.as_written(participant, status=Participant.Status.NEW, paid_through=None, deposit_balance=0)
    return participant
