"""Seeding the controlled occupation list from ``members/data/occupations.json``."""

import json
from importlib import resources


def packaged_occupations() -> list[dict]:
    text = resources.files("jaring.members").joinpath("data/occupations.json").read_text(encoding="utf-8")
    return json.loads(text)["occupations"]


def occupations_seed(occupation_model) -> int:
    """Creates or renames every packaged occupation; occupations added by operators stay."""
    for row in packaged_occupations():
        occupation_model.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "name_en": row["name_en"], "permanence": row["permanence"]},
        )
    return len(packaged_occupations())
