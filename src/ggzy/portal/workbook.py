"""The statistics as an Excel workbook (openpyxl): one sheet per grouping, the same figures as the
statistics page."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from ggzy.portal.statistics import Row

COLUMNS = [
    "项目数",
    "标段（包）数",
    "估算金额（元）",
    "已公布结果的标段（包）数",
    "成交金额（元）",
    "节资率",
    "溢价率",
    "平均有效投标（竞买）人数",
]
SHEETS = {"category": "按交易类别", "city": "按地区", "month": "按月份"}
GROUP = {"category": "交易类别", "city": "地区", "month": "月份"}


def row_values(row: Row) -> list:
    return [
        row.projects,
        row.lots,
        row.estimate,
        row.concluded,
        row.value,
        row.savings_rate,
        row.premium_rate,
        row.bidders_per_lot,
    ]


def statistics_workbook(tables: dict[str, list[Row]], title: str) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for key, sheet_name in SHEETS.items():
        sheet = book.create_sheet(sheet_name)
        sheet.append([title])
        sheet["A1"].font = Font(bold=True)
        sheet.append([GROUP[key], *COLUMNS])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in tables[key]:
            sheet.append([row.label, *row_values(row)])
        for line in sheet.iter_rows(min_row=3):
            for cell in line[3:4] + line[5:6]:
                cell.number_format = "#,##0.00"
            for cell in line[6:8]:
                cell.number_format = "0.00%"
        sheet.column_dimensions["A"].width = 18
        for letter in "BCDEFGHI":
            sheet.column_dimensions[letter].width = 16
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
