"""Reads of the office tree."""

from jaring.org.models import BranchArea, Office


def branch_for_region(region_code: str) -> Office | None:
    """The branch office serving the regency/city that contains ``region_code`` (any level below province)."""
    area = BranchArea.objects.select_related("office").filter(regency_id=region_code[:5]).first()
    return area.office if area else None


def branch_map() -> dict[str, int]:
    """Regency/city code -> branch office id, for resolving many addresses in one pass."""
    return dict(BranchArea.objects.values_list("regency_id", "office_id"))


def office_subtree(office: Office):
    """The office and every office below it."""
    return Office.objects.filter(path__startswith=office.path)
