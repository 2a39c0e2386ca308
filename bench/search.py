"""Benchmark (issue 7): Chinese full-text search over generated notices, against a LIKE scan.

Setup (outside the timing): N generated notices (default 1,000,000) over 20,000 projects, with
titles and bodies made of Shanxi place names, project types and the stock phrases of tender
notices, inserted in bulk with their search documents. Segmenting 10^6 real texts with jieba takes
~15 minutes on this machine, so the generator segments each phrase once and a notice's tokens are
its phrases' tokens (a notice's bigrams across phrase boundaries are not indexed; everything inside
a phrase is, exactly as ``portal.segment`` makes it).

Measured, 20 queries (two-character words, place names inside longer words, several terms):

- **search**: ``portal.selectors.notice_search(q)`` as the search page calls it: the match count
  (up to 1,000: "1,000+"), the first page of the 20 best of the newest 1,000 matches, their notices,
  highlighted titles and snippets;
- **LIKE**: the same count and first page (newest first) by ``title LIKE '%q%' OR body LIKE '%q%'``
  on the notices table (each term must match) — what a site without an index does.

Search: every query 5 times (after one warm-up); LIKE: once per query (a full scan each).
Prints p50/p95 of both and the ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import backends, run_child, scratch, setup_django

QUERIES = [
    "道路",
    "采购",
    "太原",
    "呼和浩特",
    "污水处理",
    "学校 食堂",
    "迎泽区",
    "桥梁 维修",
    "建设用地 出让",
    "办公设备",
    "小店",
    "晋中 改造",
    "医院",
    "供水管网",
    "大同 采购",
    "绿化",
    "信息化",
    "采矿权 挂牌",
    "国有产权",
    "设计 监理",
]
PLACES_EXTRA = ["呼和浩特市", "石家庄市", "郑州市", "西安市"]
WORKS = [
    "道路改造工程",
    "学校食堂改造工程",
    "办公设备采购项目",
    "污水处理厂提标改造工程",
    "桥梁维修加固工程",
    "国有建设用地使用权挂牌出让",
    "采矿权挂牌出让",
    "医院医疗设备采购项目",
    "城区供水管网改造工程",
    "园林绿化养护服务项目",
    "政务信息化平台建设项目",
    "国有产权转让项目",
    "工程设计及监理服务",
    "农村饮水安全工程",
    "保障性住房建设工程",
]
PHRASES = [
    "本招标项目已由有关部门批准建设，项目业主为{owner}，建设资金来自财政资金，招标人为{owner}。",
    "项目已具备招标条件，现对该项目进行公开招标，欢迎符合条件的潜在投标人参加投标。",
    "投标人须具备独立法人资格，具有相应资质，近三年内无重大违法记录。",
    "本次招标不接受联合体投标，投标人须在平台注册后下载招标文件。",
    "投标文件递交截止时间及开标时间详见交易平台，逾期送达的投标文件将被拒收。",
    "材料自{far}运至施工现场，运输费用由投标人自行考虑。",
    "本公告同时在中国招标投标公共服务平台和山西省公共资源交易平台发布。",
    "对本次招标提出询问或异议的，请按照招标文件规定的方式联系招标人。",
]


def _generate(n_notices: int, seed: int = 7):
    """Yield (title, body, title_tokens, body_tokens, region_code, category) for n notices."""
    from ggzy.core.models import Region
    from ggzy.portal import segment

    rng = random.Random(seed)
    counties = list(
        Region.objects.filter(parent__isnull=False, parent__parent__isnull=False).values_list("code", "name")
    )
    cities = dict(
        Region.objects.filter(parent__isnull=False, parent__parent__isnull=True).values_list("code", "name")
    )
    cache: dict[str, str] = {}

    def tokens(text: str) -> str:
        found = cache.get(text)
        if found is None:
            found = cache[text] = segment.index_text(text)
        return found

    for i in range(n_notices):
        code, county = rng.choice(counties)
        city = cities.get(code[:4] + "00", "")
        work = rng.choice(WORKS)
        title = f"{city}{county}{work}招标公告"
        owner = f"{county}人民政府"
        phrases = [p.format(owner=owner, far=rng.choice(PLACES_EXTRA)) for p in rng.sample(PHRASES, 5)]
        body = "".join(phrases)
        title_tokens = " ".join([tokens(city), tokens(county), tokens(work), tokens("招标公告")])
        body_tokens = " ".join(tokens(p) for p in phrases)
        category = "procurement" if "采购" in work else ("land" if "出让" in work else "engineering")
        yield i, title, body, title_tokens, body_tokens, code, category


def _setup(n_notices: int) -> None:
    from django.db import connection, transaction

    from ggzy.accounts.models import ServiceCenter
    from ggzy.core import bulk, clock
    from ggzy.core.models import Region
    from ggzy.portal import fulltext
    from ggzy.portal.models import NoticeDocument
    from ggzy.trading.models import Notice, Project

    now = clock.now()
    center, _ = ServiceCenter.objects.get_or_create(
        region=Region.objects.get(code="140100"), defaults={"name": "太原市公共资源交易中心", "level": "city"}
    )
    n_projects = 20_000
    with transaction.atomic():
        projects = Project.objects.bulk_create(
            (
                Project(
                    code=f"M140105261{i + 1:07d}",
                    tender_code=f"M140105261{i + 1:07d}001",
                    name=f"测试项目{i + 1}",
                    category="engineering",
                    ruleset_code="engineering.open_tendering",
                    ruleset_version=1,
                    ruleset_name="工程建设项目公开招标",
                    region_code="140105",
                    tenderer_uscc="91140100MA0000000X",
                    tenderer_name="太原市测试建设投资有限公司",
                    service_center=center,
                    estimate="5000000.00",
                    item_kind="works",
                    status="trading",
                    registered_at=now - dt.timedelta(days=400),
                    registered_by_label="bench",
                )
                for i in range(n_projects)
            ),
            batch_size=2000,
        )
    project_ids = [p.pk for p in projects]
    if connection.vendor == "postgresql":  # bulk load first, then build the GIN index once
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS portal_notice_search_gin")
    notice_fields = ("project", "kind", "number", "title", "data", "free_text", "body_html", "published_at")
    notice_fields += ("published_by_label", "fairness_findings", "fairness_overrides")
    doc_fields = ("notice", "kind", "category", "procedure", "region_code", "published_at")
    doc_fields += ("title_tokens", "body_tokens")
    start = now - dt.timedelta(days=365)
    step = dt.timedelta(days=365) / max(n_notices, 1)
    chunk: list[tuple] = []

    def flush() -> None:
        with transaction.atomic():
            first = (Notice.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
            bulk.insert(Notice, notice_fields, [row[0] for row in chunk])
            ids = list(
                Notice.objects.filter(id__gte=first).order_by("id").values_list("id", flat=True)[: len(chunk)]
            )
            docs = [(pk, *row[1]) for pk, row in zip(ids, chunk, strict=True)]
            bulk.insert(NoticeDocument, doc_fields, docs)
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.executemany(
                        f"INSERT INTO {fulltext.FTS_TABLE} (rowid, title_tokens, body_tokens) VALUES (%s, %s, %s)",
                        [(d[0], d[6], d[7]) for d in docs],
                    )
        chunk.clear()

    for i, title, body, title_tokens, body_tokens, region, category in _generate(n_notices):
        at = start + step * i
        chunk.append(
            (
                (
                    project_ids[i % n_projects],
                    "tender",
                    f"GG{i + 1:09d}",
                    title,
                    {},
                    "",
                    f"<p>{body}</p>",
                    at,
                    "bench",
                    [],
                    [],
                ),
                ("tender", category, "engineering.open_tendering", region, at, title_tokens, body_tokens),
            )
        )
        if len(chunk) == 20_000:
            flush()
    if chunk:
        flush()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(fulltext.PG_CREATE[1])
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {fulltext.FTS_TABLE}({fulltext.FTS_TABLE}) VALUES ('optimize')")
            cursor.execute("ANALYZE")


def _like(query: str) -> tuple[int, list[int]]:
    from django.db.models import Q

    from ggzy.trading.models import Notice

    qs = Notice.objects.all()
    for term in query.split():
        qs = qs.filter(Q(title__contains=term) | Q(body_html__contains=term))
    return qs.count(), list(qs.order_by("-published_at", "-id").values_list("id", flat=True)[:20])


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def child(n_notices: int, reps: int) -> dict:
    setup_django()
    from django.db import connection

    from ggzy.portal import selectors

    started = time.perf_counter()
    _setup(n_notices)
    setup_s = time.perf_counter() - started

    search_ms: list[float] = []
    like_ms: list[float] = []
    hits: dict[str, tuple[int, int]] = {}
    for query in QUERIES:
        selectors.notice_search(query)  # warm-up
        for _ in range(reps):
            t = time.perf_counter()
            result = selectors.notice_search(query)
            search_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        like_total, _ = _like(query)
        like_ms.append((time.perf_counter() - t) * 1000)
        hits[query] = (result.total, like_total, result.capped)
    # recall check: the index finds at least what the substring scan finds inside titles and bodies
    # (it finds more where the scan cannot: 学校 食堂 as two words, for instance); a capped count
    # ("more than 1,000") is checked against the cap
    missed = {q: h for q, h in hits.items() if (h[0] < h[1] and not h[2]) or (h[2] and h[1] <= h[0])}
    return {
        "backend": connection.vendor,
        "notices": n_notices,
        "setup_s": round(setup_s, 1),
        "search_p50_ms": round(statistics.median(search_ms), 1),
        "search_p95_ms": round(_pct(search_ms, 0.95), 1),
        "like_p50_ms": round(statistics.median(like_ms), 1),
        "like_p95_ms": round(_pct(like_ms, 0.95), 1),
        "speedup_p50": round(statistics.median(like_ms) / statistics.median(search_ms), 1),
        "hits": hits,
        "missed": missed,
    }


def main() -> list[dict]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--notices", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.notices, args.reps), ensure_ascii=False))
        return []
    results = []
    for backend in backends():
        with scratch(backend) as env:
            r = run_child(
                __file__, env, "--notices", str(args.notices), "--reps", str(args.reps), timeout=7200
            )
        results.append(r)
        print(
            f"[search] {r['backend']}: {r['notices']:,} notices (setup {r['setup_s']} s); "
            f"search p50 {r['search_p50_ms']} ms, p95 {r['search_p95_ms']} ms; "
            f"LIKE scan p50 {r['like_p50_ms']} ms, p95 {r['like_p95_ms']} ms -> search {r['speedup_p50']}x faster "
            f"at p50; queries where the index found fewer than the scan: {r['missed'] or 'none'}"
        )
        print(
            "  hits (search, LIKE): "
            + ", ".join(f"{q} {h[0]}{'+' if h[2] else ''}/{h[1]}" for q, h in r["hits"].items())
        )
    return results


if __name__ == "__main__":
    main()
