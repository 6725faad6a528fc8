"""The business sectors an employer registers under (KBLI 2020 sections, ``data/sectors.json``), each
with the work-accident risk class its employers get unless another is stated."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

RISK_CLASSES = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Sector:
    code: str
    name: str  # Indonesian, as KBLI names it
    name_en: str
    risk_class: int


@cache
def sectors() -> dict[str, Sector]:
    """Every sector by its code (``A``..``U``), read once from the packaged data."""
    text = resources.files("jaring.rules").joinpath("data/sectors.json").read_text(encoding="utf-8")
    found = {}
    for entry in json.loads(text)["sectors"]:
        sector = Sector(entry["code"], entry["name"], entry["name_en"], int(entry["risk_class"]))
        if sector.risk_class not in RISK_CLASSES:
            raise ValueError(f"sector {sector.code} has risk class {sector.risk_class}, not one of 1..5")
        found[sector.code] = sector
    return found
