"""The frame of a PDF the platform signs (pure: reportlab only, no Django): the Chinese font, the
heading with the document's number, line wrapping and the footer telling how to verify it.

reportlab's built-in CID font STSong-Light draws Chinese with no font file
(/work/shared/STACK-NOTES.md), and ``invariant=1`` makes the bytes a function of the content
alone, so the same document always gives the same file, digest and signature check. Used by the
notice of award (``evaluation/awardpdf.py``) and the transaction confirmation
(``auctions/confirmpdf.py``).
"""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def wrap(text: str, width: int) -> list[str]:
    """Chinese text in lines of ``width`` characters (no word breaks to respect)."""
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]


def start(*, title: str, heading: str, code: str) -> tuple[io.BytesIO, canvas.Canvas, float]:
    """A new A4 page with the heading and ``编号：code``; returns the buffer, the canvas and the
    height where the body starts."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setTitle(title)
    c.setAuthor("公共资源交易平台")
    w, h = A4
    c.setFont(FONT, 22)
    c.drawCentredString(w / 2, h - 90, heading)
    c.setFont(FONT, 11)
    c.drawRightString(w - 60, h - 120, f"编号：{code}")
    return buf, c, h - 160


def finish(
    buf: io.BytesIO, c: canvas.Canvas, y: float, *, noun: str, verify_url: str, key_fingerprint: str
) -> bytes:
    """The footer (signed by the platform, where to verify, the key's fingerprint) and the bytes."""
    c.setFont(FONT, 10)
    c.drawString(60, y, f"本{noun}由公共资源交易平台以SM2数字签名（SM3摘要）签发，可在以下地址验证：")
    y -= 16
    c.drawString(60, y, verify_url)
    y -= 16
    c.drawString(60, y, f"平台签名公钥指纹：{key_fingerprint}")
    c.showPage()
    c.save()
    return buf.getvalue()
