"""Writes of the effective-dated rate rules: seeding them from the packaged ``rules/data/bpu_rates.json``
and an operator's correction of one (``jaring rates window``, the back office)."""

from __future__ import annotations

import json
from decimal import Decimal
from importlib import resources

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit, snapshot
from jaring.accounts.models import Action
from jaring.contributions.models import RateRule
from jaring.contributions.queries import ratebook_forget
from jaring.rules.months import Month

SECTIONS = {"schedules": "schedule", "adjustments": "adjustment", "policies": "policy"}
WAGE_SECTIONS = {
    "wage_schedules": "wage",
    "jp_ceilings": "ceiling",
    "jkp": "jkp",
    "size_classes": "sizes",
    "employer_bills": "pubill",
}


def packaged_rates(name: str = "bpu_rates.json") -> dict:
    text = resources.files("jaring.rules").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return json.loads(text, parse_float=Decimal)


def packaged_wage_rates() -> dict:
    return packaged_rates("pu_rates.json")


def rule_code(section: str, entry: dict) -> str:
    kind = SECTIONS.get(section) or WAGE_SECTIONS[section]
    return entry.get("code") or f"{kind.upper()}-{entry['valid_from']}"


def rate_rules_seed(rate_rule_model, data: dict | None = None) -> int:
    """Adds the packaged rules that are not in the database yet; rules already there (perhaps corrected by
    an operator) are left as they are. Returns how many were added.

    Run by the data migration with its historical ``RateRule`` (``jaring init``), before any staff exists:
    it writes no audit entry; the migration is the record."""
    data = data or packaged_rates()
    added = 0
    for section, kind in (SECTIONS | WAGE_SECTIONS).items():
        for entry in data.get(section, []):
            code = rule_code(section, entry)
            if rate_rule_model.objects.filter(code=code).exists():
                continue
            body = {k: v for k, v in entry.items() if k not in {"code", "valid_from", "valid_to"}}
            rate_rule_model.objects.create(
                kind=kind,
                code=code,
                valid_from=Month.parse(entry["valid_from"]).index,
                valid_to=Month.parse(entry["valid_to"]).index if entry.get("valid_to") else None,
                data=json.loads(json.dumps(body, default=str)),
                uncertain=bool(entry.get("uncertain")),
                source=entry.get("source", "")[:200],
                note=entry.get("note", ""),
            )
            added += 1
    return added


def _month(value) -> Month:
    return value if isinstance(value, Month) else Month(value)


@transaction.atomic
def rate_rule_save(*, rule: RateRule, actor, summary: str = "") -> RateRule:
    """Saves an operator's new or corrected rate rule (``rule`` holds the new values: its window, its
    figures) and makes this process price with it at once (the rate book cache is emptied now and again
    at the commit). Audited with the rule before and after, as
    done by ``actor`` (a request, a user, or None for the command line: say who in ``summary``)."""
    if rule.valid_to is not None and _month(rule.valid_to) < _month(rule.valid_from):
        raise ValidationError({"valid_to": _("The window ends before it starts.")})
    stored = RateRule.objects.select_for_update().filter(pk=rule.pk).first() if rule.pk else None
    before = snapshot(stored)
    rule.save()
    ratebook_forget()
    transaction.on_commit(ratebook_forget)  # and again once saved, in case a price was read meanwhile
    what = Said(
        gettext_noop("rate rule %(code)s (%(kind)s) %(start)s..%(end)s"),
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


def rate_window_set(
    *, code: str, valid_from: str | None = None, valid_to: str | None = None, actor, summary: str = ""
) -> RateRule:
    """Moves the window of the rule ``code`` (``YYYY-MM`` months; a side not given stays), e.g. PP50-2025,
    whose period is not verified."""
    rule = RateRule.objects.filter(code=code).first()
    if rule is None:
        raise ValidationError({"code": _("No rate rule %(code)s.") % {"code": code}})
    try:
        rule.valid_from = Month.parse(valid_from) if valid_from else rule.valid_from
        rule.valid_to = Month.parse(valid_to) if valid_to else rule.valid_to
    except ValueError as error:
        raise ValidationError({"window": [str(error)]}) from error
    return rate_rule_save(rule=rule, actor=actor, summary=summary)
