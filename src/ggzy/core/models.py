"""Master data every app shares: administrative regions (GB/T 2260)."""

from __future__ import annotations

from django.db import models

from ggzy.core import calendar
from ggzy.core.choices import RegionLevel


class Region(models.Model):
    """An administrative division of the province this platform serves (from regions-shanxi.csv).

    Entities from other provinces are not limited to these: their region codes are checked by the
    USCC rules only (seed 三(七): no barriers against outside entities).
    """

    code = models.CharField("行政区划代码", max_length=6, primary_key=True)
    name = models.CharField("名称", max_length=50)
    level = models.CharField("级别", max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "行政区划"

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def full_name(self) -> str:
        names = []
        node: Region | None = self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))


class HolidayYear(models.Model):
    """A year's holiday schedule loaded by staff from the State Council's notice (国务院办公厅关于X年
    部分节假日安排的通知). It takes precedence over chinese_calendar's data for its year. A reload
    supersedes the current row (kept, ``current=False``); nothing is deleted."""

    year = models.PositiveSmallIntegerField("年份", db_index=True)
    holidays = models.JSONField("放假日期", default=dict)  # {"2027-01-01": "元旦", ...}
    workdays = models.JSONField("调休上班日期", default=dict)  # {"2027-02-07": "春节", ...}
    source_title = models.CharField("依据通知", max_length=200)
    source_number = models.CharField("文号", max_length=50, blank=True)
    source_text = models.TextField("通知原文", blank=True)
    loaded_at = models.DateTimeField("导入时间")
    loaded_by = models.CharField("导入人", max_length=200)
    current = models.BooleanField("现行", default=True)
    superseded_at = models.DateTimeField("被替代时间", null=True, blank=True)

    class Meta:
        ordering = ["-year", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["year"], condition=models.Q(current=True), name="holiday_year_one_current"
            )
        ]
        verbose_name = verbose_name_plural = "年度节假日安排"

    def __str__(self) -> str:
        return f"{self.year}年节假日安排"

    @property
    def source_label(self) -> str:
        return f"{self.source_title}（{self.source_number}）" if self.source_number else self.source_title


class PeriodKind(models.TextChoices):
    CALENDAR = "calendar", "日"
    WORKING = "working", "工作日"


class PeriodDirection(models.TextChoices):
    FORWARD = "forward", "之后"
    BACKWARD = "backward", "之前"


class CalendarDeadline(models.Model):
    """A statutory date computed by the calendar and kept so it can be re-checked when a year's
    schedule is loaded. ``owner_type``/``owner_id`` let any app attach it (e.g. "trading.lot", "42")."""

    purpose = models.CharField("用途", max_length=200)
    owner_type = models.CharField("所属对象类型", max_length=50, blank=True)
    owner_id = models.CharField("所属对象标识", max_length=100, blank=True)
    start = models.DateField("起算日")
    days = models.PositiveIntegerField("天数")
    kind = models.CharField("单位", max_length=10, choices=PeriodKind.choices)
    direction = models.CharField("方向", max_length=10, choices=PeriodDirection.choices)
    raw_date = models.DateField("未顺延日期")
    result = models.DateField("期限日期")
    provisional = models.BooleanField("暂定", default=False, db_index=True)
    provisional_years = models.JSONField("暂定年份", default=list)
    first_year = models.PositiveSmallIntegerField("依赖的起始年份")
    last_year = models.PositiveSmallIntegerField("依赖的终止年份")
    explanation = models.TextField("计算说明", blank=True)
    computed_at = models.DateTimeField("计算时间")
    recomputed_count = models.PositiveIntegerField("重新核对次数", default=0)

    class Meta:
        ordering = ["result", "id"]
        indexes = [
            models.Index(fields=["owner_type", "owner_id"], name="deadline_owner_idx"),
            models.Index(fields=["first_year", "last_year"], name="deadline_years_idx"),
        ]
        verbose_name = verbose_name_plural = "法定期限"

    def __str__(self) -> str:
        return f"{self.purpose}：{self.result}"

    @property
    def provisional_note(self) -> str:
        return calendar.provisional_note(self.provisional_years)
