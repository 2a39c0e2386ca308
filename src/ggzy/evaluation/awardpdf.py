"""The notice of award (中标通知书) as a PDF (pure: reportlab only, no Django).

The page's frame (font, heading, footer, the same bytes for the same content) is
``ggzy.core.pdfdoc``, shared with the auctions' transaction confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass

from ggzy.core.pdfdoc import FONT, finish, start, wrap


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


def render(n: NoticeOfAward) -> bytes:
    buf, c, y = start(title=f"中标通知书 {n.code}", heading="中标（成交）通知书", code=n.code)
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
    for line in wrap(body, 34):
        c.drawString(60, y, line)
        y -= 22
    y -= 20
    c.drawString(60, y, f"招标人（采购人）：{n.tenderer}")
    y -= 22
    c.drawString(60, y, f"发出日期：{n.awarded_on}")
    y -= 40
    return finish(buf, c, y, noun="通知书", verify_url=n.verify_url, key_fingerprint=n.key_fingerprint)
