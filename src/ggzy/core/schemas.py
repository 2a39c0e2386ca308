"""API schemas for core (the statutory calendar)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class DayOut(Schema):
    date: dt.date
    weekday: str = Field(description="星期几，如“星期六”")
    working: bool = Field(description="是否为工作日（含调休上班日）")
    kind: str = Field(description="workday | makeup_workday | holiday | rest_day")
    kind_label: str
    name: str = Field(description="所属节日（放假日或调休上班日），否则为空")
    provisional: bool = Field(description="该年放假安排尚未发布，按固定假日和周末暂定")
    provisional_note: str
    source: str


class SkippedDayOut(Schema):
    date: dt.date
    kind: str
    name: str


class PeriodOut(Schema):
    start: dt.date
    days: int
    kind: str = Field(description="calendar（日）| working（工作日）")
    direction: str = Field(description="forward（之后）| backward（之前）")
    raw_end: dt.date = Field(description="未按第二百零三条顺延前的日期")
    end: dt.date = Field(description="期间的最后一日（或最晚日期）")
    moved: bool
    skipped: list[SkippedDayOut]
    basis: str
    explanation: list[str]
    provisional: bool
    provisional_years: list[int]
    provisional_note: str = Field(description="如“（暂定：2027年放假安排尚未发布）”")
    text: str


class HolidayYearOut(Schema):
    id: int
    year: int
    holidays: dict[str, str]
    workdays: dict[str, str]
    source_title: str
    source_number: str
    loaded_at: dt.datetime
    loaded_by: str


class YearStatusOut(Schema):
    year: int
    source: str
    confirmed: bool
    provisional_note: str
    loaded: bool
    holidays: dict[str, str]
    workdays: dict[str, str]


class HolidayYearLoadIn(Schema):
    year: int
    text: str | None = Field(None, description="国务院办公厅关于X年部分节假日安排的通知全文")
    holidays: dict[str, str] | list[str] | None = Field(None, description="逐项填写：放假日期（YYYY-MM-DD）")
    workdays: dict[str, str] | list[str] | None = Field(None, description="逐项填写：调休上班日期")
    source_title: str = ""
    source_number: str = ""


class DeadlineChangeOut(Schema):
    id: int
    purpose: str
    owner: str
    old: dt.date
    new: dt.date
    was_provisional: bool
    provisional: bool


class HolidayYearLoadOut(Schema):
    holiday_year: HolidayYearOut
    replaced_id: int | None
    rechecked: int
    changes: list[DeadlineChangeOut]
