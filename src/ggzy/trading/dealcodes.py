"""Deal codes (交易编码) in the structure of the national data specification. Pure module.

The national specification for public resource trading data names three nested codes:

- ``PROJECT_CODE`` (项目编号), 17 characters: here ``"M"`` + the 6-digit region code (GB/T 2260)
  + the 2-digit year of registration + a category digit + a 7-digit sequence per region and year;
- ``TENDER_PROJECT_CODE`` (招标项目编号) = the project code + 3 digits (this platform registers one
  tender project per project: ``001``);
- ``BID_SECTION_CODE`` (标段（包）编号) = the tender project code + 3 digits (the lot number).

E.g. ``M1401002610000001`` / ``M1401002610000001001`` / ``M1401002610000001001002`` (lot 2).
The sequence is allocated in the database (``trading.models.DealCodeCounter``); this module only
builds, parses and validates codes, with Chinese messages and stable codes.
"""

from __future__ import annotations

from dataclasses import dataclass

from ggzy.core.errors import InvalidInput

PREFIX = "M"
PROJECT_LENGTH = 17
TENDER_LENGTH = PROJECT_LENGTH + 3
LOT_LENGTH = TENDER_LENGTH + 3
MAX_SEQUENCE = 9_999_999
MAX_LOT = 999

# category -> the digit in the code (engineering 1, procurement 2, land 3, mining 4, property 5, other 9)
CATEGORY_DIGITS: dict[str, str] = {
    "engineering": "1",
    "procurement": "2",
    "land": "3",
    "mining": "4",
    "property": "5",
    "other": "9",
}
DIGIT_CATEGORIES = {v: k for k, v in CATEGORY_DIGITS.items()}
KIND_LABELS = {"project": "项目编号", "tender": "招标项目编号", "lot": "标段（包）编号"}


@dataclass(frozen=True)
class DealCode:
    kind: str  # project | tender | lot
    region_code: str
    year: int  # four digits (2000 + the two in the code)
    category: str
    sequence: int
    tender_no: int | None = None
    lot_no: int | None = None

    @property
    def project_code(self) -> str:
        return project_code(self.region_code, self.year, self.category, self.sequence)

    @property
    def text(self) -> str:
        code = self.project_code
        if self.tender_no is not None:
            code = tender_code(code, self.tender_no)
        if self.lot_no is not None:
            code = lot_code(code, self.lot_no)
        return code


def _bad(code: str, message: str) -> InvalidInput:
    return InvalidInput(code, message, field="code")


def project_code(region_code: str, year: int, category: str, sequence: int) -> str:
    if len(region_code) != 6 or not region_code.isdigit():
        raise _bad("dealcode.region", f"行政区划代码“{region_code}”应为6位数字")
    if not 2000 <= year <= 2099:
        raise _bad("dealcode.year", f"年份{year}超出交易编码可表示的范围（2000–2099年）")
    if category not in CATEGORY_DIGITS:
        raise _bad("dealcode.category", f"未知的交易类别“{category}”")
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise _bad("dealcode.sequence", f"流水号应在1至{MAX_SEQUENCE}之间，而不是{sequence}")
    return f"{PREFIX}{region_code}{year % 100:02d}{CATEGORY_DIGITS[category]}{sequence:07d}"


def tender_code(project: str, number: int = 1) -> str:
    if not 1 <= number <= MAX_LOT:
        raise _bad("dealcode.tender_number", f"招标项目序号应在1至{MAX_LOT}之间")
    return f"{project}{number:03d}"


def lot_code(tender: str, number: int) -> str:
    if not 1 <= number <= MAX_LOT:
        raise _bad("dealcode.lot_number", f"标段（包）序号应在1至{MAX_LOT}之间，而不是{number}")
    return f"{tender}{number:03d}"


def parse(text: str) -> DealCode:
    """Parse a project, tender project or lot code; raise InvalidInput naming what is wrong."""
    code = (text or "").strip().upper()
    if len(code) not in (PROJECT_LENGTH, TENDER_LENGTH, LOT_LENGTH):
        raise _bad(
            "dealcode.length",
            f"交易编码“{text}”长度为{len(code)}位：项目编号应为{PROJECT_LENGTH}位，"
            f"招标项目编号{TENDER_LENGTH}位，标段（包）编号{LOT_LENGTH}位",
        )
    if code[0] != PREFIX:
        raise _bad("dealcode.prefix", f"交易编码应以字母“{PREFIX}”开头，而不是“{code[0]}”")
    if not code[1:].isdigit():
        raise _bad("dealcode.digits", "交易编码除首字母外应全部为数字")
    region = code[1:7]
    if region[:2] == "00":
        raise _bad("dealcode.region", f"交易编码中的行政区划代码“{region}”无效")
    digit = code[9]
    if digit not in DIGIT_CATEGORIES:
        raise _bad("dealcode.category", f"交易编码第10位的交易类别“{digit}”无效")
    sequence = int(code[10:17])
    if sequence == 0:
        raise _bad("dealcode.sequence", "交易编码中的流水号不能为0000000")
    tender_no = lot_no = None
    if len(code) >= TENDER_LENGTH:
        tender_no = int(code[17:20])
        if tender_no == 0:
            raise _bad("dealcode.tender_number", "招标项目序号不能为000")
    if len(code) == LOT_LENGTH:
        lot_no = int(code[20:23])
        if lot_no == 0:
            raise _bad("dealcode.lot_number", "标段（包）序号不能为000")
    kind = "lot" if lot_no is not None else "tender" if tender_no is not None else "project"
    return DealCode(kind, region, 2000 + int(code[7:9]), DIGIT_CATEGORIES[digit], sequence, tender_no, lot_no)


def is_valid(text: str) -> bool:
    try:
        parse(text)
    except InvalidInput:
        return False
    return True
