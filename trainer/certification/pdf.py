"""The certificate as a one-page bilingual PDF with a signed QR code.

English reads on the left, Arabic on the right. fpdf2 shapes the Arabic
(joined letter forms) and orders it right to left through HarfBuzz
(uharfbuzz); Amiri, installed by the `fontpkg-amiri` dependency, covers
Arabic, the extra letters of Kurdish in Arabic script (ڕ ڵ ۆ ێ ە ڤ) and
Kurdish in Latin script (ç ê î û ş), so one font draws every name. The QR
code (segno) is drawn as vector squares, so no image library is needed and
it stays sharp at any print size.
"""

from __future__ import annotations

import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from trainer.certification.certificates import CertificateView

if TYPE_CHECKING:
    from fpdf import FPDF


IRAQI_MONTHS = (
    "كانون الثاني",
    "شباط",
    "آذار",
    "نيسان",
    "أيار",
    "حزيران",
    "تموز",
    "آب",
    "أيلول",
    "تشرين الأول",
    "تشرين الثاني",
    "كانون الأول",
)
PAGE_W, PAGE_H = 297.0, 210.0
MARGIN = 18.0
HALF = (PAGE_W - 2 * MARGIN) / 2 - 4
INK = (25, 45, 85)


@lru_cache(maxsize=1)
def font_dir() -> Path:
    import fontpkg_amiri

    return Path(fontpkg_amiri.ROOT) / "files"


def date_en(d: datetime.date | None) -> str:
    return d.strftime("%-d %B %Y") if d else "does not expire"


def date_ar(d: datetime.date | None) -> str:
    return f"{d.day} {IRAQI_MONTHS[d.month - 1]} {d.year}" if d else "غير محددة المدة"


def render(view: CertificateView, payload: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title(f"Certificate {view.number}")
    pdf.set_creator("trainer")
    pdf.add_font("Amiri", "", str(font_dir() / "Amiri-Regular.ttf"))
    pdf.add_font("Amiri", "B", str(font_dir() / "Amiri-Bold.ttf"))
    pdf.set_text_shaping(True)
    pdf.add_page()
    _frame(pdf)

    def pair(y: float, en: str, ar: str, size: float, style: str = "", h: float = 10) -> None:
        pdf.set_font("Amiri", style, size)
        pdf.set_xy(MARGIN, y)
        pdf.cell(HALF, h, en, align="L")
        pdf.set_xy(PAGE_W - MARGIN - HALF, y)
        pdf.cell(HALF, h, ar, align="R")

    pdf.set_text_color(*INK)
    pair(20, view.centre_en, view.centre_ar, 13)
    pair(34, "Certificate of Completion", "شهادة إتمام دورة", 28, "B", 16)
    pdf.set_text_color(0, 0, 0)
    pair(58, "This certifies that", "يشهد بأنّ", 13)
    pair(68, view.latin_name or view.name, view.name or view.latin_name, 22, "B", 14)
    pair(86, "has successfully completed", "قد أكمل بنجاح", 13)
    pair(96, view.course_title_en, view.course_title_ar or view.course_title_en, 18, "B", 12)
    if view.cohort_start:
        pair(
            110,
            f"Cohort {view.cohort_code}, {date_en(view.cohort_start)} to {date_en(view.cohort_end)}",
            f"الدفعة {view.cohort_code} من {date_ar(view.cohort_start)} إلى {date_ar(view.cohort_end)}",
            12,
        )

    rows = (
        ("Certificate No.", view.number, "رقم الشهادة", ""),
        ("Verification code", view.verification_code, "رمز التحقق", ""),
        ("Issued", date_en(view.issued_on), "تاريخ الإصدار", date_ar(view.issued_on)),
        ("Valid until", date_en(view.expires_on), "صالحة لغاية", date_ar(view.expires_on)),
        ("Issuing instructor", view.issued_by, "المدرب المانح", ""),
        ("Signed by", view.signed_by or view.issued_by, "التوقيع", ""),
    )
    y = 130
    for en, value, ar, value_ar in rows:
        pdf.set_font("Amiri", "", 11)
        pdf.set_xy(MARGIN, y)
        pdf.cell(38, 7, en, align="L")
        pdf.set_font("Amiri", "B", 11)
        pdf.cell(62, 7, value, align="L")
        pdf.cell(40, 7, value_ar, align="R")
        pdf.set_font("Amiri", "", 11)
        pdf.cell(32, 7, ar, align="R")
        y += 8
    if view.status != "valid":
        pdf.set_text_color(170, 20, 20)
        pdf.set_font("Amiri", "B", 12)
        pdf.set_xy(MARGIN, y + 2)
        pdf.cell(180, 7, f"Status on {date_en(datetime.date.today())}: {view.status}", align="L")
        pdf.set_text_color(0, 0, 0)

    _qr(pdf, payload, x=PAGE_W - MARGIN - 58, y=124, size=52)
    pdf.set_font("Amiri", "", 9)
    pdf.set_xy(PAGE_W - MARGIN - 64, 177)
    pdf.cell(64, 5, "Scan to verify, even offline", align="C")
    pdf.set_xy(PAGE_W - MARGIN - 64, 182)
    pdf.cell(64, 5, "امسح الرمز للتحقق دون اتصال", align="C")
    return bytes(pdf.output())


def _frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*INK)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, PAGE_W - 16, PAGE_H - 16)
    pdf.set_line_width(0.3)
    pdf.rect(11, 11, PAGE_W - 22, PAGE_H - 22)
    pdf.line(MARGIN, 52, PAGE_W - MARGIN, 52)


def _qr(pdf: FPDF, text: str, *, x: float, y: float, size: float) -> None:
    """Dark modules as filled squares, with the four-module quiet zone the standard asks for."""
    import segno

    matrix = segno.make(text, error="m", micro=False).matrix
    n = len(matrix)
    module = size / (n + 8)
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, size, size, style="F")
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        c = 0
        while c < n:  # one rectangle per run of dark modules: smaller file, no hairline gaps
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                pdf.rect(x + (start + 4) * module, y + (r + 4) * module, (c - start) * module, module, style="F")
            else:
                c += 1


def write(view: CertificateView, payload: str, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render(view, payload))
    return path
