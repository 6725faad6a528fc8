"""Numbers, money and dates on jaring's pages, in the language of the page.

``{% load jaring %}`` then ``{{ amount|rupiah }}`` (Rp16.800 in Indonesian, Rp16,800 in English),
``{{ count|count }}`` (2.381 / 2,381), ``{{ day|tanggal }}`` (24 Oktober 2023 / 24 October 2023),
``{{ month|bulan }}`` (Oktober 2023, for a ``rules.months.Month`` or a date), ``{{ pct|percent }}``
(12,5 % / 12.5 %). The formats are the reports' (``monitoring.formatting.Style``), so a page and its
exported PDF say the same thing the same way.
"""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jaring.monitoring.formatting import MONTHS, Style

register = template.Library()


def page_style() -> Style:
    """The report style of the language the page is being rendered in."""
    return Style("en" if (get_language() or "id").startswith("en") else "id")


@register.filter
def rupiah(value) -> str:
    if value in (None, ""):
        return ""
    return page_style().rupiah(int(value))


@register.filter
def count(value) -> str:
    if value in (None, ""):
        return ""
    return page_style().count(int(value))


@register.filter
def percent(value) -> str:
    if value in (None, ""):
        return page_style().word("n/a")
    return page_style().percent(value)


@register.filter
def tanggal(value) -> str:
    """A day (a date, or a moment shown in Asia/Jakarta) as 24 Oktober 2023."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return page_style().day(value)


@register.filter
def bulan(value) -> str:
    """A calendar month (``Month``, a date, or "2023-10") as Oktober 2023."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        year, month = (int(part) for part in value.split("-")[:2])
    elif isinstance(value, date):
        year, month = value.year, value.month
    else:
        year, month = value.year, value.month
    return f"{MONTHS[page_style().lang][month - 1]} {year}"


def bulan_span(first, last) -> str:
    """Months ``first`` to ``last`` as Juni 2027 s.d. Agustus 2027, or Juni 2027 when they are one."""
    if last in (None, "") or bulan(first) == bulan(last):
        return bulan(first)
    return _("%(first)s to %(last)s") % {"first": bulan(first), "last": bulan(last)}
