"""Periods, served regencies, the population spread and the share parser that targets and the potential
market are set with (the writes are ``monitoring.services``: ``target_set``, ``potential_set``,
``informal_share_set``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jaring.org.models import BranchArea, Office
from jaring.org.queries import in_office_subtree
from jaring.regions.models import Region


def year_period(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def served_regencies(office: Office) -> list[str]:
    """The regency/city codes served by the branches in the office's subtree (every regency/city of the
    country for the head office)."""
    if office.parent_id is None:
        return list(Region.objects.filter(level=Region.Level.REGENCY).values_list("code", flat=True))
    return list(
        BranchArea.objects.filter(in_office_subtree(office, via="office"))
        .order_by("regency_id")
        .values_list("regency_id", flat=True)
    )


def spread(total: int, weights: dict[str, int]) -> dict[str, int]:
    """``total`` split in proportion to ``weights``, in whole numbers that add up exactly (largest
    remainder; equal remainders go to the first key)."""
    weight_sum = sum(weights.values())
    if weight_sum <= 0:
        raise ValueError("weights must add up to more than zero")
    shares = {key: divmod(total * weight, weight_sum) for key, weight in weights.items()}
    parts = {key: whole for key, (whole, _remainder) in shares.items()}
    left = total - sum(parts.values())
    for key in sorted(shares, key=lambda k: (-shares[k][1], k))[:left]:
        parts[key] += 1
    return parts


def parse_share(text) -> Decimal:
    try:
        share = Decimal(str(text).strip().replace(",", "."))
    except InvalidOperation as error:
        raise ValidationError({"share": _("A share is a number between 0 and 1.")}) from error
    exponent = share.as_tuple().exponent
    if not isinstance(exponent, int) or not 0 <= share <= 1:
        raise ValidationError({"share": _("A share is a number between 0 and 1.")})
    if exponent < -4:
        raise ValidationError({"share": _("A share has at most four decimals.")})
    return share
