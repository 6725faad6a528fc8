"""Every write of the reminders: the packaged rules seeded, the operator's holiday corrections, a worker's
consent per channel, the month's plan (the outbox filled in one set-based pass), the send, and the
delivery reports of the providers."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, ExpressionWrapper, F, IntegerField, Max, Min, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit, snapshot
from jaring.accounts.models import Action
from jaring.common.bulk import db_date, insert_values
from jaring.common.clock import ZONE
from jaring.contributions.models import GroupMembership
from jaring.contributions.queries import ratebook
from jaring.members.codes import payment_code_key
from jaring.members.models import Participant, Standing
from jaring.reminders.models import Channel, ContactPreference, HolidayCorrection, Reminder, ReminderRule
from jaring.reminders.phones import phone_e164
from jaring.reminders.providers import Outgoing, Provider, SendFailed, provider_named
from jaring.reminders.queries import month_due_date, reminder_rules
from jaring.rules.months import Month
from jaring.rules.payment_code import payment_code
from jaring.rules.programmes import parse_programmes
from jaring.rules.reminders import (
    Kind,
    load_reminder_rules,
    message,
    months_due,
    packaged_reminder_rules,
    quiet_until,
    retry_delay,
)

log = logging.getLogger("jaring.reminders")

_BATCH = 2000
# How long a sender holds the reminders it took before another sender may take them (a sender that died
# mid-send leaves them to the next run after this).
_CLAIM = timedelta(minutes=10)


# -- the rules


def reminder_rules_seed(reminder_rule_model, data: dict | None = None) -> int:
    """Adds the packaged rules (``rules/data/reminders.json``) that are not in the database yet; rules
    already there (perhaps corrected by an operator) are left as they are. Returns how many were added.

    Run by the data migration with its historical ``ReminderRule``: it writes no audit entry; the
    migration is the record."""
    data = data or packaged_reminder_rules()
    entries = [(entry["kind"], entry) for entry in data.get("kinds", [])]
    entries += [("delivery", entry) for entry in data.get("delivery", [])]
    entries += [("holdout", entry) for entry in data.get("holdout", [])]
    added = 0
    for kind, entry in entries:
        if reminder_rule_model.objects.filter(code=entry["code"]).exists():
            continue
        window = {"code", "kind", "valid_from", "valid_to", "uncertain", "source", "note"}
        reminder_rule_model.objects.create(
            kind=kind,
            code=entry["code"],
            valid_from=Month.parse(entry["valid_from"]).index,
            valid_to=Month.parse(entry["valid_to"]).index if entry.get("valid_to") else None,
            data={key: value for key, value in entry.items() if key not in window},
            uncertain=bool(entry.get("uncertain")),
            source=entry.get("source", "")[:200],
            note=entry.get("note", ""),
        )
        added += 1
    return added


# -- holidays


@transaction.atomic
def holiday_correction_set(
    *, day: date, name: str, change: str, source: str = "", actor
) -> HolidayCorrection:
    """Records that ``day`` is a holiday after all (``added``: collective leave, an Islamic holiday on the
    day announced) or is not (``removed``: the package's estimate of a holiday that moved). A second
    correction of the same day replaces the first."""
    name = (name or "").strip()
    if change not in HolidayCorrection.Change.values:
        raise ValidationError({"change": _("A correction adds or removes a holiday.")})
    if not name:
        raise ValidationError({"name": _("Name the holiday or say why it is corrected.")})
    correction, _created = HolidayCorrection.objects.update_or_create(
        day=day, defaults={"name": name[:120], "change": change, "source": (source or "")[:200]}
    )
    audit(
        actor,
        "update",
        obj=correction,
        after=correction,
        summary=Said(
            gettext_noop("holiday correction %(day)s %(change)s: %(name)s"),
            {"day": day.isoformat(), "change": change, "name": correction.name},
        ),
    )
    return correction


@transaction.atomic
def holiday_correction_clear(*, day: date, actor) -> bool:
    """Takes back the correction of ``day`` (the package's calendar holds for it again); False when there
    was none."""
    correction = HolidayCorrection.objects.filter(day=day).first()
    if correction is None:
        return False
    audit(
        actor,
        "delete",
        obj=correction,
        before=correction,
        summary=Said(gettext_noop("holiday correction %(day)s taken back"), {"day": day.isoformat()}),
    )
    correction.delete()
    return True


# -- consent


@transaction.atomic
def contact_preference_set(
    *,
    participant: Participant,
    channel: str,
    opted_in: bool,
    source: str = "",
    at: datetime | None = None,
    actor,
) -> ContactPreference:
    """Records that the worker opted in to (``opted_in``) or out of ``channel``. An opt-out also cancels
    what is still waiting in the outbox for that channel."""
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Reminders go by SMS or WhatsApp.")})
    at = at or timezone.now()
    preference, _created = ContactPreference.objects.update_or_create(
        participant=participant,
        channel=channel,
        defaults={"opted_in": opted_in, "changed_at": at, "source": (source or "")[:60]},
    )
    if not opted_in:
        Reminder.objects.filter(
            participant=participant, channel=channel, status=Reminder.Status.SCHEDULED
        ).update(status=Reminder.Status.CANCELLED, error="opted out")
    audit(
        actor,
        "update",
        obj=participant,
        summary=Said(
            gettext_noop("reminders by %(channel)s: %(choice)s"),
            {"channel": channel, "choice": "opted in" if opted_in else "opted out"},
        ),
    )
    return preference


# -- the plan


@dataclass
class PlanResult:
    """What a day's plan added: ``added`` reminders to send (``by_kind``) and ``held_out`` workers drawn
    into the month's holdout (``held_out_by_kind``), who are recorded and never sent to."""

    day: date
    month: Month
    due: date
    added: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    held_out: int = 0
    held_out_by_kind: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "day": self.day.isoformat(),
            "month": str(self.month),
            "due": self.due.isoformat(),
            "added": self.added,
            "by_kind": self.by_kind,
            "held_out": self.held_out,
            "held_out_by_kind": self.held_out_by_kind,
        }


def _planned(day: date) -> tuple[int, int]:
    """The outbox rows planned on ``day``: (to send, held out), in one query."""
    held = Q(status=Reminder.Status.HELD_OUT)
    counts = Reminder.objects.filter(planned_on=day).aggregate(
        sent=Count("pk", filter=~held), held=Count("pk", filter=held)
    )
    return counts["sent"], counts["held"]


_RANGE = 50_000  # participant ids read at a time


def _in_ranges(rows):
    """The rows, read range of participant ids by range (the standings' key), each range read whole before
    the plan writes its reminders: a cursor held open across the outbox's writes in the same transaction
    was read slower with every batch written (at 1,000,000 participants, seconds for each 2,000 rows)."""
    bounds = Standing.objects.aggregate(low=Min("participant_id"), high=Max("participant_id"))
    if bounds["low"] is None:
        return
    for start in range(bounds["low"], bounds["high"] + 1, _RANGE):
        yield from list(rows.filter(participant_id__gte=start, participant_id__lt=start + _RANGE))


def _consents(channel: str):
    prefs = ContactPreference.objects.filter(participant=OuterRef("participant"), channel=channel)
    return Exists(prefs.filter(opted_in=True)), Exists(prefs.filter(opted_in=False))


_OUTBOX_COLUMNS = (
    "participant_id", "kind", "month", "channel", "message", "amount", "months", "status", "planned_on",
    "attempts", "provider", "provider_message_id", "error",
)  # fmt: skip


def _outbox_add(rows: list[tuple]) -> None:
    """Adds planned reminders in one statement; a row the outbox holds already (the same worker, kind and
    month: a run repeated, or two at once) is left as it is. Tuples, not model instances: a month's plan
    writes hundreds of thousands of rows."""
    insert_values(Reminder, _OUTBOX_COLUMNS, [(*row, 0, "", "", "") for row in rows], conflicts_ignored=True)


@transaction.atomic
def reminders_plan(*, day: date, actor) -> PlanResult:
    """Fills the outbox with the reminders ``day`` calls for, in one pass over the standings.

    Who: BPU workers paying for themselves (no payer group pays their month), with a phone, whose unpaid
    months call for a reminder today (``ReminderRules.kind_for``; the lapse and the arrears window are the
    coverage policy's), who may be reached on some channel (WhatsApp only after an opt-in, no channel
    they opted out of), and who were not sent a reminder in the last ``min_days_between`` days. The
    participant record holds no death or merge yet: when it does, ``_reachable`` is where they go.

    Of those, the workers drawn into the month's holdout (``Holdout.holds_out``: a keyed hash of the
    participant and the month under the share in force, so the same workers all month long) get the row
    they would have got with the status ``held_out``, which is never sent. They pass every test the
    reminded do, and their rows count for the days between as a sent reminder does, so the two groups
    differ only in the message.

    Repeating the run adds nothing: a worker gets one reminder of a kind for a month (the unique key),
    and one reminder in the days between."""
    month = Month.from_date(day)
    due = month_due_date(month)
    rules = reminder_rules(month)
    arrears_months = ratebook().policy_for(month).arrears_months
    by_unpaid = rules.kinds_by_unpaid(day=day, month=month, due=due, arrears_months=arrears_months)
    result = PlanResult(day=day, month=month, due=due)
    if not by_unpaid:
        return result
    delivery = rules.delivery
    recent = Reminder.objects.filter(
        participant=OuterRef("participant"),
        planned_on__gt=day - timedelta(days=delivery.min_days_between),
    ).exclude(status__in=[Reminder.Status.FAILED, Reminder.Status.CANCELLED])
    paid_by_payer = GroupMembership.objects.filter(
        participant=OuterRef("participant"), first_month__lte=month
    ).filter(Q(last_month__isnull=True) | Q(last_month__gte=month))
    consents = {channel: _consents(channel) for channel in Channel.values}
    reachable = Q()
    for channel in delivery.channels:
        opted_in, opted_out = (f"in_{channel}", f"out_{channel}")
        allowed = Q(**{opted_out: False})
        if channel in delivery.opt_in_required:
            allowed &= Q(**{opted_in: True})
        reachable |= allowed
    last_paid = Coalesce(
        F("paid_through"),
        ExpressionWrapper(F("participant__registered_month") - Value(1), output_field=IntegerField()),
        output_field=IntegerField(),
    )
    rows = (
        _reachable(Standing.objects.all())
        .filter(
            participant__segment=Participant.Segment.BPU,
            participant__registered_month__lte=month,
        )
        .exclude(participant__phone="")
        .annotate(last_paid=last_paid)
        .filter(last_paid__in=[month.index - unpaid for unpaid in by_unpaid])
        .annotate(
            recent=Exists(recent),
            by_payer=Exists(paid_by_payer),
            **{f"in_{c}": opted_in for c, (opted_in, _out) in consents.items()},
            **{f"out_{c}": opted_out for c, (_in, opted_out) in consents.items()},
        )
        .filter(reachable, recent=False, by_payer=False)
        .order_by()
        .values_list(
            "participant_id",
            "last_paid",
            "participant__declared_income",
            "participant__programmes",
            *(f"in_{c}" for c in Channel.values),
            *(f"out_{c}" for c in Channel.values),
        )
    )
    book = ratebook()
    key = payment_code_key()
    prices: dict[tuple, int] = {}
    channels = Channel.values
    holdout = rules.holdout
    before, held_before = _planned(day)
    batch: list[tuple] = []
    planned_on = db_date(day)
    for participant_id, last, income, programmes, *flags in _in_ranges(rows):
        opted_in = dict(zip(channels, flags[: len(channels)], strict=True))
        opted_out = dict(zip(channels, flags[len(channels) :], strict=True))
        channel = next(
            c
            for c in delivery.channels
            if not opted_out[c] and (c not in delivery.opt_in_required or opted_in[c])
        )
        unpaid = month.index - last
        kind = by_unpaid[unpaid]
        count = months_due(kind, unpaid)
        price_key = (count, income, programmes)
        if price_key not in prices:
            prices[price_key] = book.price(
                month - (count - 1), count, income=income, programmes=parse_programmes(programmes)
            ).total
        amount = prices[price_key]
        text = message(
            rules.kinds[kind].template,
            amount=amount,
            code=payment_code(participant_id, key),
            months=count,
            month=month,
            due=due,
        )
        held = holdout.holds_out(participant_id, month, key)
        status = Reminder.Status.HELD_OUT if held else Reminder.Status.SCHEDULED
        batch.append((participant_id, kind, month.index, channel, text, amount, count, status, planned_on))
        tally = result.held_out_by_kind if held else result.by_kind
        tally[kind] = tally.get(kind, 0) + 1
        if len(batch) >= _BATCH:
            _outbox_add(batch)
            batch = []
    if batch:
        _outbox_add(batch)
    after, held_after = _planned(day)
    result.added, result.held_out = after - before, held_after - held_before
    if result.added or result.held_out:
        summary = Said(
            gettext_noop("reminders planned for %(day)s: %(count)s"),
            {"day": day.isoformat(), "count": result.added},
        )
        if result.held_out:
            summary = summary.plus(gettext_noop("%(held)s held out"), {"held": result.held_out})
        audit(actor, "create", obj=Reminder, summary=summary)
    return result


def _reachable(standings):
    """The standings of participants a reminder may go to at all: participants are never deleted, and a
    deceased one (a death claim approved, ``claims``) is left out here."""
    return standings.exclude(status="deceased")


# -- the send


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    cancelled: int = 0
    quiet_until: datetime | None = None

    def as_json(self) -> dict:
        return {
            "sent": self.sent,
            "failed": self.failed,
            "retrying": self.retrying,
            "cancelled": self.cancelled,
            "quiet_until": self.quiet_until.isoformat() if self.quiet_until else None,
        }


def _due_now(now: datetime) -> Q:
    return Q(status=Reminder.Status.SCHEDULED) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def reminders_send(
    *, now: datetime | None = None, provider: Provider | None = None, limit: int = 1000
) -> SendResult:
    """Sends up to ``limit`` reminders whose time has come, oldest first, unless it is the quiet hours in
    Jakarta (then nothing is sent and the result says until when).

    Each reminder is taken (claimed for a few minutes, so two senders never send it twice), sent, and its
    outcome written at once: a sender stopped half-way sends none of the finished ones again. A worker who
    opted out since the plan is not sent to. A failure the provider calls transient is tried again later,
    each wait twice the last (the delivery rule's base and cap), until the rule's number of attempts."""
    now = now or timezone.now()
    local = now.astimezone(ZONE)
    delivery = reminder_rules(Month.from_date(local.date())).delivery
    result = SendResult()
    resume = quiet_until(local, delivery.quiet_start, delivery.quiet_end)
    if resume > local:
        result.quiet_until = resume
        return result
    provider = provider or provider_named()
    templates = {
        kind: rule.whatsapp_template
        for kind, rule in reminder_rules(Month.from_date(local.date())).kinds.items()
    }
    prefs = ContactPreference.objects.filter(participant=OuterRef("participant"), channel=OuterRef("channel"))
    rows = (
        Reminder.objects.filter(_due_now(now))
        .annotate(
            opted_in=Exists(prefs.filter(opted_in=True)), opted_out=Exists(prefs.filter(opted_in=False))
        )
        .order_by("id")
        .values_list(
            "id", "channel", "kind", "message", "attempts", "participant__phone", "opted_in", "opted_out"
        )[:limit]
    )
    for reminder_id, channel, kind, text, attempts, phone, opted_in, opted_out in list(rows):
        if not Reminder.objects.filter(_due_now(now), pk=reminder_id).update(next_attempt_at=now + _CLAIM):
            continue  # another sender took it
        outcome = _send_one(
            provider,
            now=now,
            reminder_id=reminder_id,
            allowed=not opted_out and (channel not in delivery.opt_in_required or opted_in),
            outgoing=Outgoing(
                reference=reminder_id,
                to=phone_e164(phone) or "",
                channel=channel,
                text=text,
                template=templates.get(Kind(kind), "") if channel == Channel.WHATSAPP else "",
            ),
            attempts=attempts + 1,
            delivery=delivery,
        )
        setattr(result, outcome, getattr(result, outcome) + 1)
    return result


def _send_one(provider, *, now, reminder_id, allowed, outgoing, attempts, delivery) -> str:
    """Sends one claimed reminder and writes its outcome; returns which count of ``SendResult`` it adds
    to. Logs name the reminder, never the worker's phone or NIK."""
    row = Reminder.objects.filter(pk=reminder_id)
    if not allowed:
        row.update(status=Reminder.Status.CANCELLED, error="opted out", next_attempt_at=None)
        log.info("reminder %s cancelled: the worker opted out of %s", reminder_id, outgoing.channel)
        return "cancelled"
    if not outgoing.to:
        row.update(status=Reminder.Status.FAILED, error="no valid phone number", attempts=attempts)
        log.warning("reminder %s failed: the participant has no valid phone number", reminder_id)
        return "failed"
    try:
        message_id = provider.send(outgoing)
    except SendFailed as failure:
        if failure.transient and attempts < delivery.max_attempts:
            wait = retry_delay(
                attempts, base_minutes=delivery.retry_base_minutes, cap_minutes=delivery.retry_cap_minutes
            )
            row.update(attempts=attempts, error=failure.reason[:200], next_attempt_at=now + wait)
            log.warning(
                "reminder %s not sent by %s (%s), attempt %s; next in %s",
                reminder_id, provider.name, failure.reason, attempts, wait,
            )  # fmt: skip
            return "retrying"
        row.update(
            status=Reminder.Status.FAILED, attempts=attempts, error=failure.reason[:200], next_attempt_at=None
        )
        log.warning(
            "reminder %s failed at %s (%s), attempt %s", reminder_id, provider.name, failure.reason, attempts
        )
        return "failed"
    row.update(
        status=Reminder.Status.SENT,
        attempts=attempts,
        provider=provider.name,
        provider_message_id=message_id[:100],
        sent_at=now,
        next_attempt_at=None,
        error="",
    )
    log.info("reminder %s sent by %s as %s", reminder_id, provider.name, message_id)
    return "sent"


# -- delivery reports


def reminder_delivery_record(
    *, provider: str, message_id: str, delivered: bool, at: datetime | None = None, error: str = ""
) -> Reminder | None:
    """Marks the reminder ``provider`` sent as ``message_id`` delivered or failed, as its delivery report
    says; None when no sent reminder has that id. A report repeated (gateways retry their callbacks)
    changes nothing more; a failure reported after a delivery is ignored."""
    at = at or timezone.now()
    reminder = Reminder.objects.filter(provider=provider, provider_message_id=message_id).first()
    if reminder is None:
        return None
    if delivered:
        Reminder.objects.filter(
            pk=reminder.pk, status__in=[Reminder.Status.SENT, Reminder.Status.FAILED]
        ).update(status=Reminder.Status.DELIVERED, delivered_at=at, error="")
    else:
        Reminder.objects.filter(pk=reminder.pk, status=Reminder.Status.SENT).update(
            status=Reminder.Status.FAILED, error=(error or "not delivered")[:200]
        )
    reminder.refresh_from_db()
    log.info("reminder %s: %s reported %s", reminder.pk, provider, reminder.status)
    return reminder


@transaction.atomic
def reminder_rule_save(*, rule: ReminderRule, actor, summary: str = "") -> ReminderRule:
    """Saves an operator's new or corrected reminder rule (its window, its wording, its delivery figures)
    once the rules can read it; audited with the rule before and after."""
    if rule.valid_to is not None and Month(int(rule.valid_to)) < Month(int(rule.valid_from)):
        raise ValidationError({"valid_to": _("The window ends before it starts.")})
    try:
        if rule.kind == ReminderRule.Kind.DELIVERY:
            load_reminder_rules([], rule.data)
        elif rule.kind == ReminderRule.Kind.HOLDOUT:
            load_reminder_rules([], None, rule.data)
        else:
            load_reminder_rules([{**rule.data, "kind": rule.kind}], None)
    except (ValueError, KeyError, TypeError) as error:
        raise ValidationError({"data": str(error)}) from error
    stored = ReminderRule.objects.select_for_update().filter(pk=rule.pk).first() if rule.pk else None
    before = snapshot(stored)
    rule.save()
    audit(
        actor,
        Action.UPDATE if stored else Action.CREATE,
        obj=rule,
        before=before,
        after=rule,
        summary=Said(
            gettext_noop("reminder rule %(code)s (%(kind)s)"), {"code": rule.code, "kind": rule.kind}
        ).noted(summary),
    )
    return rule
