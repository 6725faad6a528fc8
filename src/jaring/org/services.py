"""Writes to the office tree."""

from django.core.exceptions import ValidationError
from django.db import transaction

from jaring.org.models import BranchArea, Office
from jaring.regions.models import Region

_PARENT_KIND = {Office.Kind.REGIONAL: Office.Kind.HEAD, Office.Kind.BRANCH: Office.Kind.REGIONAL}


@transaction.atomic
def office_create(*, code: str, name: str, kind: str, parent: Office | None = None) -> Office:
    """Creates an office under its parent: a regional office under the head office, a branch under a
    regional office."""
    expected = _PARENT_KIND.get(kind)
    if expected is None and parent is not None:
        raise ValidationError({"parent": "The head office has no parent office."})
    if expected is not None and (parent is None or parent.kind != expected):
        raise ValidationError({"parent": f"A {kind} office belongs under a {expected} office."})
    path = f"{parent.path if parent else '/'}{code}/"
    return Office.objects.create(code=code, name=name, kind=kind, parent=parent, path=path)


@transaction.atomic
def branch_areas_assign(*, office: Office, regency_codes: list[str]) -> list[BranchArea]:
    """Makes ``office`` serve these regencies/cities, taking them over from any other branch."""
    if office.kind != Office.Kind.BRANCH:
        raise ValidationError({"office": "Only a branch office serves regencies/cities."})
    found = set(
        Region.objects.filter(code__in=regency_codes, level=Region.Level.REGENCY).values_list(
            "code", flat=True
        )
    )
    if missing := sorted(set(regency_codes) - found):
        raise ValidationError({"regency_codes": f"Unknown regency/city codes: {', '.join(missing)}"})
    areas = []
    for code in regency_codes:
        area, _ = BranchArea.objects.update_or_create(regency_id=code, defaults={"office": office})
        areas.append(area)
    return areas
