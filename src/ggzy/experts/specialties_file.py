"""Reading the specialty classification file (code,name,level,parent_code). Pure module.

The file in circulation holds two codes twice with different names (A040405, B011305). A code that
appears more than once is a conflict: neither row is taken and the report names both, so people
can settle it against the official text instead of the importer silently keeping one.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field


@dataclass
class Row:
    line: int
    code: str
    name: str
    level: int
    parent: str


@dataclass
class Parsed:
    rows: list[Row] = field(default_factory=list)  # the usable rows, parents before children
    duplicates: dict[str, list[Row]] = field(default_factory=dict)  # code -> every row with it
    problems: list[str] = field(default_factory=list)  # other bad rows, in Chinese

    def report_lines(self) -> list[str]:
        lines = []
        for code, rows in sorted(self.duplicates.items()):
            names = "；".join(f"第{r.line}行“{r.name}”" for r in rows)
            lines.append(
                f"专业代码{code}重复出现{len(rows)}次，名称不同：{names}。两行均未导入，请核对官方分类标准后更正。"
            )
        lines.extend(self.problems)
        return lines


def parse(text: str) -> Parsed:
    out = Parsed()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"code", "name", "level", "parent_code"} - set(reader.fieldnames or [])
    if missing:
        out.problems.append(f"文件缺少列：{'、'.join(sorted(missing))}")
        return out
    by_code: dict[str, list[Row]] = defaultdict(list)
    for n, raw in enumerate(reader, start=2):
        code = (raw["code"] or "").strip().upper()
        name = (raw["name"] or "").strip()
        parent = (raw["parent_code"] or "").strip().upper()
        try:
            level = int(raw["level"])
        except (TypeError, ValueError):
            out.problems.append(f"第{n}行：级别“{raw['level']}”不是1、2或3")
            continue
        if not code or not name or level not in (1, 2, 3) or len(code) != 1 + 2 * level:
            out.problems.append(f"第{n}行：代码“{code}”、名称“{name}”或级别{level}不符合三级分类的格式")
            continue
        if (level == 1 and parent) or (level > 1 and parent != code[:-2]):
            out.problems.append(
                f"第{n}行：专业{code}的上级代码应为“{code[:-2] if level > 1 else ''}”，现为“{parent}”"
            )
            continue
        by_code[code].append(Row(n, code, name, level, parent))
    usable = {}
    for code, rows in by_code.items():
        if len(rows) > 1:
            out.duplicates[code] = rows
        else:
            usable[code] = rows[0]
    for row in sorted(usable.values(), key=lambda r: (r.level, r.code)):
        if row.parent and row.parent not in usable:
            out.problems.append(f"第{row.line}行：专业{row.code}的上级专业{row.parent}不存在或未导入")
            continue
        out.rows.append(row)
    # children of a skipped parent are skipped too
    kept = {r.code for r in out.rows}
    final = []
    for r in out.rows:
        if r.parent and r.parent not in kept:
            out.problems.append(f"第{r.line}行：专业{r.code}的上级专业{r.parent}未导入")
            kept.discard(r.code)
            continue
        final.append(r)
    out.rows = final
    return out
