"""Writes to the office tree."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit, snapshot
from jaring.accounts.models import Action
from jaring.accounts.services import audited_save
from jaring.org.models import BranchArea, Office
from jaring.regions.models import Region

_PARENT_KIND = {Office.Kind.REGIONAL: Office.Kind.HEAD, Office.Kind.BRANCH: Office.Kind.REGIONAL}


@transaction.atomic
def office_create(
    *, code: str, name: str, kind: str, parent: Office | None = None, actor=None, summary: str = ""
) -> Office:
    """Creates an office under its parent: a regional office under the head office, a branch under a
    regional office. Audited as done by ``actor`` (None for the command line and the demo)."""
    expected = _PARENT_KIND.get(kind)
    if expected is None and parent is not None:
        raise ValidationError({"parent": "The head office has no parent office."})
    if expected is not None and (parent is None or parent.kind != expected):
        raise ValidationError({"parent": f"A {kind} office belongs under a {expected} office."})
    path = f"{parent.path if parent else '/'}{code}/"
    office = Office.objects.create(code=code, name=name, kind=kind, parent=parent, path=path)
    what = Said(
        gettext_noop("office %(code)s (%(kind)s) under %(parent)s"),
        {"code": code, "kind": kind, "parent": parent.code if parent else "-"},
    )
    audit(actor, Action.CREATE, obj=office, after=office, summary=what.noted(summary))
    return office


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


@transaction.atomic
def office_rename(*, office: Office, actor, summary: str = "") -> Office:
    """Saves an office's new name (its code, kind and place in the tree never change: they scope every page
    and export)."""
    stored = Office.objects.select_for_update().get(pk=office.pk)
    before = snapshot(stored)
    stored.name = office.name
    stored.save(update_fields=["name"])
    what = Said(gettext_noop("office %(code)s renamed %(name)s"), {"code": stored.code, "name": stored.name})
    audit(
        actor,
        Action.UPDATE,
        obj=stored,
        before=before,
        after=stored,
        summary=what.noted(summary),
    )
    return stored


@transaction.atomic
def branch_area_save(*, area: BranchArea, actor, summary: str = "") -> BranchArea:
    """Says which branch serves a regency/city (a new row, or a change of branch)."""
    if area.office.kind != Office.Kind.BRANCH:
        raise ValidationError({"office": "Only a branch office serves regencies/cities."})
    return audited_save(
        area,
        actor=actor,
        summary=summary,
        what=Said(
            gettext_noop("%(regency)s served by %(office)s"),
            {"regency": area.regency_id, "office": area.office.code},
        ),
    )


@transaction.atomic
def branch_areas_remove(*, areas, actor, summary: str = "") -> int:
    """Removes the rows saying which branch serves these regencies/cities (``areas``, a queryset)."""
    removed = list(areas.select_related("office"))
    for area in removed:
        audit(
            actor,
            Action.DELETE,
            obj=area,
            before=area,
            summary=Said(
                gettext_noop("%(regency)s no longer served by %(office)s"),
                {"regency": area.regency_id, "office": area.office.code},
            ).noted(summary),
        )
    BranchArea.objects.filter(pk__in=[area.pk for area in removed]).delete()
    return len(removed)
