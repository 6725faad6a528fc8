"""The claim rules in force on a day, read once from ``ClaimRule`` rows (``common.rules``), with the
coverage policy's switches the cover decision shares with the ledger (``contributions``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from jaring.claims.models import ClaimRule
from jaring.common.rules import entry_in_force, rule_entries
from jaring.contributions.queries import ratebook
from jaring.rules.claims import CoverPolicy
from jaring.rules.months import Month


class NoRule(LookupError):
    """No claim rule of a kind is in force on a day."""


@dataclass(frozen=True)
class ClaimBook:
    entries: dict[str, list[dict]]

    def rule(self, kind: str, day: date, *, claim_kind: str | None = None) -> dict[str, Any]:
        """The entry of ``kind`` in force in ``day``'s month (of ``claim_kind`` for benefits)."""
        entries = self.entries.get(kind, [])
        if claim_kind is not None:
            entries = [entry for entry in entries if entry.get("claim_kind") == claim_kind]
        entry = entry_in_force(entries, Month.from_date(day))
        if entry is None:
            raise NoRule(f"no claim rule {kind} {claim_kind or ''} is in force on {day}")
        return entry

    def cover_policy(self, day: date) -> CoverPolicy:
        cover = self.rule(ClaimRule.Kind.COVER, day)
        paying = ratebook().policy_for(Month.from_date(day))
        return CoverPolicy(
            cover_from_payment=bool(cover.get("cover_from_payment", True)),
            restore_cover_for_past_events=paying.restore_cover_for_past_events,
            arrears_grace_covered=bool(cover.get("arrears_grace_covered", False)),
            arrears_months=paying.arrears_months,
        )

    def jht_rates(self, day: date) -> dict[int, Decimal]:
        """Year -> the declared JHT yield, every year up to ``day``'s (the default rate where none was
        declared)."""
        rule = self.rule(ClaimRule.Kind.JHT_YIELD, day)
        declared = {int(year): Decimal(str(rate)) for year, rate in rule.get("rates", {}).items()}
        default = Decimal(str(rule.get("default_rate", "0")))
        return {year: declared.get(year, default) for year in range(1990, day.year + 1)}

    def working_days(self, kind: str, day: date) -> int:
        return int(self.rule(ClaimRule.Kind.SERVICE_LEVEL, day)["working_days"][kind])

    def documents(self, kind: str, day: date, *, death: bool = False, trigger: str = "") -> list[str]:
        """The document kinds a claim needs, in the checklist's order."""
        rule = self.rule(ClaimRule.Kind.DOCUMENTS, day)
        needed = list(rule["required"].get(kind, []))
        extra = rule.get("on_death", []) if death else []
        if trigger == "stopped_work":
            extra = [*extra, *rule.get("on_stopped_work", [])]
        return needed + [kind for kind in extra if kind not in needed]

    def heir_order(self, day: date) -> list[str]:
        return list(self.rule(ClaimRule.Kind.HEIRS, day)["order"])

    def bank_formats(self, day: date) -> dict[str, dict]:
        return dict(self.rule(ClaimRule.Kind.BANKS, day)["formats"])


def claim_rules() -> ClaimBook:
    """The claim rules from their rows; the rules as shipped (``rules/data/claims.json``) when there is no
    row at all (a database emptied by a test between its cases)."""
    entries = rule_entries(ClaimRule.objects.all())
    return ClaimBook(entries if entries else shipped_rules())


@cache
def shipped_rules() -> dict[str, list[dict]]:
    shipped = json.loads(resources.files("jaring.rules.data").joinpath("claims.json").read_text("utf-8"))
    grouped: dict[str, list[dict]] = {}
    for rule in shipped["rules"]:
        entry = {
            **rule["data"],
            "code": rule["code"],
            "valid_from": rule["valid_from"],
            "valid_to": None,
            "uncertain": rule.get("uncertain", False),
            "source": rule.get("source", ""),
            "note": rule.get("note", ""),
        }
        grouped.setdefault(rule["kind"], []).append(entry)
    return grouped
