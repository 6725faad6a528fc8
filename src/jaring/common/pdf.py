"""Fonts for the PDFs jaring prints, embedded in every file.

PDF's standard fonts (Helvetica ...) are not embedded: each viewer draws its own stand-in, with its own
widths, and a card or receipt comes out as "BPJ S" or with digits running into each other. jaring embeds
Bitstream Vera, which reportlab ships in its package (free licence, ``reportlab/fonts``), so a file looks
the same in every viewer and on every printer. Only the glyphs used go into the file.
"""

from __future__ import annotations

from functools import cache

FONT = "Vera"
FONT_BOLD = "Vera-Bold"


@cache
def embedded_fonts() -> tuple[str, str]:
    """Registers the fonts with reportlab once per process; the regular and bold font names."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT, "Vera.ttf"))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, "VeraBd.ttf"))
    return FONT, FONT_BOLD
