"""Benchmark: statutory timeline computations per second, and the fair-competition check's throughput.

Run: .venv/bin/python bench/timeline.py [--seconds S]

Pure modules, no database. In the same process, interleaved in rounds (best round of each kept):
  - timeline: ``timeline.compute`` of a typical engineering open tender (10 events, 8 periods, two
    anchors), start dates spread over 2026-2027 (provisional 2027 included);
  - baseline: the bare ``calendar.add`` calls that timeline needs (its 5 day-counted periods from
    the same start dates), i.e. the statutory arithmetic without the graph, bounds and results;
  - check: ``timeline.check`` of the computed times (what a notice's publication runs);
  - fairness: ``fairness.check`` over a realistic 30,000-character tender document (characters/s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time

from ggzy.core import calendar as cal
from ggzy.core import holidays
from ggzy.rules.schema import Citation, Period, RuleSet, Stage
from ggzy.trading import fairness
from ggzy.trading import timeline as tl

ROUNDS = 5
LAW, REG = "招标投标法", "招标投标法实施条例"

RULESET = RuleSet(
    code="engineering.open_tendering", category="engineering", procedure="open_tendering",
    name="工程建设项目公开招标", version=1, effective_from=dt.date(2020, 1, 1), mechanism="sealed_bids",
    stages=tuple(Stage(c, c, e) for c, e in (
        ("notice", "notice_published"), ("bidding", "documents_issued"), ("opening", "bid_deadline"),
        ("evaluation", "opening"), ("evaluated", "evaluation_done"), ("publicity", "publicity_start"),
        ("awarded", "award_notice"), ("contracted", "contract_signed"))),
    periods=(
        Period("documents_after_notice", "", "notice_published", "documents_issued", 0, "calendar", "min", Citation(REG, "第十六条")),
        Period("documents_sale", "", "documents_issued", "documents_end", 5, "calendar", "min", Citation(REG, "第十六条")),
        Period("bid_preparation", "", "documents_issued", "bid_deadline", 20, "calendar", "min", Citation(LAW, "第二十四条")),
        Period("opening_at_deadline", "", "bid_deadline", "opening", 0, "calendar", "exact", Citation(LAW, "第三十四条")),
        Period("publicity_after_report", "", "evaluation_done", "publicity_start", 3, "calendar", "max", Citation(REG, "第五十四条")),
        Period("publicity", "", "publicity_start", "publicity_end", 3, "calendar", "min", Citation(REG, "第五十四条")),
        Period("award_after_publicity", "", "publicity_end", "award_notice", 0, "calendar", "min", Citation(REG, "第五十四条")),
        Period("contract", "", "award_notice", "contract_signed", 30, "calendar", "max", Citation(LAW, "第四十六条")),
    ),
    min_bidders=3,
)  # fmt: skip

CLEAN = (
    "投标人须具有独立法人资格，持有有效的营业执照，具备建筑工程施工总承包二级及以上资质，并具有有效的安全生产许可证。",
    "拟派项目经理须具备建筑工程专业一级注册建造师执业资格，具备有效的安全生产考核合格证书，且未担任其他在建工程项目的项目经理。",
    "投标人近三年具有类似工程业绩（以中标通知书和合同为准），财务状况良好，没有处于被责令停业、财产被接管或冻结的状态。",
    "投标保证金可以银行保函、保险保单或者担保保函形式提交，金额为人民币10万元，有效期与投标有效期一致。",
    "招标文件获取时间为2026年9月25日至2026年9月30日，投标人应在山西省公共资源交易平台注册并办理CA数字证书后下载。",
    "评标办法采用综合评估法：技术标40分，商务标60分；投标报价以经评审的最低价为基准价。",
    "本工程质量标准为合格，计划工期365日历天，质量保修期按国家有关规定执行。",
)
FLAGGED = (
    "投标人须在本市设立分公司。",
    "在本市完成过同类项目业绩的，每项加2分。",
    "空调品牌为格力。",
)


def document(chars: int = 30_000) -> str:
    parts, i, n = [], 0, 0
    while n < chars:
        section = f"第{i + 1}条 " + CLEAN[i % len(CLEAN)] + ("" if i % 40 else FLAGGED[(i // 40) % 3]) + "\n"
        parts.append(section)
        n += len(section)
        i += 1
    return "".join(parts)[:chars]


def run(seconds: float) -> dict:
    table = holidays.default_table()
    china = tl.CHINA
    starts = [dt.datetime(2026, 1, 5, 9, tzinfo=china) + dt.timedelta(days=d) for d in range(0, 700, 7)]
    anchors = [{"notice_published": s, "evaluation_done": s + dt.timedelta(days=35)} for s in starts]
    day_periods = [p for p in RULESET.periods if p.days]
    computed = [tl.compute(RULESET, a, table).times_by_event() for a in anchors]
    assert all(len(c) == 10 for c in computed) and all(tl.check(RULESET, c, table) == [] for c in computed)

    def timeline_once(i: int) -> None:
        tl.compute(RULESET, anchors[i % len(anchors)], table)

    def baseline_once(i: int) -> None:  # the calendar additions a timeline needs, nothing else
        s = starts[i % len(starts)].date()
        for p in day_periods:
            cal.add(s, p.days, table, kind=p.kind)

    def check_once(i: int) -> None:
        tl.check(RULESET, computed[i % len(computed)], table)

    text = document()
    found = fairness.check(text, category="engineering")

    def fairness_once(i: int) -> None:
        fairness.check(text, category="engineering")

    modes = {
        "timeline": timeline_once,
        "baseline": baseline_once,
        "check": check_once,
        "fairness": fairness_once,
    }
    best = dict.fromkeys(modes, 0.0)
    budget = seconds / ROUNDS / len(modes)
    for r in range(ROUNDS):
        order = list(modes) if r % 2 == 0 else list(reversed(modes))
        for name in order:
            fn, n, started = modes[name], 0, time.perf_counter()
            while time.perf_counter() - started < budget:
                fn(n)
                n += 1
            best[name] = max(best[name], n / (time.perf_counter() - started))
    return {
        "timelines_per_s": round(best["timeline"]),
        "baseline_per_s": round(best["baseline"]),
        "ratio": round(best["baseline"] / best["timeline"], 2),
        "checks_per_s": round(best["check"]),
        "fairness_chars_per_s": round(best["fairness"] * len(text)),
        "fairness_doc_chars": len(text),
        "fairness_findings": len(found),
        "fairness_ms_per_doc": round(1000 / best["fairness"], 1),
    }


def main() -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    r = run(args.seconds)
    print(
        f"[timeline] {r['timelines_per_s']:,} timelines/s (10 events) vs the bare calendar additions "
        f"{r['baseline_per_s']:,}/s: a timeline costs {r['ratio']}x its calendar arithmetic; "
        f"check {r['checks_per_s']:,}/s"
    )
    print(
        f"[fairness] {r['fairness_chars_per_s']:,} characters/s over a {r['fairness_doc_chars']:,}-character "
        f"tender document ({r['fairness_ms_per_doc']} ms per document, {r['fairness_findings']} findings)"
    )
    print(json.dumps(r))
    return r


if __name__ == "__main__":
    main()
