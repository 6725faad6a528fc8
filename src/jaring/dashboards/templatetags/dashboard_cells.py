"""``{% load dashboard_cells %}``: a table cell shown by its kind, in the page's language."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from jaring.web.templatetags.jaring import bulan, count, percent, rupiah, tanggal

register = template.Library()
NUMBERS = frozenset({"count", "rupiah", "percent", "change", "attainment", "points"})


def change(value) -> str:
    """A change in percent with its sign and colour: +12,5 % (up), -3 % (down), 0 %."""
    if value is None:
        return percent(None)
    if value == 0:
        return percent(value)
    direction, sign = ("up", "+") if value > 0 else ("down", "")
    return format_html('<span class="change {}">{}{}</span>', direction, sign, percent(value))


def points(value) -> str:
    """A difference of two percentages in percentage points, with its sign and colour: +25 pp, -3,5 pp."""
    if value is None:
        return percent(None)
    shown = percent(abs(value)).removesuffix(" %")
    unit = _("pp")
    if value == 0:
        return f"0 {unit}"
    direction, sign = ("up", "+") if value > 0 else ("down", "-")
    return format_html('<span class="change {}">{}{} {}</span>', direction, sign, shown, unit)


def attainment(value) -> str:
    """A target's attainment in percent over a bar that fills at 100 %."""
    if value is None:
        return percent(None)
    return format_html(
        '{}<progress class="attainment" max="100" value="{}" aria-hidden="true"></progress>',
        percent(value),
        min(max(float(value), 0.0), 100.0),
    )


SHOWN = {
    "attainment": attainment,
    "count": count,
    "rupiah": rupiah,
    "percent": percent,
    "change": change,
    "points": points,
    "date": tanggal,
    "month": bulan,
}


@register.filter
def cell(value, kind: str):
    """``{{ value|cell:"rupiah" }}``: Rp16.800; counts, percentages, dates and months likewise."""
    if kind in SHOWN:
        return SHOWN[kind](value)
    return "" if value is None else value


@register.filter
def is_number(kind: str) -> bool:
    return kind in NUMBERS


@register.inclusion_tag("dashboards/_change.html")
def change_note(line):
    """Under a card: ▲ 12,5 % (or ▼) from the same days of the month before, or that there was nothing."""
    change = line.change if line is not None else None
    direction = "" if change is None or change == 0 else "up" if change > 0 else "down"
    return {"line": line, "change": change, "size": abs(change) if change is not None else None,
            "direction": direction}  # fmt: skip
