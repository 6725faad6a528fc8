"""The participant card: a credit-card-sized PDF with the participant number as text and as a QR code."""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno
from reportlab.lib.colors import HexColor, white
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from jaring.common.pdf import embedded_fonts
from jaring.rules.payment_code import payment_code_shown

# ID-1 (ISO/IEC 7810), the size of a bank card: fits a wallet and a card printer.
CARD_SIZE = (85.6 * mm, 53.98 * mm)
BRAND = HexColor("#0b5cad")


@dataclass(frozen=True)
class CardText:
    """What the card says, already in the reader's language."""

    title: str
    name: str
    number_label: str
    number: str
    programmes_label: str
    programmes: str
    registered_label: str
    registered: str
    outlet_label: str
    outlet: str
    code_label: str = ""
    code: str = ""  # the payment code, for banks, e-wallets, shops and the Pos


def participant_card_pdf(text: CardText) -> bytes:
    """One page, card-sized. The number is printed large and encoded in a QR code (drawn as vector
    squares, so it stays sharp on any printer); it is also the document's subject, for search."""
    width, height = CARD_SIZE
    regular, bold = embedded_fonts()
    out = io.BytesIO()
    pdf = Canvas(out, pagesize=CARD_SIZE, invariant=1, pageCompression=0, initialFontName=regular)
    pdf.setTitle(f"{text.title} {text.number}")
    pdf.setSubject(text.number)
    pdf.setAuthor("jaring")

    pdf.setFillColor(BRAND)
    pdf.rect(0, height - 11 * mm, width, 11 * mm, stroke=0, fill=1)
    pdf.setFillColor(white)
    pdf.setFont(bold, 9)
    pdf.drawString(4 * mm, height - 7 * mm, text.title)

    pdf.setFillColor(HexColor("#1d2733"))
    pdf.setFont(bold, 10)
    pdf.drawString(4 * mm, height - 17 * mm, _fit(text.name, 30))
    pdf.setFont(regular, 6)
    pdf.drawString(4 * mm, height - 22 * mm, text.number_label)
    pdf.setFont(bold, 12)
    pdf.drawString(4 * mm, height - 27 * mm, text.number)
    lines = (
        (text.programmes_label, text.programmes),
        (text.registered_label, text.registered),
        (text.outlet_label, _fit(text.outlet, 34)),
        *(((text.code_label, payment_code_shown(text.code)),) if text.code else ()),
    )
    y = height - 31 * mm
    for label, value in lines:
        pdf.setFont(regular, 6)
        pdf.drawString(4 * mm, y, label)
        pdf.setFont(regular, 7.5)
        pdf.drawString(4 * mm, y - 3 * mm, value)
        y -= 6 * mm

    _qr(pdf, text.number, x=width - 26 * mm, y=4 * mm, size=22 * mm)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def _qr(pdf: Canvas, data: str, *, x: float, y: float, size: float) -> None:
    code = segno.make(data, error="m", micro=False)
    matrix = code.matrix
    module = size / len(matrix)
    pdf.setFillColor(HexColor("#000000"))
    for row, bits in enumerate(matrix):
        for column, bit in enumerate(bits):
            if bit:
                pdf.rect(x + column * module, y + size - (row + 1) * module, module, module, stroke=0, fill=1)


def _fit(value: str, length: int) -> str:
    return value if len(value) <= length else value[: length - 1] + "…"
