"""The address picker of the registration form: province > regency/city > district > village selects.

Each level lists the children of the level above; a choice that is not under the level above (because
the teller changed an upper select) is dropped with everything below it. A deeper code given alone (the
district a NIK was issued in, the outlet's own area) fills in the levels above it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from jaring.regions.models import Region

# How long each level's dotted Kemendagri code is: 64, 64.71, 64.71.01, 64.71.01.1001.
_LENGTHS = (("province", 2), ("regency", 5), ("district", 8), ("village", 13))


@dataclass(frozen=True)
class Area:
    province: str
    regency: str
    district: str
    village: str
    provinces: list[tuple[str, str]]
    regencies: list[tuple[str, str]]
    districts: list[tuple[str, str]]
    villages: list[tuple[str, str]]

    @property
    def selects(self) -> list[tuple[str, str, list[tuple[str, str]], str]]:
        """(field name, label, options, chosen code) for each select, top down."""
        return [
            ("province", _("Province"), self.provinces, self.province),
            ("regency", _("Regency or city"), self.regencies, self.regency),
            ("district", _("District (kecamatan)"), self.districts, self.district),
            ("village_code", _("Village (desa/kelurahan)"), self.villages, self.village),
        ]


def _children(parent: str | None, level: int) -> list[tuple[str, str]]:
    regions = Region.objects.filter(level=level)
    if parent is not None:
        regions = regions.filter(parent_id=parent)
    return list(regions.order_by("name").values_list("code", "name"))


def area_for(*, province: str = "", regency: str = "", district: str = "", village: str = "") -> Area:
    """The selects for these choices (codes, any of them empty)."""
    chosen = {"province": province, "regency": regency, "district": district, "village": village}
    chosen = {name: (code or "").strip() for name, code in chosen.items()}
    # A deeper code fills the empty levels above it.
    for position, (name, length) in enumerate(_LENGTHS):
        if not chosen[name]:
            deeper = next((chosen[n] for n, _length in _LENGTHS[position + 1 :] if chosen[n]), "")
            chosen[name] = deeper[:length] if len(deeper) > length else ""
    options = {"province": _children(None, Region.Level.PROVINCE)}
    selected: dict[str, str] = {}
    below = (
        ("regency", Region.Level.REGENCY),
        ("district", Region.Level.DISTRICT),
        ("village", Region.Level.VILLAGE),
        (None, None),
    )
    dropped = False
    for (name, _length), (child, child_level) in zip(_LENGTHS, below, strict=True):
        code = "" if dropped else chosen[name]
        if code and code not in {option for option, _label in options[name]}:
            code = ""
        selected[name] = code
        dropped = not code
        if child is not None:
            options[child] = _children(code, child_level) if code else []
    return Area(
        province=selected["province"],
        regency=selected["regency"],
        district=selected["district"],
        village=selected["village"],
        provinces=options["province"],
        regencies=options["regency"],
        districts=options["district"],
        villages=options["village"],
    )


def area_around(code: str) -> Area:
    """The selects set to the region ``code`` (an outlet's district or village, a NIK's district)."""
    code = (code or "").strip()
    for name, length in reversed(_LENGTHS):
        if len(code) == length:
            return area_for(**{name: code})
    return area_for()
