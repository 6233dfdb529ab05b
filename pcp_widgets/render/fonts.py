"""The one font family every output uses: DejaVu Sans, as shipped inside matplotlib.

It covers Latin, Greek, Cyrillic and many symbols, so a name such as "Zoë Łukasz" or
"Ольга" prints as written; it is always installed with matplotlib (no download, no
dependence on the fonts of the machine), and the circle picture uses the same face, so
text measured there matches what is drawn.
"""

from __future__ import annotations

import functools
from pathlib import Path

import matplotlib

FAMILY = "DejaVu Sans"
REGULAR = "PcpSans"
BOLD = "PcpSans-Bold"
ITALIC = "PcpSans-Oblique"


def font_path(file_name: str) -> Path:
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / file_name


@functools.cache
def register_pdf_fonts() -> str:
    """Register DejaVu Sans (regular, bold, oblique) with reportlab once; returns the regular name."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    faces = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf", ITALIC: "DejaVuSans-Oblique.ttf"}
    for name, file_name in faces.items():
        pdfmetrics.registerFont(TTFont(name, str(font_path(file_name))))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, ITALIC)
    addMapping(REGULAR, 1, 1, BOLD)
    return REGULAR
