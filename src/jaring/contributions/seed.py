"""Seeding the rate book from the packaged ``rules/data/bpu_rates.json``."""

import json
from decimal import Decimal
from importlib import resources

from jaring.rules.months import Month

SECTIONS = {"schedules": "schedule", "adjustments": "adjustment", "policies": "policy"}


def packaged_rates() -> dict:
    text = resources.files("jaring.rules").joinpath("data/bpu_rates.json").read_text(encoding="utf-8")
    return json.loads(text, parse_float=Decimal)


def rule_code(section: str, entry: dict) -> str:
    return entry.get("code") or f"{SECTIONS[section].upper()}-{entry['valid_from']}"


def rate_rules_seed(rate_rule_model, data: dict | None = None) -> int:
    """Adds the packaged rules that are not in the database yet; rules already there (perhaps corrected by
    an operator) are left as they are. Returns how many were added."""
    data = data or packaged_rates()
    added = 0
    for section, kind in SECTIONS.items():
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
