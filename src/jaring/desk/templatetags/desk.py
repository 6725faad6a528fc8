"""Words for the desk's codes in the page's language: ``{% load desk %}`` then ``{{ status|status_label }}``,
``{{ entry.kind|kind_label }}``, ``{{ cell.mark|mark_label }}``, ``{{ sex|sex_label }}``,
``{{ month|month_short }}`` (Jan, Feb ... in the page's language)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from jaring.monitoring.formatting import MONTHS
from jaring.web.templatetags.jaring import page_style

register = template.Library()

STATUS_LABELS = {
    "new": _("registered, not paid yet"),
    "active": _("active"),
    "arrears": _("in arrears"),
    "lapsed": _("lapsed"),
    "merged": _("merged into another record"),
}
KIND_LABELS = {
    "contribution": _("payment"),
    "deposit": _("bought from deposits"),
    "bill": _("paid by the payer"),
    "reversal": _("reversal"),
}
MARK_LABELS = {
    "covered": _("covered"),
    "owed": _("unpaid, can still be paid"),
    "unpaid": _("unpaid, no longer payable"),
    "future": _("not due yet"),
    "before": _("before registration"),
}
# A sign beside the colour, so the calendar reads without colour too (and in black-and-white print).
MARK_SYMBOLS = {"covered": "✓", "owed": "!", "unpaid": "✗", "future": "", "before": ""}
SEX_LABELS = {"M": _("male"), "F": _("female")}


@register.filter
def status_label(value) -> str:
    return STATUS_LABELS.get(str(value), value)


@register.filter
def kind_label(value) -> str:
    return KIND_LABELS.get(str(value), value)


@register.filter
def mark_label(value) -> str:
    return MARK_LABELS.get(str(value), value)


@register.filter
def mark_symbol(value) -> str:
    return MARK_SYMBOLS.get(str(value), "")


@register.filter
def sex_label(value) -> str:
    return SEX_LABELS.get(str(value), value)


@register.filter
def month_short(value) -> str:
    """The month's name in three letters (Jan, Agu, Des): a calendar cell on a phone."""
    if value in (None, ""):
        return ""
    return MONTHS[page_style().lang][value.month - 1][:3]


@register.filter
def initials(name) -> str:
    """A name shown to someone who does not serve its bearer: "Siti Wahyuni" -> "S. W."."""
    return " ".join(f"{word[0].upper()}." for word in str(name or "").split() if word[0].isalpha())
