"""The transaction confirmation (成交确认书) of an auction as a PDF (pure: reportlab only, no Django).

The page's frame (font, heading, footer, the same bytes for the same content) is
``ggzy.core.pdfdoc``, shared with the notice of award.
"""

from __future__ import annotations

from dataclasses import dataclass

from ggzy.core.pdfdoc import FONT, finish, start, wrap


@dataclass(frozen=True)
class TransactionConfirmation:
    code: str
    title: str  # 标的名称
    kind: str  # 国有建设用地使用权 …
    mode: str  # 交易方式
    project_code: str
    lot_code: str
    attempt: int
    transferor: str
    winner: str
    winner_uscc: str
    number: str  # 竞买号
    starting_price: str
    price: str  # yuan, two places, with thousands separators
    premium_rate: str  # "12.50"
    quantity: str  # "" or "配建面积（平方米）：1200.00"
    deposit: str
    closed_at: str  # 2026年11月26日 10:31:05
    sign_due: str  # 2026年12月1日24时
    sign_basis: str
    on_default: str  # what happens if the winner does not sign in time
    verify_url: str
    key_fingerprint: str


def render(n: TransactionConfirmation) -> bytes:
    buf, c, y = start(title=f"成交确认书 {n.code}", heading="成交确认书", code=n.code)
    c.setFont(FONT, 12)
    rows = [
        ("标的名称", n.title),
        ("标的类别", n.kind),
        ("交易方式", f"{n.mode}（第{n.attempt}次挂牌）"),
        ("项目编号 / 标段编号", f"{n.project_code} / {n.lot_code}"),
        ("出让人（转让方）", n.transferor),
        ("竞得人（受让方）", f"{n.winner}（统一社会信用代码：{n.winner_uscc}）"),
        ("竞买号", n.number),
        ("起始价", f"人民币{n.starting_price}元"),
        ("成交价", f"人民币{n.price}元"),
        ("溢价率", f"{n.premium_rate}%"),
    ]
    if n.quantity:
        rows.append(("第二报价指标", n.quantity))
    rows += [("竞买保证金", f"人民币{n.deposit}元"), ("竞价结束时间", n.closed_at)]
    for label, value in rows:
        c.drawString(60, y, f"{label}：")
        lines = wrap(value, 26)
        for line in lines:
            c.drawString(200, y, line)
            y -= 20
    y -= 10
    body = (
        f"    经公开竞价，竞得人以人民币{n.price}元竞得上述标的，双方确认成交（《拍卖法》第五十二条）。"
        f"竞得人应于{n.sign_due}前签订本成交确认书（{n.sign_basis}）；签订后竞买保证金抵作成交价款，"
        f"并按交易文件约定签订出让（转让）合同、支付价款。逾期未签订的，竞买保证金不予退还，{n.on_default}。"
    )
    for line in wrap(body, 36):
        c.drawString(60, y, line)
        y -= 20
    y -= 20
    c.drawString(60, y, "出让人（转让方）：（签章）")
    c.drawString(320, y, "竞得人（受让方）：（签章）")
    y -= 40
    return finish(buf, c, y, noun="确认书", verify_url=n.verify_url, key_fingerprint=n.key_fingerprint)
