"""The venue catalog (目录化管理, seed 三(三)): venues run by service centers and by social parties
that meet the standard, their rooms, inspections and bookings."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q


class OperatorKind(models.TextChoices):
    CENTER = "center", "交易服务中心"
    SOCIAL = "social", "社会力量"


class VenueStatus(models.TextChoices):
    APPLIED = "applied", "待准入"
    ADMITTED = "admitted", "已纳入目录"
    SUSPENDED = "suspended", "暂停使用"
    WITHDRAWN = "withdrawn", "已退出目录"


# The admission checklist: every item must be met to admit a venue.
CHECKLIST: dict[str, str] = {
    "network": "电子交易网络接入和备用线路",
    "monitoring": "音视频监控全覆盖并接入电子监督",
    "isolated_evaluation": "评标区与开标区物理隔离，评标室封闭管理",
    "sizes": "开标室、评标室面积和座位满足需要",
    "accessibility": "无障碍设施",
    "storage": "通讯设备集中存放和屏蔽",
}


class Venue(models.Model):
    code = models.CharField("场所编号", max_length=20, unique=True)
    name = models.CharField("名称", max_length=200, unique=True)
    operator_kind = models.CharField("运营方类型", max_length=10, choices=OperatorKind.choices)
    service_center = models.ForeignKey(
        "accounts.ServiceCenter", verbose_name="运营的交易服务中心", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    operator_uscc = models.CharField("社会运营方统一社会信用代码", max_length=18, blank=True)
    operator_name = models.CharField("运营方", max_length=200)
    region_code = models.CharField("所在区划代码", max_length=6, db_index=True)
    address = models.CharField("地址", max_length=300)
    phone = models.CharField("联系电话", max_length=50, blank=True)
    opens_at = models.TimeField("每日开放时间", default=dt.time(8, 0))
    closes_at = models.TimeField("每日关闭时间", default=dt.time(18, 0))
    # closed on rest days and statutory holidays (the statutory calendar) unless declared open
    open_on_rest_days = models.BooleanField("节假日和休息日开放", default=False)
    checklist = models.JSONField("准入条件", default=dict)
    status = models.CharField("状态", max_length=10, choices=VenueStatus.choices, db_index=True)
    status_reason = models.CharField("状态说明", max_length=300, blank=True)
    admitted_at = models.DateTimeField("纳入目录时间", null=True, blank=True)
    created_at = models.DateTimeField("登记时间")
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["region_code", "code"]
        verbose_name = verbose_name_plural = "交易场所"

    def __str__(self) -> str:
        return self.name


class VenueStatusChange(models.Model):
    """The status history of a venue: every admission, suspension, reinstatement and withdrawal
    with its reason and who decided (a failed inspection suspends an admitted venue by itself)."""

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="status_changes")
    at = models.DateTimeField("时间")
    from_status = models.CharField("原状态", max_length=10, choices=VenueStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=10, choices=VenueStatus.choices)
    reason = models.CharField("理由", max_length=300)
    decided_by_label = models.CharField("决定人", max_length=200)

    class Meta:
        ordering = ["venue_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.venue_id}:{self.from_status}->{self.to_status}"


class Inspection(models.Model):
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="inspections")
    at = models.DateTimeField("检查时间")
    inspected_on = models.DateField("检查日期", null=True)
    inspector_label = models.CharField("检查人", max_length=200)
    notes = models.JSONField("各项说明", default=dict)  # item -> note
    checklist = models.JSONField("检查结果")  # item -> bool
    passed = models.BooleanField("合格")
    findings = models.CharField("发现的问题", max_length=1000, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.venue_id}@{self.at:%Y-%m-%d}"


class RoomKind(models.TextChoices):
    OPENING = "opening", "开标室"
    EVALUATION = "evaluation", "评标室"


class Purpose(models.TextChoices):
    """What a booking is for. A lot has at most one opening and one (main) evaluation booking;
    remote seats (远程异地评标) are evaluation rooms with remote capability in other venues."""

    OPENING = "opening", "开标"
    EVALUATION = "evaluation", "评标"
    REMOTE = "remote", "远程异地评标"


class Room(models.Model):
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=12, choices=RoomKind.choices)
    seats = models.PositiveSmallIntegerField("座位数")
    remote_evaluation = models.BooleanField("支持远程异地评标", default=False)
    monitoring = models.BooleanField("音视频监控", default=True)
    area_m2 = models.PositiveIntegerField("面积（平方米）", null=True, blank=True)
    # rooms that open into this one or share space with it (not isolated from it)
    shares_with = models.ManyToManyField(
        "self", verbose_name="相通或共用的房间", blank=True, symmetrical=True
    )
    active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["venue_id", "-kind", "name"]  # opening halls first
        constraints = [models.UniqueConstraint(fields=["venue", "name"], name="room_name_unique_in_venue")]

    def __str__(self) -> str:
        return f"{self.venue.name} {self.name}"


class BookingStatus(models.TextChoices):
    ACTIVE = "active", "有效"
    CANCELLED = "cancelled", "已取消"


class Booking(models.Model):
    """A room held for a lot's opening or evaluation. ``blocked_from``/``blocked_until`` include
    the buffer before and after; two active bookings of a room never overlap there."""

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="bookings")
    lot = models.ForeignKey("trading.Lot", on_delete=models.PROTECT, related_name="+")
    lot_code = models.CharField("标段（包）编号", max_length=23, db_index=True)
    purpose = models.CharField("用途", max_length=12, choices=Purpose.choices)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    blocked_from = models.DateTimeField("占用开始（含准备时间）", db_index=True)
    blocked_until = models.DateTimeField("占用结束（含清场时间）", db_index=True)
    status = models.CharField(
        "状态", max_length=10, choices=BookingStatus.choices, default=BookingStatus.ACTIVE
    )
    booked_by_label = models.CharField("预约人", max_length=200)
    created_at = models.DateTimeField("预约时间")
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    cancel_reason = models.CharField("取消原因", max_length=300, blank=True)
    replaces = models.ForeignKey(
        "self", verbose_name="改约自", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="booking_ends_after_start", condition=Q(ends_at__gt=models.F("starts_at"))
            ),
            # one active opening and one active (main) evaluation per lot, also under concurrent
            # requests for different rooms (the room lock does not cover those)
            models.UniqueConstraint(
                fields=["lot", "purpose"],
                condition=Q(status="active") & Q(purpose__in=["opening", "evaluation"]),
                name="booking_one_active_per_lot_and_purpose",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room_id}:{self.starts_at:%Y-%m-%d %H:%M}"
