"""The JHT balance statement a participant can be given: the JHT contributions paid, year by year, with
the yield declared for each year (``rules.claims.jht_balance``, the rates as claim rules), up to a day.
Read from the participant's own ledger; the same arithmetic a JHT claim pays."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from django.utils import translation
from django.utils.translation import gettext as _

from jaring.claims.models import ClaimRule
from jaring.claims.rulebook import claim_rules
from jaring.claims.services.submit import ledger_entries
from jaring.common.clock import local_date
from jaring.common.pdf import embedded_fonts
from jaring.members.models import Participant
from jaring.rules.claims import JhtYear, jht_balance
from jaring.rules.money import format_rupiah


@dataclass(frozen=True)
class JhtStatement:
    participant: Participant
    as_of: date
    years: tuple[JhtYear, ...]
    rule: dict  # the yield rule in force (its code, source and whether its figures are uncertain)

    @property
    def balance(self) -> int:
        return self.years[-1].closing if self.years else 0

    def as_json(self) -> dict:
        return {
            "participant": self.participant.number,
            "as_of": self.as_of.isoformat(),
            "balance": self.balance,
            "years": [
                {
                    "year": y.year,
                    "opening": y.opening,
                    "contributions": y.contributions,
                    "rate": str(y.rate),
                    "yield": y.yield_,
                    "closing": y.closing,
                }
                for y in self.years
            ],
            "rule": {
                "code": self.rule["code"],
                "uncertain": self.rule["uncertain"],
                "source": self.rule["source"],
            },
        }


def jht_statement(participant: Participant, as_of: date | None = None) -> JhtStatement:
    """The participant's JHT balance on ``as_of`` (default today): the JHT part of every ledger entry not
    reversed, paid by then, with each year's declared yield."""
    as_of = as_of or local_date()
    book = claim_rules()
    contributions = [
        (local_date(entry.paid_at), entry.jht)
        for entry in ledger_entries(participant)
        if not entry.reversed and entry.jht and local_date(entry.paid_at) <= as_of
    ]
    years = jht_balance(contributions, rates=book.jht_rates(as_of), through=as_of)
    return JhtStatement(participant, as_of, years, book.rule(ClaimRule.Kind.JHT_YIELD, as_of))


def jht_statement_pdf(statement: JhtStatement, *, language: str = "id") -> bytes:
    """The statement on one A4 page: who, as of when, the balance, and a line per year."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from jaring.web.templatetags.jaring import tanggal

    regular, bold = embedded_fonts()
    text = ParagraphStyle("text", fontName=regular, fontSize=9, leading=12)
    heading = ParagraphStyle("heading", parent=text, fontName=bold, fontSize=14, leading=18)
    small = ParagraphStyle("small", parent=text, fontSize=8, leading=10, textColor=colors.HexColor("#5b6776"))
    person = statement.participant
    with translation.override(language):
        facts = [
            (_("Participant"), person.name),
            (_("Participant number"), person.number),
            (_("Balance on"), tanggal(statement.as_of)),
            (_("JHT balance"), format_rupiah(statement.balance)),
        ]
        rows = [
            [
                _("Year"),
                _("Opening balance"),
                _("Contributions"),
                _("Yield rate"),
                _("Yield"),
                _("Closing balance"),
            ]
        ]
        rows += [
            [
                str(y.year),
                format_rupiah(y.opening),
                format_rupiah(y.contributions),
                f"{y.rate * 100:.2f} %",
                format_rupiah(y.yield_),
                format_rupiah(y.closing),
            ]
            for y in statement.years
        ]
        note = _(
            "Each year's opening balance earns that year's declared yield; a contribution earns it for the "
            "months left in the year after the month it was paid. Yield rule: %(code)s (%(source)s)."
        ) % {"code": statement.rule["code"], "source": statement.rule["source"]}
        if statement.rule["uncertain"]:
            note += " " + _("The yield rates are not yet the agency's declared figures.")
        story = [
            Paragraph(_("BPJS Ketenagakerjaan"), small),
            Paragraph(_("JHT balance statement"), heading),
            Spacer(1, 3 * mm),
            Table(
                [[label, value] for label, value in facts],
                colWidths=[45 * mm, 125 * mm],
                style=[("FONT", (0, 0), (-1, -1), regular, 9), ("FONT", (1, 3), (1, 3), bold, 11)],
            ),
            Spacer(1, 4 * mm),
            Table(
                rows,
                repeatRows=1,
                style=TableStyle(
                    [
                        ("FONT", (0, 0), (-1, -1), regular, 8),
                        ("FONT", (0, 0), (-1, 0), bold, 8),
                        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                    ]
                ),
            ),
            Spacer(1, 4 * mm),
            Paragraph(note, small),
        ]
        out = io.BytesIO()
        SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm).build(story)
    return out.getvalue()
