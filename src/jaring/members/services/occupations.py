"""Writes of the controlled occupation list: seeding it from ``members/data/occupations.json`` and an
operator's addition or correction in the back office."""

from __future__ import annotations

import json
from importlib import resources

from django.db import transaction
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit, snapshot
from jaring.accounts.models import Action
from jaring.members.models import Occupation


def packaged_occupations() -> list[dict]:
    text = resources.files("jaring.members").joinpath("data/occupations.json").read_text(encoding="utf-8")
    return json.loads(text)["occupations"]


def occupations_seed(occupation_model) -> int:
    """Creates or renames every packaged occupation; occupations added by operators stay.

    Run by the data migration with its historical ``Occupation`` (``jaring init``), before any staff
    exists: it writes no audit entry; the migration is the record."""
    for row in packaged_occupations():
        occupation_model.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "name_en": row["name_en"], "permanence": row["permanence"]},
        )
    return len(packaged_occupations())


@transaction.atomic
def occupation_save(*, occupation: Occupation, actor, summary: str = "") -> Occupation:
    """Adds an occupation to the list or corrects its names or permanence (``occupation`` holds the new
    values; its code never changes once participants may point at it). Audited before and after."""
    stored = (
        Occupation.objects.select_for_update().filter(pk=occupation.pk).first() if occupation.pk else None
    )
    before = snapshot(stored)
    occupation.full_clean()
    occupation.save()
    what = Said(
        gettext_noop("occupation %(code)s (%(name)s)"), {"code": occupation.code, "name": occupation.name}
    )
    audit(
        actor,
        Action.UPDATE if stored else Action.CREATE,
        obj=occupation,
        before=before,
        after=occupation,
        summary=what.noted(summary),
    )
    return occupation
