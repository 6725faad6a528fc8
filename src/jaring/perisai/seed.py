"""Seeding the Perisai rules from the packaged ``rules/data/perisai.json``."""

from jaring.rules.commission import packaged_agent_rules
from jaring.rules.months import Month

_WINDOW = {"code", "valid_from", "valid_to", "uncertain", "source", "note"}


def agent_rules_seed(agent_rule_model, data: dict | None = None) -> int:
    """Adds the packaged rules that are not in the database yet; rules already there (perhaps corrected
    by an operator) are left as they are. Returns how many were added."""
    data = data or packaged_agent_rules()
    added = 0
    for kind in ("commission", "lifecycle"):
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
