"""Warnings (预警): raised automatically by the platform, handled by a supervisory department."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ggzy.core.choices import Category


class WarningKind(models.TextChoices):
    SPLITTING = "splitting", "疑似化整为零规避招标"
    OTHER = "other", "其他"


class WarningLevel(models.TextChoices):
    NOTICE = "notice", "提示"
    WARNING = "warning", "预警"
    SERIOUS = "serious", "严重"


class Warning(models.Model):  # the glossary's name (预警), shadows the builtin here only
    kind = models.CharField("预警类型", max_length=30, choices=WarningKind.choices)
    level = models.CharField(
        "级别", max_length=10, choices=WarningLevel.choices, default=WarningLevel.WARNING
    )
    region_code = models.CharField("行政区划代码", max_length=6, db_index=True)
    category = models.CharField("交易类别", max_length=20, choices=Category.choices)
    project_ref = models.CharField("项目编号", max_length=20, blank=True, db_index=True)
    lot_ref = models.CharField("标段（包）编号", max_length=23, blank=True)
    entity_uscc = models.CharField("相关市场主体", max_length=18, blank=True, db_index=True)
    message_zh = models.TextField("预警内容")
    details = models.JSONField("详细信息", default=dict, blank=True)
    raised_at = models.DateTimeField("预警时间")
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_warnings",
    )
    handled_by_label = models.CharField("处理人", max_length=200, blank=True)
    handling_note = models.TextField("处理意见", blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = verbose_name_plural = "预警"
        constraints = [
            models.CheckConstraint(
                name="warning_handled_has_note",
                condition=Q(handled_at__isnull=True) | ~Q(handling_note=""),
            )
        ]
        indexes = [models.Index(fields=["handled_at", "category"], name="warning_open_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.message_zh[:30]}"

    @property
    def is_open(self) -> bool:
        return self.handled_at is None
