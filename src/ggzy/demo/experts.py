"""Demo experts: the specialty classification, a small pool across Shanxi, and one completed draw
(committed, drawn, confirmed, committee formed, evaluation ended, revealed and verifiable).
Idempotent: nothing is added when the pool already holds the demo experts."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

from ggzy.core.permissions import SYSTEM
from ggzy.experts import identity, selectors
from ggzy.experts import services as experts

SPECIALTIES_FILE = Path(__file__).resolve().parents[1] / "experts" / "data" / "expert-specialties.csv"
CITIES = ["140105", "140212", "140302", "140402", "140502", "140602", "140702", "140802", "140902", "141002"]
SPECIALTIES = ["A010101", "A010102", "A020101", "B010101", "C010101"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["建国", "志强", "秀英", "海燕", "文华", "国栋", "丽华", "晓明", "振华", "玉兰", "卫东", "红梅"]
EMPLOYER_REGION = "140100"


def _uscc(n: int) -> str:
    from ggzy.core import uscc

    return uscc.make("1", "2", EMPLOYER_REGION, f"{70000000 + n:08d}")  # 事业单位 (institutes, universities)


def load(added: Counter) -> None:
    from ggzy.experts.models import Expert, Specialty

    if not Specialty.objects.exists():
        report = experts.specialty_import(text=SPECIALTIES_FILE.read_text(encoding="utf-8"), actor=SYSTEM)
        added["specialties"] += report["added"]

    if Expert.objects.filter(source="import", review_reason="从交换文件导入").exists():
        return
    from ggzy.experts.selectors import specialty_names

    known = specialty_names(SPECIALTIES)
    lines = [json.dumps({"format": "ggzy-experts", "version": 1})]
    for i in range(60):
        spec = [s for s in SPECIALTIES if s in known]
        lines.append(
            json.dumps(
                {
                    "name": SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)],
                    "id_number": identity.make(
                        CITIES[i % len(CITIES)], dt.date(1965 + i % 25, 1 + i % 12, 1 + i % 28), i
                    ),
                    "phone": f"1390351{i:04d}",
                    "employer_uscc": _uscc(i % 15),
                    "employer_name": f"山西省第{i % 15 + 1}工程设计研究院",
                    "title": ["高级工程师", "正高级工程师", "教授"][i % 3],
                    "years": 8 + i % 25,
                    "region_code": CITIES[i % len(CITIES)],
                    "specialties": [spec[i % len(spec)], spec[(i + 2) % len(spec)]],
                    "status": "active",
                },
                ensure_ascii=False,
            )
        )
    added["experts"] += experts.expert_import(text="\n".join(lines), actor=SYSTEM)["added"]
    _completed_draw(added)


def _completed_draw(added: Counter) -> None:
    from ggzy.accounts import services as accounts
    from ggzy.trading.models import Lot

    lot = (
        Lot.objects.filter(project__category="engineering")
        .exclude(status__in=["draft", "terminated", "failed"])
        .order_by("id")
        .first()
    )
    if lot is None:
        return
    d = experts.draw_commit(
        lot=lot,
        region_rule="any",
        wanted=[
            {"code": "A010101", "count": 2, "reserves": 1},
            {"code": "A020101", "count": 1, "reserves": 1},
        ],
        actor=SYSTEM,
    )
    d = experts.draw_run(draw=d, actor=SYSTEM)
    from ggzy.crypto import sealing
    from ggzy.demo.accounts import PASSWORD

    for _ in range(5):  # the first drawn declines (the reserve moves up); the others accept
        result = sealing.unseal_json(d.sealed_result, context=selectors.result_context(d))
        pending = [
            c for ids in result["selected"].values() for c in ids if result["answers"].get(c) == "sent"
        ]
        if not pending:
            break
        for code in pending:
            e = selectors.expert_get(code)
            if e.user_id is None:
                user = accounts.user_create(
                    username=f"expert_{code.lower()}", display_name=e.name, role="expert", password=PASSWORD,
                    email=f"{code.lower()}@demo.ggzy.local", actor=SYSTEM,
                )  # fmt: skip
                e = experts.expert_account_link(expert=e, user=user, actor=SYSTEM)
            inv = selectors.invitations_for(e.user)[0]
            decline = not result["declined"] and code == pending[0]
            experts.invitation_answer(invitation_id=inv["id"], accept=not decline, actor=e.user)
        d.refresh_from_db()
    committee = experts.committee_form(draw=d, actor=SYSTEM)
    experts.committee_end(committee=committee, actor=SYSTEM)
    experts.draw_reveal(draw=d, actor=SYSTEM)
    added["expert_draws"] += 1
