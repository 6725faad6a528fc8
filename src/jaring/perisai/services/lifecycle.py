"""The Perisai agent lifecycle: enrol, record onboarding, activate, deactivate, rejoin, terminate, and the
monthly run that deactivates idle agents.

Every step is one transaction that changes the agent row, appends an ``AgentEvent`` and writes the audit
trail as done by ``actor`` (a request, a user, an ``Actor``, or None for the system); a refused step raises
``ValidationError`` per field and changes nothing.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from jaring.accounts.audit import Actor, Said, audit
from jaring.channels.models import Agent, Outlet, Partner
from jaring.channels.services import agent_create
from jaring.common.clock import local_date
from jaring.common.errors import error_dict
from jaring.members.models import Participant
from jaring.org.models import Office
from jaring.perisai.models import AgentEvent
from jaring.perisai.rulebook import agent_rulebook
from jaring.rules.months import Month
from jaring.tallies.models import Tally
from jaring.tallies.writer import PAID, REGISTERED

# What must be recorded before a candidate is activated: the agent's field, and its name for people.
REQUIREMENTS = (
    ("participant", gettext_lazy("Membership as a BPU participant")),
    ("bank", gettext_lazy("The partner bank")),
    ("bank_account", gettext_lazy("The bank account number")),
    ("bank_account_name", gettext_lazy("The account holder's name")),
    ("trained_on", gettext_lazy("The training date")),
    ("exam_passed_on", gettext_lazy("The date the exam was passed")),
    ("certificate_number", gettext_lazy("The certificate number")),
    ("assignment_letter", gettext_lazy("The assignment letter from the Perisai office")),
    ("assignment_letter_on", gettext_lazy("The date of the assignment letter")),
)
ONBOARDING_FIELDS = frozenset(name for name, _label in REQUIREMENTS)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month = Month.from_date(day) + months
    return date(month.year, month.month, min(day.day, calendar.monthrange(month.year, month.month)[1]))


def _day(on: date | None) -> date:
    return on or local_date()


def _event(agent: Agent, kind: str, on: date, *, reason: str = "", by: str = "") -> AgentEvent:
    return AgentEvent.objects.create(agent=agent, kind=kind, on=on, reason=reason[:200], by=by[:150])


def _who(actor) -> str:
    """The name an agent's event is signed with: the signed-in user's, or the ``Actor``'s (a partner's API
    key, the command line); empty for the system."""
    if isinstance(actor, Actor):
        return actor.name
    user = getattr(actor, "user", actor)
    return user.get_username() if getattr(user, "is_authenticated", False) else ""


def _refuse_terminated(agent: Agent) -> None:
    if agent.status == Agent.Status.TERMINATED:
        raise error_dict(
            "status",
            _("Agent %(code)s was terminated on %(date)s; termination is final.")
            % {"code": agent.code, "date": date_format(agent.terminated_on, "j F Y")},
            "terminated",
        )


@transaction.atomic
def agent_enrol(
    *,
    code: str,
    name: str,
    outlet: Outlet,
    office: Office | None = None,
    phone: str = "",
    on: date | None = None,
    actor=None,
) -> Agent:
    """Enrols a candidate Perisai agent at ``outlet`` (a Perisai office) under ``office`` (a BPJS branch,
    by default the outlet's)."""
    errors: dict[str, list[str]] = {}
    code, name = (code or "").strip(), " ".join((name or "").split())
    if not code:
        errors.setdefault("code", []).append(_("The agent code is required."))
    elif Agent.objects.filter(code=code).exists():
        errors.setdefault("code", []).append(_("Agent code %(code)s is taken.") % {"code": code})
    if not name:
        errors.setdefault("name", []).append(_("The name is required."))
    if outlet.partner.kind != Partner.Kind.AGENT_NETWORK:
        errors.setdefault("outlet", []).append(_("%(code)s is not a Perisai office.") % {"code": outlet.code})
    office = office or outlet.office
    if office is None or office.kind != Office.Kind.BRANCH:
        errors.setdefault("office", []).append(_("A Perisai agent belongs to a BPJS branch office."))
    if errors:
        raise ValidationError(errors)
    agent = agent_create(
        code=code,
        name=name,
        partner=outlet.partner,
        outlet=outlet,
        office=office,
        phone=phone,
        status=Agent.Status.CANDIDATE,
    )
    _event(agent, AgentEvent.Kind.ENROLLED, _day(on), by=_who(actor))
    audit(
        actor,
        "create",
        obj=agent,
        after=agent,
        summary=Said(gettext_noop("Perisai candidate %(code)s"), {"code": agent.code}),
    )
    return agent


@transaction.atomic
def agent_onboarding_record(*, agent: Agent, on: date | None = None, actor=None, **fields) -> Agent:
    """Records onboarding requirements given as keyword arguments (any of ``ONBOARDING_FIELDS``): the
    agent's participant record, partner bank and account, training, exam, certificate, assignment
    letter."""
    unknown = set(fields) - ONBOARDING_FIELDS
    if unknown:
        raise TypeError(f"not onboarding fields: {', '.join(sorted(unknown))}")
    agent = Agent.objects.select_for_update().get(pk=agent.pk)
    _refuse_terminated(agent)
    before = {name: getattr(agent, name) for name in fields}
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    today = _day(on)
    participant = fields.get("participant")
    if participant is not None:
        if participant.segment != Participant.Segment.BPU:
            fail("participant", _("An agent must be a BPU (informal) participant."))
        elif Agent.objects.filter(participant=participant).exclude(pk=agent.pk).exists():
            fail("participant", _("This participant is already another agent."))
    bank = fields.get("bank")
    if bank is not None and bank.kind != Partner.Kind.BANK:
        fail("bank", _("%(name)s is not a partner bank.") % {"name": bank.name})
    if "bank_account" in fields:
        fields["bank_account"] = "".join((fields["bank_account"] or "").split())
        if fields["bank_account"] and not (
            fields["bank_account"].isdigit() and 6 <= len(fields["bank_account"]) <= 20
        ):
            fail("bank_account", _("A bank account number has 6 to 20 digits."))
    for name in ("trained_on", "exam_passed_on", "assignment_letter_on"):
        if fields.get(name) is not None and fields[name] > today:
            fail(name, _("The date is in the future."))
    trained = fields.get("trained_on", agent.trained_on)
    exam = fields.get("exam_passed_on", agent.exam_passed_on)
    if trained and exam and exam < trained:
        fail("exam_passed_on", _("The exam cannot be passed before the training."))
    if errors:
        raise ValidationError(errors)
    for name, value in fields.items():
        setattr(agent, name, value.strip() if isinstance(value, str) else value)
    agent.save(update_fields=list(fields))
    _event(agent, AgentEvent.Kind.ONBOARDING, today, reason=", ".join(sorted(fields)), by=_who(actor))
    audit(actor, "update", obj=agent, before=before, after={n: getattr(agent, n) for n in fields})
    return agent


def missing_requirements(agent: Agent) -> list[tuple[str, str]]:
    """The onboarding requirements not yet recorded, as (field, description)."""
    return [
        (name, str(label))
        for name, label in REQUIREMENTS
        if getattr(agent, Agent._meta.get_field(name).attname) in (None, "")
    ]


@transaction.atomic
def agent_activate(*, agent: Agent, on: date | None = None, actor=None) -> Agent:
    """Activates a candidate whose onboarding requirements are all recorded."""
    agent = Agent.objects.select_for_update().get(pk=agent.pk)
    _refuse_terminated(agent)
    if agent.status != Agent.Status.CANDIDATE:
        raise error_dict(
            "status",
            _("Only a candidate can be activated; agent %(code)s is %(status)s.")
            % {"code": agent.code, "status": agent.get_status_display()},
        )
    missing = missing_requirements(agent)
    if missing:
        raise ValidationError(
            {
                name: [_("%(requirement)s must be recorded before activation.") % {"requirement": label}]
                for name, label in missing
            }
        )
    before = {"status": agent.status}
    agent.status, agent.activated_on = Agent.Status.ACTIVE, _day(on)
    agent.save(update_fields=["status", "activated_on"])
    _event(agent, AgentEvent.Kind.ACTIVATED, agent.activated_on, by=_who(actor))
    audit(actor, "update", obj=agent, before=before, after={"status": agent.status})
    return agent


def _deactivate(agent: Agent, *, on: date, reason: str, rejoin_after_months: int) -> None:
    agent.status = Agent.Status.INACTIVE
    agent.deactivated_on = on
    agent.deactivation_reason = reason[:200]
    agent.rejoin_from = add_months(on, rejoin_after_months)


@transaction.atomic
def agent_deactivate(*, agent: Agent, reason: str, on: date | None = None, actor=None) -> Agent:
    """Deactivates an active agent for ``reason``; the agent may rejoin after the months the lifecycle rule
    in force says."""
    if not (reason or "").strip():
        raise error_dict("reason", _("A deactivation needs a reason."), "required")
    agent = Agent.objects.select_for_update().get(pk=agent.pk)
    _refuse_terminated(agent)
    if agent.status != Agent.Status.ACTIVE:
        raise error_dict("status", _("Agent %(code)s is not active.") % {"code": agent.code})
    on = _day(on)
    rule = agent_rulebook().lifecycle_for(Month.from_date(on))
    before = {"status": agent.status}
    _deactivate(agent, on=on, reason=reason.strip(), rejoin_after_months=rule.rejoin_after_months)
    agent.save(update_fields=["status", "deactivated_on", "deactivation_reason", "rejoin_from"])
    _event(agent, AgentEvent.Kind.DEACTIVATED, on, reason=reason, by=_who(actor))
    audit(actor, "update", obj=agent, before=before, after={"status": agent.status}, summary=reason)
    return agent


@transaction.atomic
def agent_rejoin(*, agent: Agent, on: date | None = None, actor=None) -> Agent:
    """Makes a deactivated agent active again, once the rejoin period has passed. A terminated agent
    never rejoins."""
    agent = Agent.objects.select_for_update().get(pk=agent.pk)
    _refuse_terminated(agent)
    on = _day(on)
    if agent.status not in (Agent.Status.INACTIVE, Agent.Status.ELIGIBLE):
        raise error_dict(
            "status",
            _("Only a deactivated agent can rejoin; agent %(code)s is %(status)s.")
            % {"code": agent.code, "status": agent.get_status_display()},
        )
    if agent.rejoin_from is not None and on < agent.rejoin_from:
        raise error_dict(
            "on",
            _("Agent %(code)s may rejoin from %(date)s.")
            % {"code": agent.code, "date": date_format(agent.rejoin_from, "j F Y")},
            "too_early",
        )
    before = {"status": agent.status}
    agent.status, agent.activated_on, agent.rejoin_from = Agent.Status.ACTIVE, on, None
    agent.save(update_fields=["status", "activated_on", "rejoin_from"])
    _event(agent, AgentEvent.Kind.REJOINED, on, by=_who(actor))
    audit(actor, "update", obj=agent, before=before, after={"status": agent.status})
    return agent


@transaction.atomic
def agent_terminate(*, agent: Agent, reason: str, on: date | None = None, actor=None) -> Agent:
    """Terminates an agent for fraud, at once and for good: a terminated agent can register no one, take
    no payment and never rejoin."""
    if not (reason or "").strip():
        raise error_dict("reason", _("A termination needs a reason."), "required")
    agent = Agent.objects.select_for_update().get(pk=agent.pk)
    _refuse_terminated(agent)
    on = _day(on)
    before = {"status": agent.status}
    agent.status, agent.terminated_on, agent.termination_reason = (
        Agent.Status.TERMINATED,
        on,
        reason.strip()[:200],
    )
    agent.rejoin_from = None
    agent.save(update_fields=["status", "terminated_on", "termination_reason", "rejoin_from"])
    _event(agent, AgentEvent.Kind.TERMINATED, on, reason=reason, by=_who(actor))
    audit(actor, "update", obj=agent, before=before, after={"status": agent.status}, summary=reason)
    return agent


@dataclass(frozen=True)
class LifecycleResult:
    month: Month
    deactivated: tuple[str, ...]
    eligible: tuple[str, ...]

    def as_json(self) -> dict:
        return {
            "month": str(self.month),
            "deactivated": list(self.deactivated),
            "eligible": list(self.eligible),
        }


def idle_agents(month: Month) -> list[int]:
    """Ids of the active agents (of the partner kinds the lifecycle rule covers) with no acquisition and no
    collection in any of the rule's idle months ending with ``month``, who were active all that time.
    Read from the tallies: registrations and net ledger entries credited to the agent."""
    rule = agent_rulebook().lifecycle_for(month)
    first = (month - (rule.idle_months - 1)).first_day()
    candidates = Agent.objects.filter(
        status=Agent.Status.ACTIVE, partner__kind__in=rule.partner_kinds
    ).filter(Q(activated_on__isnull=True) | Q(activated_on__lt=first))
    busy = (
        Tally.objects.filter(kind__in=(REGISTERED, PAID), day__gte=first, day__lte=month.last_day())
        .filter(agent_id__in=candidates.values("pk"))
        .values("agent_id", "kind")
        .annotate(net=Sum("count"))
        .filter(net__gt=0)
        .values_list("agent_id", flat=True)
    )
    return sorted(set(candidates.values_list("pk", flat=True)) - set(busy))


@transaction.atomic
def lifecycle_run(*, month: Month, by: str = "") -> LifecycleResult:
    """The monthly run after ``month`` ends: deactivates every idle agent (as of the first day of the next
    month) and marks deactivated agents whose rejoin period is over as eligible to rejoin. Running it again
    for the same month changes nothing."""
    rule = agent_rulebook().lifecycle_for(month)
    on = (month + 1).first_day()
    by = by or "jaring agent lifecycle"
    idle = list(Agent.objects.filter(pk__in=idle_agents(month)).select_for_update())
    first = month - (rule.idle_months - 1)
    reason = _("No acquisition and no collection from %(first)s to %(last)s.") % {
        "first": first,
        "last": month,
    }
    for agent in idle:
        _deactivate(agent, on=on, reason=reason, rejoin_after_months=rule.rejoin_after_months)
    Agent.objects.bulk_update(idle, ["status", "deactivated_on", "deactivation_reason", "rejoin_from"])
    due = list(Agent.objects.filter(status=Agent.Status.INACTIVE, rejoin_from__lte=on).select_for_update())
    for agent in due:
        agent.status = Agent.Status.ELIGIBLE
    Agent.objects.bulk_update(due, ["status"])
    AgentEvent.objects.bulk_create(
        [
            AgentEvent(agent=a, kind=AgentEvent.Kind.DEACTIVATED, on=on, reason=reason[:200], by=by)
            for a in idle
        ]
        + [AgentEvent(agent=a, kind=AgentEvent.Kind.ELIGIBLE, on=on, by=by) for a in due]
    )
    if idle or due:
        audit(
            None,
            "update",
            obj=Agent,
            summary=(
                f"{by}: lifecycle run for {month}: deactivated {len(idle)} idle agents "
                f"({', '.join(a.code for a in idle[:20])}), {len(due)} eligible to rejoin"
            ),
        )
    return LifecycleResult(month, tuple(a.code for a in idle), tuple(a.code for a in due))
