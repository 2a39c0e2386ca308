"""The notice of award (中标通知书) as a PDF (pure: reportlab only, no Django).

Chinese text is drawn with reportlab's built-in CID font STSong-Light (no font file needed,
/work/shared/STACK-NOTES.md). ``invariant=1`` makes the bytes a function of the content alone, so
the same award always gives the same file, digest and signature check.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


@dataclass(frozen=True)
class NoticeOfAward:
    code: str
    project_name: str
    project_code: str
    lot_name: str
    lot_code: str
    tenderer: str
    winner: str
    winner_uscc: str
    price: str  # yuan, two places
    awarded_on: str  # 2026年11月26日
    contract_due_on: str
    contract_basis: str  # 《招标投标法》第四十六条
    verify_url: str
    key_fingerprint: str


def _wrap(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]


def render(n: NoticeOfAward) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setTitle(f"中标通知书 {n.code}")
    c.setAuthor("公共资源交易平台")
    w, h = A4
    c.setFont(FONT, 22)
    c.drawCentredString(w / 2, h - 90, "中标（成交）通知书")
    c.setFont(FONT, 11)
    c.drawRightString(w - 60, h - 120, f"编号：{n.code}")
    y = h - 160
    c.setFont(FONT, 13)
    c.drawString(60, y, f"{n.winner}（统一社会信用代码：{n.winner_uscc}）：")
    y -= 30
    body = (
        f"    你单位参加的“{n.project_name}”（项目编号{n.project_code}）“{n.lot_name}”"
        f"（标段（包）编号{n.lot_code}）的投标（响应），经评标委员会评审并依法公示，"
        f"确定你单位为中标（成交）人，中标（成交）金额为人民币{n.price}元。"
        f"请你单位于{n.contract_due_on}前（{n.contract_basis}：自中标通知书发出之日起三十日内）"
        f"与招标人（采购人）{n.tenderer}按照招标（采购）文件和你单位的投标（响应）文件订立书面合同。"
    )
    for line in _wrap(body, 34):
        c.drawString(60, y, line)
        y -= 22
    y -= 20
    c.drawString(60, y, f"招标人（采购人）：{n.tenderer}")
    y -= 22
    c.drawString(60, y, f"发出日期：{n.awarded_on}")
    y -= 40
    c.setFont(FONT, 10)
    c.drawString(60, y, "本通知书由公共资源交易平台以SM2数字签名（SM3摘要）签发，可在以下地址验证：")
    y -= 16
    c.drawString(60, y, n.verify_url)
    y -= 16
    c.drawString(60, y, f"平台签名公钥指纹：{n.key_fingerprint}")
    c.showPage()
    c.save()
    return buf.getvalue()
