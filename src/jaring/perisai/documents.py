"""Files of the Perisai statements: a statement as XLSX or PDF (in Indonesian unless asked otherwise), and
the payout file for the bank (CSV)."""

from __future__ import annotations

import csv
import io
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from jaring.common.clock import local_date
from jaring.common.sheets import csv_row, xlsx_append
from jaring.perisai.models import Payout, Statement
from jaring.perisai.queries import statement_named_lines
from jaring.perisai.statements import statement_reference_code
from jaring.rules.money import format_rupiah

PAYOUT_COLUMNS = (
    "reference", "agent_code", "agent_name", "bank", "account_number", "account_name", "amount", "month",
)  # fmt: skip


def payout_csv(payout: Payout | None = None, *, statements=None) -> bytes:
    """The bank's transfer file: one row per statement paid in ``payout`` (or per paid statement of the
    queryset ``statements``), amounts in whole rupiah."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(PAYOUT_COLUMNS)
    # names of agents and accounts are typed by people: one a spreadsheet would run is quoted
    rows = payout.paid.all() if payout is not None else statements.filter(state=Statement.State.PAID)
    for statement in rows.select_related("agent__bank").order_by("agent__code", "payout_id"):
        agent = statement.agent
        writer.writerow(
            csv_row(
                [
                    statement_reference_code(statement),
                    agent.code,
                    agent.name,
                    agent.bank.code if agent.bank else "",
                    agent.bank_account,
                    agent.bank_account_name,
                    statement.payable,
                    str(statement.month),
                ]
            )
        )
    return out.getvalue().encode("utf-8")


def _summary(statement: Statement) -> list[tuple[str, object]]:
    agent = statement.agent
    return [
        (_("Agent"), f"{agent.code} {agent.name}"),
        (_("Perisai office"), agent.outlet.name if agent.outlet else ""),
        (_("Branch office"), agent.office.name if agent.office else ""),
        (_("Month"), str(statement.month)),
        (_("Status"), statement.get_state_display()),
        (_("New participants"), statement.acquisitions),
        (_("Contributions collected"), statement.collected),
        (_("Commission"), statement.commission),
        (_("Bonus"), statement.bonus),
        (_("Total"), statement.total),
        (_("Carried from the previous statement"), statement.carried),
        (_("Payable"), statement.payable),
    ]


def _line_rows(statement: Statement) -> list[list]:
    return [
        [
            line.get_kind_display(),
            number,
            name,
            local_date(line.paid_at).isoformat() if line.paid_at else "",
            line.amount,
            line.commission,
        ]
        for line, number, name in statement_named_lines(statement)
    ]


def _line_header() -> list[str]:
    return [_("Line"), _("Participant number"), _("Name"), _("Paid on"), _("Amount"), _("Commission")]


def statement_xlsx(statement: Statement, *, language: str | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    with translation.override(language or settings.LANGUAGE_CODE):
        book = Workbook()
        sheet = book.active
        sheet.title = str(statement.month)
        xlsx_append(sheet, [_("Perisai agent statement")])
        sheet["A1"].font = Font(bold=True, size=14)
        for label, value in _summary(statement):
            number = xlsx_append(sheet, [label, value])  # the agent's name is typed by people
            if isinstance(value, int) and label != _("New participants"):
                sheet.cell(number, 2).number_format = '"Rp"#,##0'
        sheet.append([])
        number = xlsx_append(sheet, _line_header())
        for cell in sheet[number]:
            cell.font = Font(bold=True)
        for row in _line_rows(statement):
            number = xlsx_append(sheet, row)
            for column in (5, 6):
                sheet.cell(number, column).number_format = '"Rp"#,##0'
        sheet.column_dimensions["A"].width = 36
        sheet.column_dimensions["B"].width = 28
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


def statement_pdf(statement: Statement, *, language: str | None = None) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    with translation.override(language or settings.LANGUAGE_CODE):
        styles = getSampleStyleSheet()
        out = io.BytesIO()
        document = SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm)
        money = {_("New participants")}
        summary = [
            [label, f"{value:,}".replace(",", ".") if label in money else format_rupiah(value)]
            if isinstance(value, int)
            else [label, value]
            for label, value in _summary(statement)
        ]
        lines = [_line_header()] + [
            [kind, number, name, day, format_rupiah(amount), format_rupiah(commission)]
            for kind, number, name, day, amount, commission in _line_rows(statement)
        ]
        grid = TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("ALIGN", (4, 1), (-1, -1), "RIGHT"),
            ]
        )
        story = [
            Paragraph(escape(_("Perisai agent statement")), styles["Title"]),
            Table(summary, hAlign="LEFT"),
            Spacer(1, 6 * mm),
            Table(lines, hAlign="LEFT", style=grid, repeatRows=1),
        ]
        document.build(story)
        return out.getvalue()
