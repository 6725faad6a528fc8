"""Writes of the Perisai rules: seeding them from the packaged ``rules/data/perisai.json`` (commission and
lifecycle) and ``perisai/quality_thresholds.json`` (quality thresholds), and an operator's correction of
one (its window, its figures) in the back office."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit, snapshot
from jaring.accounts.models import Action
from jaring.perisai.models import AgentRule
from jaring.perisai.quality import Thresholds
from jaring.perisai.rulebook import agent_rules_data
from jaring.rules.commission import load_agent_rulebook, packaged_agent_rules
from jaring.rules.months import Month

_WINDOW = {"code", "valid_from", "valid_to", "uncertain", "source", "note"}


def agent_rules_seed(agent_rule_model, data: dict | None = None) -> int:
    """Adds the packaged rules that are not in the database yet; rules already there (perhaps corrected
    by an operator) are left as they are. Returns how many were added.

    Run by the data migration with its historical ``AgentRule`` (``jaring init``), before any staff exists:
    it writes no audit entry; the migration is the record."""
    data = data or packaged_agent_rules()
    added = 0
    for kind in ("commission", "lifecycle", "quality"):
        for entry in data.get(kind, []):
            if agent_rule_model.objects.filter(code=entry["code"]).exists():
                continue
            agent_rule_model.objects.create(
                kind=kind,
                code=entry["code"],
                valid_from=Month.parse(entry["valid_from"]).index,
                valid_to=Month.parse(entry["valid_to"]).index if entry.get("valid_to") else None,
                data={key: value for key, value in entry.items() if key not in _WINDOW},
                uncertain=bool(entry.get("uncertain")),
                source=entry.get("source", "")[:200],
                note=entry.get("note", ""),
            )
            added += 1
    return added


def _month(value) -> Month:
    return value if isinstance(value, Month) else Month(value)


def agent_rule_check(rule: AgentRule) -> None:
    """Refuses (ValidationError, per field) a new or corrected rule with which the rules would no longer
    read: a window ending before it starts, a commission calculator that cannot be built, two rules of a
    kind in force in the same month, or quality thresholds that are not thresholds."""
    if rule.valid_to is not None and _month(rule.valid_to) < _month(rule.valid_from):
        raise ValidationError({"valid_to": _("The window ends before it starts.")})
    if not isinstance(rule.data, dict):
        raise ValidationError({"data": _("The entry is a JSON object ({...}).")})
    stored = AgentRule.objects.filter(pk=rule.pk).values_list("code", flat=True) if rule.pk else None
    original = stored.first() if stored is not None else None
    book = agent_rules_data()
    for kind in book:
        book[kind] = [entry for entry in book[kind] if entry["code"] not in {original, rule.code}]
    book.setdefault(rule.kind, []).append(
        {
            **rule.data,
            "code": rule.code,
            "valid_from": str(_month(rule.valid_from)),
            "valid_to": str(_month(rule.valid_to)) if rule.valid_to is not None else None,
        }
    )
    try:
        load_agent_rulebook(book)
        for entry in book.get(AgentRule.Kind.QUALITY, []):
            Thresholds.from_entry(entry)
    except (ValueError, KeyError, TypeError, LookupError, ArithmeticError) as error:
        raise ValidationError(
            {"data": _("The rule book would not read: %(error)s") % {"error": error}}
        ) from error


@transaction.atomic
def agent_rule_save(*, rule: AgentRule, actor, summary: str = "") -> AgentRule:
    """Saves an operator's new or corrected rule (``rule`` holds the new values) once
    ``agent_rule_check`` passes. Audited with the rule before and after."""
    stored = AgentRule.objects.select_for_update().filter(pk=rule.pk).first() if rule.pk else None
    before = snapshot(stored)
    agent_rule_check(rule)
    rule.save()
    what = Said(
        gettext_noop("Perisai rule %(code)s (%(kind)s) %(start)s..%(end)s"),
        {
            "code": rule.code,
            "kind": rule.kind,
            "start": str(rule.valid_from),
            "end": str(rule.valid_to or ""),
        },
    )
    audit(
        actor,
        Action.UPDATE if stored else Action.CREATE,
        obj=rule,
        before=before,
        after=rule,
        summary=what.noted(summary),
    )
    return rule
