"""``{% load dashboard_cells %}``: a table cell shown by its kind, in the page's language."""

from django import template

from jaring.web.templatetags.jaring import bulan, count, percent, rupiah, tanggal

register = template.Library()
NUMBERS = frozenset({"count", "rupiah", "percent"})
SHOWN = {"count": count, "rupiah": rupiah, "percent": percent, "date": tanggal, "month": bulan}


@register.filter
def cell(value, kind: str):
    """``{{ value|cell:"rupiah" }}``: Rp16.800; counts, percentages, dates and months likewise."""
    if kind in SHOWN:
        return SHOWN[kind](value)
    return "" if value is None else value


@register.filter
def is_number(kind: str) -> bool:
    return kind in NUMBERS
