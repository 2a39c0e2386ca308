"""Reading a bulk-import file into rows of text. Pure module (no Django).

CSV in UTF-8 (with or without a byte-order mark) or GB18030 (what Excel on a Chinese Windows
saves), and Excel .xlsx. Rows are numbered as a spreadsheet shows them (the header is row 1), so
the error report points at the line the user sees.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from ggzy.core import uscc
from ggzy.entities.validation import FIELD_LABELS

# The header row: Chinese column titles -> field names (docs/entities.md documents the format).
COLUMNS: dict[str, str] = {label: name for name, label in FIELD_LABELS.items()}
MAX_ROWS = 10_000
EXAMPLE_USCC = uscc.make("9", "1", "140105", "MA0L3X7K")
MAX_BYTES = 20 * 1024 * 1024


class TableError(Exception):
    """The file as a whole cannot be read; ``code`` is stable, ``message`` is Chinese."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as shown, cells), blank rows left out


def decode_csv(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise TableError(
            "import.encoding", "无法识别文件编码，请将CSV文件另存为UTF-8或GB18030（GBK）编码"
        ) from exc


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps long digit strings typed as numbers as floats
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _read_csv(data: bytes) -> list[list[str]]:
    text = decode_csv(data)
    try:
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise TableError("import.csv_invalid", f"CSV文件格式错误：{exc}") from exc


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook  # imported here: only the import path needs it

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TableError("import.xlsx_invalid", "无法读取Excel文件，请确认是.xlsx格式且未损坏") from exc
    try:
        sheet = book.worksheets[0]
        return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def read_table(data: bytes, filename: str) -> Table:
    name = (filename or "").lower()
    if not data:
        raise TableError("import.empty", "上传的文件是空的")
    if len(data) > MAX_BYTES:
        raise TableError("import.too_large", f"文件不能超过{MAX_BYTES // (1024 * 1024)}MB")
    if name.endswith(".xls"):
        raise TableError("import.format", "不支持旧版Excel（.xls）文件，请另存为.xlsx或CSV后上传")
    if name.endswith(".xlsx") or data[:2] == b"PK":
        raw = _read_xlsx(data)
    elif name.endswith((".csv", ".txt")):
        raw = _read_csv(data)
    else:
        raise TableError("import.format", "只能导入CSV（.csv）或Excel（.xlsx）文件")
    numbered = [(i + 1, row) for i, row in enumerate(raw)]
    numbered = [(n, row) for n, row in numbered if any(c for c in row)]
    if not numbered:
        raise TableError("import.empty", "文件中没有内容")
    (_, header), *rows = numbered
    # trailing empty header cells (a spreadsheet's formatting) are not columns
    while header and not header[-1]:
        header = header[:-1]
    if not rows:
        raise TableError("import.no_rows", "文件只有表头，没有要导入的数据行")
    if len(rows) > MAX_ROWS:
        raise TableError("import.too_many_rows", f"一次最多导入{MAX_ROWS}行，请分批导入")
    return Table(header=[h.strip() for h in header], rows=rows)


def template_csv() -> bytes:
    """The import template: the header row and one example row, UTF-8 with a BOM (opens in Excel)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(list(COLUMNS))
    writer.writerow(
        [
            EXAMPLE_USCC,
            "山西示例建设工程有限公司",
            "张三",
            "山西省太原市小店区示例路1号",
            "140105",
            "李四",
            "0351-1234567",
            "contact@example.cn",
            "投标人、供应商",
            "中国工商银行太原分行",
            "山西示例建设工程有限公司",
            "0502123456789012345",
        ]
    )
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")
