"""Rendering a report (``monitoring.reports``) as XLSX (openpyxl, with a bar chart), PDF (reportlab, with a
bar chart) or plain text for the terminal.

In XLSX the numbers stay numbers (counts ``#,##0``, rupiah ``"Rp"#,##0``, percentages ``0.0 %``), which a
spreadsheet shows with the reader's separators; in PDF and text they are written out in the report's
language (``Rp1.234.567``).
"""

from __future__ import annotations

from pathlib import Path

from jaring.common.sheets import xlsx_append
from jaring.monitoring.reports import COUNT, PERCENT, RUPIAH, Report

FORMATS = ("xlsx", "pdf")
_NUMBER_FORMATS = {COUNT: "#,##0", RUPIAH: '"Rp"#,##0', PERCENT: '0.0" %"'}


def report_write(report: Report, path: Path, fmt: str) -> Path:
    """Writes the report as ``fmt`` (xlsx or pdf) to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        xlsx_write(report, path)
    elif fmt == "pdf":
        pdf_write(report, path)
    else:
        raise ValueError(f"unknown format {fmt!r}: use xlsx or pdf")
    return path


def xlsx_write(report: Report, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Laporan" if report.style.lang == "id" else "Report"
    bold = Font(bold=True)
    # every cell through xlsx_append: names of contests, offices and agents are typed by people
    xlsx_append(sheet, [report.title])
    sheet["A1"].font = Font(bold=True, size=14)
    for label, value in report.facts:
        number = xlsx_append(sheet, [label, value])
        sheet.cell(number, 1).font = bold
    for table in report.tables:
        sheet.append([])
        number = xlsx_append(sheet, [table.heading])
        sheet.cell(number, 1).font = bold
        number = xlsx_append(sheet, table.columns)
        for column in range(1, len(table.columns) + 1):
            sheet.cell(number, column).font = bold
        for row in table.rows:
            number = xlsx_append(sheet, [_xlsx_value(cell) for cell in row])
            for column, cell in enumerate(row, start=1):
                if cell.kind in _NUMBER_FORMATS and cell.value is not None:
                    sheet.cell(number, column).number_format = _NUMBER_FORMATS[cell.kind]
    if report.notes:
        sheet.append([])
        for note in report.notes:
            xlsx_append(sheet, [note])
    for column, width in zip("ABCDEFGHIJK", (14, 22, 26, 16, 16, 16, 16, 14, 16, 14, 60), strict=True):
        sheet.column_dimensions[column].width = width
    chart = report.chart
    if chart and chart.categories:
        data = book.create_sheet("Grafik" if report.style.lang == "id" else "Chart")
        xlsx_append(data, ["", *(name for name, _values in chart.series)])
        for index, category in enumerate(chart.categories):
            xlsx_append(data, [category, *(values[index] for _name, values in chart.series)])
        bars = BarChart()
        bars.type = "col"
        bars.title = chart.title
        bars.y_axis.numFmt = _NUMBER_FORMATS[RUPIAH if chart.money else COUNT]
        bars.add_data(
            Reference(
                data, min_col=2, max_col=1 + len(chart.series), min_row=1, max_row=1 + len(chart.categories)
            ),
            titles_from_data=True,
        )
        bars.set_categories(Reference(data, min_col=1, min_row=2, max_row=1 + len(chart.categories)))
        bars.width, bars.height = 24, 10
        sheet.add_chart(bars, f"A{sheet.max_row + 2}")
    book.save(path)


def _xlsx_value(cell):
    if cell.value is None:
        return None
    if cell.kind == PERCENT:
        return float(cell.value)
    return cell.value


def pdf_write(report: Report, path: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    style = report.style
    sheet = getSampleStyleSheet()
    small = sheet["BodyText"].clone("small", fontSize=7, leading=8.5)
    document = SimpleDocTemplate(
        str(path),
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=report.title,
        author="jaring",
    )
    story = [Paragraph(_escape(report.title), sheet["Title"])]
    facts = Table([[_escape(label), _escape(value)] for label, value in report.facts], hAlign="LEFT")
    facts.setStyle(
        TableStyle([("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"), ("FONTSIZE", (0, 0), (-1, -1), 9)])
    )
    story += [facts, Spacer(1, 4 * mm)]
    if report.chart and report.chart.categories:
        story += [_pdf_chart(report), Spacer(1, 4 * mm)]
    for table in report.tables:
        story.append(Paragraph(_escape(table.heading), sheet["Heading3"]))
        rows = [[Paragraph(_escape(c), small) for c in table.columns]]
        for row in table.rows:
            rows.append([Paragraph(_escape(cell.shown(style)), small) for cell in row])
        grid = Table(rows, repeatRows=1, hAlign="LEFT", colWidths=_widths(table, style, document.width))
        grid.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6f0")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story += [grid, Spacer(1, 4 * mm)]
    for note in report.notes:
        story.append(Paragraph(_escape(note), small))
    story.append(Paragraph(_escape(style.word("generated")), small))
    document.build(story)


def _widths(table, style, available: float) -> list[float]:
    """Column widths from each column's longest value (7-point Helvetica; a heading may wrap at its
    words); when they do not fit, the widest columns are narrowed to a common width until they do."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    def width(text: str) -> float:
        return stringWidth(text, "Helvetica", 7) + 16  # 6 points of padding each side, and a margin

    natural = []
    for index, title in enumerate(table.columns):
        values = [width(row[index].shown(style)) for row in table.rows]
        natural.append(max([width(word) for word in title.split()] + values + [20]))
    if sum(natural) <= available:
        return natural
    low, high = 0.0, max(natural)
    for _step in range(40):  # the common width c with sum(min(w, c)) == available
        middle = (low + high) / 2
        low, high = (middle, high) if sum(min(w, middle) for w in natural) < available else (low, middle)
    return [min(w, low) for w in natural]


def _pdf_chart(report: Report):
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    chart = report.chart
    drawing = Drawing(760, 210)
    drawing.add(String(10, 195, chart.title, fontName="Helvetica-Bold", fontSize=10))
    bars = VerticalBarChart()
    bars.x, bars.y, bars.width, bars.height = 70, 50, 660, 130
    bars.data = [list(values) for _name, values in chart.series]
    bars.categoryAxis.categoryNames = [name[:18] for name in chart.categories]
    bars.categoryAxis.labels.angle = 30
    bars.categoryAxis.labels.boxAnchor = "ne"
    bars.categoryAxis.labels.fontSize = 7
    bars.valueAxis.valueMin = 0
    bars.valueAxis.labels.fontSize = 7
    money = report.style.rupiah if chart.money else report.style.count
    bars.valueAxis.labelTextFormat = lambda value: money(int(value))
    palette = (colors.HexColor("#1f5fa8"), colors.HexColor("#f0a030"))
    for index in range(len(chart.series)):
        bars.bars[index].fillColor = palette[index % len(palette)]
    drawing.add(bars)
    for index, (name, _values) in enumerate(chart.series):
        drawing.add(String(600 + 80 * index, 195, name, fontSize=8, fillColor=palette[index % len(palette)]))
    return drawing


def _escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def report_text(report: Report) -> str:
    """The report as aligned plain text, for the terminal."""
    style = report.style
    lines = [report.title, ""]
    width = max((len(label) for label, _value in report.facts), default=0)
    lines += [f"{label:<{width}}  {value}" for label, value in report.facts]
    for table in report.tables:
        cells = [table.columns, *([cell.shown(style) for cell in row] for row in table.rows)]
        widths = [max(len(str(row[i])) for row in cells) for i in range(len(table.columns))]
        lines += ["", table.heading]
        for row in cells:
            lines.append("  ".join(str(value).ljust(widths[i]) for i, value in enumerate(row)).rstrip())
    if report.notes:
        lines += ["", *report.notes]
    return "\n".join(lines)
