"""Reads of the office tree.

Every walk of the office tree goes through here: ``office_subtree`` (a queryset), ``in_office_subtree``
(the same prefix match reached through a relation, for querysets of outlets, agents, areas...),
``OfficeTree`` (a subtree in memory, one query, to roll per-office figures up) and ``office_line``
(the offices from one down to another, read off the materialised path).
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q, QuerySet

from jaring.org.models import BranchArea, Office


def branch_for_region(region_code: str) -> Office | None:
    """The branch office serving the regency/city that contains ``region_code`` (any level below province)."""
    area = BranchArea.objects.select_related("office").filter(regency_id=region_code[:5]).first()
    return area.office if area else None


def branch_map() -> dict[str, int]:
    """Regency/city code -> branch office id, for resolving many addresses in one pass."""
    return dict(BranchArea.objects.values_list("regency_id", "office_id"))


def serving_branch_id(region_code: str, *, outlet, branches: dict[str, int] | None = None) -> int | None:
    """The branch office that serves a worker (or an employer) in ``region_code``: the branch of its
    regency/city, or the branch of the outlet that registered them where no branch covers the regency
    yet (None without an outlet). ``branches`` is ``branch_map()`` when the caller resolves many
    addresses (read once; a map of the regencies concerned will do)."""
    regency = (region_code or "")[:5]
    if branches is not None:
        found = branches.get(regency)
    else:
        found = BranchArea.objects.filter(regency_id=regency).values_list("office_id", flat=True).first()
    return found or (outlet.office_id if outlet is not None else None)


def in_office_subtree(office: Office, via: str = "") -> Q:
    """A filter for rows whose office (reached through ``via``, e.g. ``"outlet__office"``; none: the
    office itself) is ``office`` or any office below it: one indexed prefix match on the path."""
    field = f"{via}__path__startswith" if via else "path__startswith"
    return Q(**{field: office.path})


def office_subtree(office: Office) -> QuerySet:
    """The office and every office below it."""
    return Office.objects.filter(in_office_subtree(office))


def office_line(office: Office, root: Office | None = None) -> list[Office]:
    """The offices from ``root`` (None: the top of the tree) down to ``office``, both included, in one
    query. ``root`` is expected to be ``office`` or above it."""
    codes = [code for code in office.path.split("/") if code]
    if root is not None:
        root_codes = [code for code in root.path.split("/") if code]
        codes = codes[len(root_codes) - 1 :]
    found = {o.code: o for o in Office.objects.filter(code__in=codes)}
    return [found[code] for code in codes if code in found]


class OfficeTree:
    """An office subtree in memory (one query), to roll per-office figures up to every office.

    ``offices`` maps the id of every office of the subtree to it; ``children`` maps an office id to its
    direct sub-offices, ordered by code; ``national`` says the root is the head office.
    """

    def __init__(self, root: Office):
        self.root = root
        self.offices: dict[int, Office] = {o.pk: o for o in office_subtree(root)}
        self.children: dict[int, list[Office]] = defaultdict(list)
        for office in sorted(self.offices.values(), key=lambda o: o.code):
            if office.pk != root.pk:
                self.children[office.parent_id].append(office)
        self.national = root.parent_id is None

    @property
    def ids(self) -> list[int]:
        """The ids of every office of the subtree, root included."""
        return list(self.offices)

    def below(self, pk: int) -> list[int]:
        """The office ``pk`` and every office below it (ids)."""
        found, todo = [], [pk]
        while todo:
            node = todo.pop()
            found.append(node)
            todo.extend(child.pk for child in self.children.get(node, []))
        return found

    def subtree_sum(self, pk: int, values: dict[int, int]) -> int:
        """The values of the office ``pk`` and every office below it. For the head office every value
        counts, office 0 (participants whose regency no branch serves) included: that is the national
        figure."""
        if pk == self.root.pk and self.national:
            return sum(values.values())
        return sum(values.get(node, 0) for node in self.below(pk))
