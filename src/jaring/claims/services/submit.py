"""Submitting a claim, for every channel (the branch's pages, the API, the command line): a check that
answers a plan or per-field problems, and an apply of plans; ``claim_submit`` is a list of one.

A claim is decided from the ledger at submission (``rules.claims``): an incident outside covered time
is recorded as rejected with the months and moments it was read from, so the heirs are told why and
the claim is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit, user_of
from jaring.claims.models import Claim, ClaimLine, ClaimRule, Heir
from jaring.claims.rulebook import ClaimBook, NoRule, claim_rules
from jaring.common.clock import local_date
from jaring.common.errors import IdempotencyConflict, Problem, problems_error
from jaring.common.fingerprint import request_fingerprint
from jaring.common.text import has_control_character
from jaring.contributions.models import Payment
from jaring.members.models import Participant, Standing
from jaring.members.queries import participant_find
from jaring.rules import claims as rules
from jaring.rules.months import Month
from jaring.rules.nik import parse_nik

NAME_MAX = 120
PLACE_MAX = 200
KEY_MAX = 100
JHT_TRIGGERS = ("age", "death", "disability", "stopped_work")


@dataclass(frozen=True)
class HeirRequest:
    nik: str
    name: str
    relation: str
    bank: str
    account_number: str
    account_name: str
    birth_date: date | None = None


@dataclass(frozen=True)
class ClaimRequest:
    """A claim as a channel parsed it. ``details`` by kind: JKK ``medical_bill``, ``hospital``,
    ``inability_days``, ``disability_percent``; JKM ``children`` (for the scholarship: ``nik``, ``name``,
    ``age``, ``level``, ``married``, ``working``); JHT ``stopped_on`` (ISO day). A claim paid to the
    participant (not a death) gives the participant's ``bank``, ``account_number`` and ``account_name``."""

    participant: str  # NIK or participant number
    kind: str
    incident_at: datetime | None
    incident_place: str = ""
    death: bool = False
    jht_trigger: str = ""
    details: dict = field(default_factory=dict)
    heirs: tuple[HeirRequest, ...] = ()
    source: str = "web"
    idempotency_key: str = ""
    channel: str = ""
    outlet_id: int | None = None

    def fingerprint(self) -> str:
        payload = asdict(self)
        payload.pop("source"), payload.pop("idempotency_key")
        payload["incident_at"] = self.incident_at.isoformat() if self.incident_at else ""
        return request_fingerprint({key: str(value) for key, value in payload.items()})


@dataclass
class ClaimPlan:
    request: ClaimRequest
    participant: Participant
    death: bool
    eligible: bool
    decision: dict
    lines: list[rules.Line]
    heirs: list[tuple[HeirRequest, int, bool]]  # (heir, rank, recipient)
    office_id: int | None
    documents: list[str]


@dataclass(frozen=True)
class Replay:
    claim: Claim


# -- the check -----------------------------------------------------------------------------------------------
def ledger_entries(participant: Participant) -> list[rules.Entry]:
    """The participant's ledger as a claim reads it (reversed entries marked), each entry at the moment
    its money was first paid (an entry moved by a merge keeps it)."""
    rows = list(
        Payment.objects.filter(participant_id=participant.pk).values_list(
            "pk", "kind", "first_month", "months", Coalesce("originally_paid_at", "paid_at"), "reverses_id",
            "breakdown",
        )
    )
    reversed_ids = {reverses for _pk, _kind, _first, _months, _paid, reverses, _b in rows if reverses}
    entries = []
    for pk, kind, first, months, paid_at, _reverses, breakdown in rows:
        if kind == Payment.Kind.REVERSAL:
            continue
        jht = sum(int(line.get("lines", {}).get("JHT", 0)) for line in (breakdown or []))
        entries.append(rules.Entry(paid_at, first, months, pk in reversed_ids, jht))
    return entries


def _text(value, name: str, problems: list[Problem], *, most: int, required: bool, what: str) -> str:
    text = " ".join(str(value or "").split())
    if not text and required:
        problems.append(Problem(name, "required", _("Give %(what)s.") % {"what": what}))
    elif len(text) > most or has_control_character(text):
        problems.append(
            Problem(name, "invalid", _("%(what)s is at most %(n)s characters.") % {"what": what, "n": most})
        )
    return text


def _account(prefix: str, bank: str, account: str, formats: dict, problems: list[Problem]) -> None:
    if not bank:
        problems.append(Problem(f"{prefix}bank", "required", _("Give the bank.")))
    account = "".join((account or "").split())
    problem = rules.account_problem(bank.upper(), account, formats) if account else "required"
    if problem == "required":
        problems.append(Problem(f"{prefix}account_number", "required", _("Give the account number.")))
    elif problem:
        lengths = formats.get(bank.upper(), {}).get("digits")
        message = (
            _("An account number at %(bank)s has %(n)s digits.") % {"bank": bank.upper(), "n": lengths[0]}
            if lengths
            else _("A bank account number has 6 to 20 digits.")
        )
        problems.append(Problem(f"{prefix}account_number", "format", message))


def claim_check(request: ClaimRequest, *, book: ClaimBook, now: datetime) -> ClaimPlan | list[Problem]:
    """The plan of ``request`` or its problems, each with its field. Reads the participant and its
    ledger; writes nothing."""
    problems: list[Problem] = []
    participant = participant_find(request.participant)
    if participant is None:
        return [Problem("participant", "unknown", _("No participant has this NIK or participant number."))]
    standing = Standing.objects.filter(participant_id=participant.pk).first()
    if request.kind not in Claim.Kind.values:
        problems.append(
            Problem("kind", "invalid", _("Choose JKK, JKM, JHT or a school year of the scholarship (BEA)."))
        )
    death = request.kind == Claim.Kind.JKM or (request.death and request.kind == Claim.Kind.JKK)
    moment = request.incident_at
    if moment is None:
        problems.append(Problem("incident_at", "required", _("Give the date of the incident.")))
    elif moment > now + timedelta(minutes=5):
        problems.append(Problem("incident_at", "future", _("The incident's date is in the future.")))
    elif local_date(moment) < local_date(participant.registered_at):
        problems.append(
            Problem(
                "incident_at",
                "before_registration",
                _("The incident is before the participant's registration on %(day)s.")
                % {"day": local_date(participant.registered_at).isoformat()},
            )
        )
    if problems:
        return problems
    day = local_date(moment)
    try:
        formats, order = book.bank_formats(day), book.heir_order(day)
    except NoRule as error:
        return [Problem("incident_at", "no_rule", str(error))]
    if death and standing is not None and standing.status == Participant.Status.DECEASED:
        problems.append(
            Problem("participant", "deceased", _("This participant's death was already recorded."))
        )
    elif (
        death
        and Claim.objects.filter(participant_id=participant.pk, death=True)
        .exclude(state=Claim.State.REJECTED)
        .exists()
    ):
        problems.append(
            Problem("participant", "death_claimed", _("A claim for this participant's death exists already."))
        )
    _text(
        request.incident_place,
        "incident_place",
        problems,
        most=PLACE_MAX,
        required=request.kind == Claim.Kind.JKK,
        what=_("the place of the accident"),
    )
    trigger = request.jht_trigger
    if request.kind == Claim.Kind.JHT and trigger not in JHT_TRIGGERS:
        problems.append(Problem("jht_trigger", "invalid", _("Choose why the savings are withdrawn.")))
    # paid to the heirs: a death claim, or the savings of a participant who died (which is not the claim
    # for the death itself: the heirs claim JKM and JHT for one death)
    to_heirs = (
        death
        or (request.kind == Claim.Kind.JHT and trigger == "death")
        or request.kind == Claim.Kind.SCHOLARSHIP
    )
    heirs = _heirs_checked(request, participant, to_heirs, formats, order, problems)
    if request.kind in (Claim.Kind.JKM, Claim.Kind.SCHOLARSHIP):
        _children_checked(request.details.get("children"), book, day, problems)
    if request.kind == Claim.Kind.SCHOLARSHIP:
        _school_year_checked(request, participant, day, problems)
    if not to_heirs:
        details = request.details
        _account("", str(details.get("bank", "")), str(details.get("account_number", "")), formats, problems)
        _text(
            details.get("account_name"),
            "account_name",
            problems,
            most=NAME_MAX,
            required=True,
            what=_("the account holder's name"),
        )
    if problems:
        return problems
    decision, lines, eligible, refusal = _decided(request, participant, to_heirs, book, day)
    if refusal:
        problems.append(refusal)
        return problems
    return ClaimPlan(
        request=request,
        participant=participant,
        death=death,
        eligible=eligible,
        decision=decision,
        lines=lines,
        heirs=heirs,
        office_id=participant.office_id,
        documents=book.documents(request.kind, day, death=to_heirs, trigger=trigger),
    )


def _children_checked(children, book: ClaimBook, day: date, problems: list[Problem]) -> None:
    """The scholarship's children are a list of objects, each at a school level of the rule in force and
    with a whole age: the scholarship is worked out from them only once the minimum period holds, and a
    child it cannot read would otherwise fail there instead of being refused."""
    if not children:
        return
    if not isinstance(children, list):
        problems.append(Problem("details.children", "invalid", _("Give the children as a list.")))
        return
    try:
        levels = book.rule(ClaimRule.Kind.SCHOLARSHIP, day)["levels"]
    except NoRule:
        levels = {}
    for index, child in enumerate(children):
        prefix = f"details.children[{index}]."
        child = child if isinstance(child, dict) else {}
        if child.get("level") not in levels:
            problems.append(
                Problem(
                    f"{prefix}level",
                    "invalid",
                    _("Choose a school level: %(levels)s.") % {"levels": ", ".join(levels)},
                )
            )
        age = child.get("age")
        if isinstance(age, bool) or not isinstance(age, int) or age < 0:
            problems.append(Problem(f"{prefix}age", "invalid", _("Give the child's age in whole years.")))


def _heirs_checked(
    request: ClaimRequest,
    participant: Participant,
    death: bool,
    formats: dict,
    order: list[str],
    problems: list[Problem],
) -> list[tuple[HeirRequest, int, bool]]:
    """The heirs with their rank in the legal order and the recipient (the first), or problems."""
    if not death:
        return []
    if not request.heirs:
        problems.append(Problem("heirs", "required", _("Name at least one heir.")))
        return []
    for index, heir in enumerate(request.heirs):
        prefix = f"heirs[{index}]."
        nik = "".join((heir.nik or "").split())
        result = parse_nik(nik)
        if nik == participant.nik:
            problems.append(
                Problem(f"{prefix}nik", "deceased", _("An heir cannot be the deceased participant."))
            )
        elif not result.valid:
            problems.append(Problem(f"{prefix}nik", "invalid", _("This is not a valid NIK.")))
        _text(heir.name, f"{prefix}name", problems, most=NAME_MAX, required=True, what=_("the heir's name"))
        if heir.relation not in order:
            problems.append(Problem(f"{prefix}relation", "invalid", _("Choose the heir's relation.")))
        _account(prefix, heir.bank or "", heir.account_number or "", formats, problems)
        _text(
            heir.account_name,
            f"{prefix}account_name",
            problems,
            most=NAME_MAX,
            required=True,
            what=_("the account holder's name"),
        )
    ranked = rules.heirs_in_order([heir.relation for heir in request.heirs], order)
    return [(request.heirs[i], rank, rank == 0) for rank, i in enumerate(ranked)]


def _decided(
    request: ClaimRequest, participant: Participant, death: bool, book: ClaimBook, day: date
) -> tuple[dict, list[rules.Line], bool, Problem | None]:
    """The decision (what it was read from), the benefit lines, whether the claim is eligible, and a
    problem for details a benefit cannot be worked out from."""
    entries = ledger_entries(participant)
    moment = request.incident_at
    decision: dict = {
        "incident_at": moment.isoformat(),
        "month": str(Month.from_date(day)),
        "payments": [
            {
                "paid_at": e.paid_at.isoformat(),
                "first": str(e.first),
                "last": str(e.last),
                "reversed": e.reversed,
            }
            for e in sorted(entries, key=lambda e: e.paid_at)
        ][-24:],
        "rules": [],
    }
    lines: list[rules.Line] = []
    if request.kind == Claim.Kind.SCHOLARSHIP:
        lines = _school_year(request, participant, entries, book, day, decision)
        return decision, lines, bool(lines), None
    if request.kind in (Claim.Kind.JKK, Claim.Kind.JKM):
        policy = book.cover_policy(day)
        cover = rules.cover_at(moment, entries, policy)
        decision["cover"] = {
            "covered": cover.covered,
            "reason": cover.reason,
            "month": str(cover.month),
            "paid_at": cover.paid_at.isoformat() if cover.paid_at else None,
            "last_covered_before": str(cover.last_covered_before) if cover.last_covered_before else None,
            "policy": asdict(policy),
        }
        decision["rules"].append(book.rule(ClaimRule.Kind.COVER, day)["code"])
        if not cover.covered:
            return decision, [], False, None
        benefit = book.rule(ClaimRule.Kind.BENEFIT, day, claim_kind=request.kind)
        decision["rules"].append(benefit["code"])
        if request.kind == Claim.Kind.JKM:
            lines = rules.jkm_lines(benefit)
            children = request.details.get("children") or []
            if children:
                lines += _scholarship(children, entries, moment, book, day, decision)
        else:
            try:
                details = {
                    "medical_bill": _whole(request.details.get("medical_bill")),
                    "inability_days": _whole(request.details.get("inability_days")),
                    "disability_percent": _whole(request.details.get("disability_percent")),
                    "death": death,
                }
            except ValueError:
                return (
                    decision,
                    [],
                    False,
                    Problem("details", "invalid", _("Amounts and days are whole numbers.")),
                )
            if details["disability_percent"] > 100:
                return (
                    decision,
                    [],
                    False,
                    Problem("details.disability_percent", "invalid", _("At most 100 %.")),
                )
            lines = rules.jkk_lines(benefit, declared_income=participant.declared_income, details=details)
        return decision, lines, True, None
    # JHT: the savings and their yield, when the withdrawal's trigger holds
    trigger = request.jht_trigger
    triggers = book.rule(ClaimRule.Kind.JHT_TRIGGER, day)
    decision["rules"].append(triggers["code"])
    age = (
        day.year
        - participant.birth_date.year
        - ((day.month, day.day) < (participant.birth_date.month, participant.birth_date.day))
    )
    months_since = None
    if trigger == "stopped_work":
        stopped = request.details.get("stopped_on")
        try:
            stopped_on = date.fromisoformat(str(stopped))
        except ValueError:
            return (
                decision,
                [],
                False,
                Problem("details.stopped_on", "invalid", _("Give the day work stopped.")),
            )
        months_since = Month.from_date(day) - Month.from_date(stopped_on)
    holds = rules.jht_trigger_holds(triggers["triggers"][trigger], age=age, months_since_stopped=months_since)
    decision["trigger"] = {
        "trigger": trigger,
        "age": age,
        "months_since_stopped": months_since,
        "holds": holds,
    }
    yields = book.rule(ClaimRule.Kind.JHT_YIELD, day)
    decision["rules"].append(yields["code"])
    contributions = [(local_date(e.paid_at), e.jht) for e in entries if not e.reversed and e.jht]
    years = rules.jht_balance(contributions, rates=book.jht_rates(day), through=day)
    decision["jht"] = [
        {
            "year": y.year,
            "opening": y.opening,
            "contributions": y.contributions,
            "rate": str(y.rate),
            "yield": y.yield_,
            "closing": y.closing,
        }
        for y in years
    ]
    balance = years[-1].closing if years else 0
    if not holds or balance <= 0:
        return decision, [], False, None
    lines = [
        rules.Line("jht_balance", "heirs" if death else "participant", balance, f"JHT balance {balance}")
    ]
    return decision, lines, True, None


def _whole(value) -> int:
    if value in (None, ""):
        return 0
    number = int(str(value).replace(".", "").strip())
    if number < 0:
        raise ValueError(value)
    return number


def _death_claim(participant: Participant) -> Claim | None:
    """The participant's death claim once approved (or paid): a scholarship year is claimed after it."""
    decided = (Claim.State.APPROVED, Claim.State.PAID)
    return Claim.objects.filter(participant_id=participant.pk, death=True, state__in=decided).first()


def _scholarship_paid(participant: Participant) -> dict[tuple[str, int], int]:
    """(child's NIK, school year) -> what the participant's scholarship lines paid, rejected claims left
    out."""
    paid: dict[tuple[str, int], int] = {}
    lines = ClaimLine.objects.filter(claim__participant_id=participant.pk, component="scholarship").exclude(
        claim__state=Claim.State.REJECTED
    )
    for nik, year, amount in lines.values_list("beneficiary", "year", "amount"):
        paid[nik, year] = paid.get((nik, year), 0) + amount
    return paid


def _school_year_checked(
    request: ClaimRequest, participant: Participant, day: date, problems: list[Problem]
) -> None:
    """A scholarship year needs the death claim approved, a school year after the death, children, and
    none of them paid for that year already."""
    death = _death_claim(participant)
    if death is None:
        problems.append(
            Problem("participant", "no_death_claim", _("A scholarship year follows an approved JKM claim."))
        )
    elif day < local_date(death.incident_at):
        problems.append(Problem("incident_at", "before_death", _("The school year starts after the death.")))
    children = request.details.get("children")
    if not children:
        problems.append(Problem("details.children", "required", _("Name the children at school.")))
        return
    if not isinstance(children, list):
        return
    paid = _scholarship_paid(participant)
    for index, child in enumerate(children):
        if isinstance(child, dict) and (str(child.get("nik", "")), day.year) in paid:
            problems.append(
                Problem(
                    f"details.children[{index}].nik",
                    "year_paid",
                    _("This child's scholarship for %(year)s was claimed already.") % {"year": day.year},
                )
            )


def _school_year(
    request: ClaimRequest,
    participant: Participant,
    entries: list[rules.Entry],
    book: ClaimBook,
    day: date,
    decision: dict,
) -> list[rules.Line]:
    """A later school year: the months paid by the death against the rule's minimum, each child's year up
    to the total per child less what earlier years paid."""
    death = _death_claim(participant)
    decision["death_claim"] = death.number
    paid = _scholarship_paid(participant)
    before: dict[str, int] = {}
    for (nik, _year), amount in paid.items():
        before[nik] = before.get(nik, 0) + amount
    return _scholarship(
        request.details["children"], entries, death.incident_at, book, day, decision, paid_before=before
    )


def _scholarship(
    children: list,
    entries: list[rules.Entry],
    moment: datetime,
    book: ClaimBook,
    day: date,
    decision: dict,
    *,
    paid_before: dict[str, int] | None = None,
) -> list[rules.Line]:
    rule = book.rule(ClaimRule.Kind.SCHOLARSHIP, day)
    paid = rules.months_paid(entries, through=Month.from_date(local_date(moment)), paid_by=moment)
    answer = rules.scholarship_year(
        rule, months_paid=len(paid), children=children, year=day.year, paid_before=paid_before
    )
    decision["rules"].append(rule["code"])
    decision["scholarship"] = {
        "granted": answer.granted,
        "months_paid": answer.months_paid,
        "months_needed": answer.months_needed,
        "refusal": answer.refusal,
    }
    return list(answer.lines)


# -- the apply -----------------------------------------------------------------------------------------------
def _number(claim: Claim) -> str:
    """The claim's number: its year of submission in Jakarta and its id."""
    return f"KLM{local_date(claim.submitted_at).year}{claim.pk:08d}"


def claims_apply(plans: Sequence[ClaimPlan], *, actor, now: datetime) -> list[Claim]:
    """Writes the claims of ``plans`` with their heirs and lines (ineligible ones as rejected, with the
    decision that refused them), audited; in the caller's transaction."""
    user = user_of(actor)
    made = []
    for plan in plans:
        request = plan.request
        claim = Claim(
            participant=plan.participant,
            kind=request.kind,
            incident_at=request.incident_at,
            incident_place=" ".join(request.incident_place.split()),
            death=plan.death,
            jht_trigger=request.jht_trigger if request.kind == Claim.Kind.JHT else "",
            details=request.details,
            state=Claim.State.SUBMITTED if plan.eligible else Claim.State.REJECTED,
            eligible=plan.eligible,
            decision={**plan.decision, "documents": plan.documents},
            amount=sum(line.amount for line in plan.lines),
            office_id=plan.office_id,
            channel=request.channel,
            outlet_id=request.outlet_id,
            source=request.source,
            idempotency_key=request.idempotency_key,
            fingerprint=request.fingerprint(),
            submitted_at=now,
            submitted_by=user if getattr(user, "pk", None) else None,
            number="",
            reason="" if plan.eligible else _refusal(plan.decision),
            decided_at=None if plan.eligible else now,
        )
        claim.save()
        claim.number = _number(claim)
        claim.save(update_fields=["number"])
        Heir.objects.bulk_create(
            Heir(
                claim=claim,
                nik="".join(heir.nik.split()),
                name=" ".join(heir.name.split()),
                relation=heir.relation,
                birth_date=heir.birth_date,
                bank=heir.bank.upper(),
                account_number="".join(heir.account_number.split()),
                account_name=" ".join(heir.account_name.split()),
                rank=rank,
                recipient=recipient,
            )
            for heir, rank, recipient in plan.heirs
        )
        ClaimLine.objects.bulk_create(
            ClaimLine(
                claim=claim,
                component=line.component,
                payee=line.payee,
                amount=line.amount,
                arithmetic=line.arithmetic[:300],
                year=line.year,
                beneficiary=line.beneficiary,
            )
            for line in plan.lines
        )
        summary = Said(
            gettext_noop("claim %(number)s (%(kind)s) submitted for participant %(participant)s"),
            {"number": claim.number, "kind": claim.kind, "participant": plan.participant.number},
        )
        if not plan.eligible:
            summary = summary.plus(gettext_noop("refused: %(reason)s"), {"reason": claim.reason})
        audit(
            actor, "create", obj=claim, after={"state": claim.state, "amount": claim.amount}, summary=summary
        )
        made.append(claim)
    return made


def _refusal(decision: dict) -> str:
    cover = decision.get("cover")
    if cover is not None and not cover["covered"]:
        if cover["reason"] == rules.PAID_AFTER:
            return gettext_noop("not covered: the month was paid only after the incident")
        return gettext_noop("not covered: the month of the incident was not paid")
    trigger = decision.get("trigger")
    if trigger is not None and not trigger["holds"]:
        return gettext_noop("the withdrawal's condition does not hold")
    scholarship = decision.get("scholarship")
    if scholarship is not None and not scholarship["granted"]:
        if scholarship["refusal"] == "period":
            return gettext_noop("the scholarship needs more months paid")
        return gettext_noop("no child may receive the scholarship (age, marriage, work or the total reached)")
    return gettext_noop("no JHT balance")


def _first(request: ClaimRequest) -> Claim | None:
    """The claim recorded before under the request's key: the same request's, or a conflict."""
    first = Claim.objects.filter(source=request.source, idempotency_key=request.idempotency_key).first()
    if first is not None and first.fingerprint != request.fingerprint():
        raise IdempotencyConflict(request.source, request.idempotency_key)
    return first


@transaction.atomic
def claim_submit(*, request: ClaimRequest, actor, now: datetime | None = None) -> Claim:
    """Records one claim (a list of one): the same idempotency key with the same request returns the
    first claim; with a different one it is an ``IdempotencyConflict``. Raises ``ValidationError`` per
    field; nothing is written then."""
    now = now or timezone.now()
    key = (request.idempotency_key or "").strip()
    if not key or len(key) > KEY_MAX:
        raise problems_error(
            [Problem("idempotency_key", "required", _("Give an idempotency key of up to 100 characters."))]
        )
    request = ClaimRequest(**{**asdict(request), "idempotency_key": key, "heirs": request.heirs})
    if (first := _first(request)) is not None:
        return first
    plan = claim_check(request, book=claim_rules(), now=now)
    if isinstance(plan, list):
        raise problems_error(plan)
    try:
        with transaction.atomic():
            return claims_apply([plan], actor=actor, now=now)[0]
    except IntegrityError:
        # the same key sent twice at the same moment: the first one's claim is the answer
        if (first := _first(request)) is not None:
            return first
        # else a second claim for the same death, sent at the same moment as the first
        raise problems_error(
            [
                Problem(
                    "participant", "death_claimed", _("A claim for this participant's death exists already.")
                )
            ]
        ) from None
