"""The one reader of effective-dated rules (``common.models.EffectiveRule`` rows): the rate rules, the
Perisai agent rules and the agent quality thresholds are all read here.

A row becomes the plain entry the loaders of ``rules/`` read, as in the packaged JSON files: its ``data``
with its code, its window of months as ``YYYY-MM`` text, and the ``uncertain``, ``source`` and ``note``
columns. The columns win over keys of the same name in ``data``: they are what an operator edits in the
back office.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import QuerySet

from jaring.rules.months import Month


def rule_entry(rule) -> dict[str, Any]:
    """One rule row as a plain entry (``data`` with the code, the window and the columns)."""
    entry = dict(rule.data)
    entry.update(
        code=rule.code,
        valid_from=str(rule.valid_from),
        valid_to=str(rule.valid_to) if rule.valid_to is not None else None,
        uncertain=rule.uncertain,
        source=rule.source,
        note=rule.note,
    )
    return entry


def rule_entries(rules: QuerySet, sections: Mapping[str, str] | None = None) -> dict[str, list[dict]]:
    """The rows of ``rules`` as entries grouped by their kind, oldest first within a kind, in one query.
    ``sections`` names the group of each kind (``{"schedule": "schedules", ...}``, as the loader reads
    them); every group it names is present, empty when no row has the kind. Without it a group is named
    by its kind."""
    grouped: dict[str, list[dict]] = {name: [] for name in (sections or {}).values()}
    for rule in rules.order_by("kind", "valid_from", "code"):
        name = sections[rule.kind] if sections else rule.kind
        grouped.setdefault(name, []).append(rule_entry(rule))
    return grouped


def entry_in_force(entries: Iterable[Mapping[str, Any]], month: Month) -> Mapping[str, Any] | None:
    """Of entries that replace one another (the latest start wins), the one in force in ``month``: the
    latest ``valid_from`` on or before it whose window is still open then. None when none is."""
    open_then = [
        entry
        for entry in entries
        if Month.parse(str(entry["valid_from"])) <= month
        and (not entry.get("valid_to") or month <= Month.parse(str(entry["valid_to"])))
    ]
    return max(open_then, key=lambda entry: Month.parse(str(entry["valid_from"])), default=None)
