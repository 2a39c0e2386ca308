"""Trade projects, lots, their status history and per-lot timeline event times.

A project (交易项目) is registered once on one platform; its procedure's rule set version is fixed
at registration (the version in force that day) and never changes. A lot (标段（包）) moves only
through ``trading.lifecycle``'s table, inside ``services.lot_transition``; every move is kept as a
``LotTransition``. ``Lot.version`` is bumped on every change (optimistic locking).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from ggzy.core.choices import Category


class ItemKind(models.TextChoices):
    """标的类型 of engineering and procurement projects (必须招标的工程项目规定: works, goods, services)."""

    WORKS = "works", "工程"
    GOODS = "goods", "货物"
    SERVICES = "services", "服务"


class ProjectStatus(models.TextChoices):
    REGISTERED = "registered", "已登记"
    TRADING = "trading", "交易中"
    CLOSED = "closed", "已结束"


class DealCodeCounter(models.Model):
    """The last sequence number used for project codes of a region and year (locked to allocate)."""

    region_code = models.CharField("行政区划代码", max_length=6)
    year = models.PositiveSmallIntegerField("年份")
    last = models.PositiveIntegerField("已用流水号", default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region_code", "year"], name="dealcode_counter_unique")
        ]
        verbose_name = verbose_name_plural = "交易编码流水号"

    def __str__(self) -> str:
        return f"{self.region_code}/{self.year}: {self.last}"


class Project(models.Model):
    code = models.CharField("项目编号", max_length=17, unique=True)
    tender_code = models.CharField("招标项目编号", max_length=20, unique=True)
    name = models.CharField("项目名称", max_length=200)
    category = models.CharField("交易类别", max_length=20, choices=Category.choices)
    ruleset_code = models.CharField("交易规则", max_length=80)
    ruleset_version = models.PositiveIntegerField("规则版本")
    ruleset_name = models.CharField("交易方式", max_length=100)
    region_code = models.CharField("项目所在地区划代码", max_length=6, db_index=True)
    tenderer_uscc = models.CharField("招标人（采购人、出让人）", max_length=18, db_index=True)
    tenderer_name = models.CharField("招标人名称", max_length=200)
    agency_uscc = models.CharField("代理机构", max_length=18, blank=True, db_index=True)
    agency_name = models.CharField("代理机构名称", max_length=200, blank=True)
    service_center = models.ForeignKey(
        "accounts.ServiceCenter", verbose_name="交易平台", on_delete=models.PROTECT, related_name="projects"
    )
    estimate = models.DecimalField("估算金额（元）", max_digits=18, decimal_places=2)
    item_kind = models.CharField("标的类型", max_length=10, choices=ItemKind.choices, blank=True)
    public_funded = models.BooleanField("使用国有资金或财政资金", default=False)
    mandatory = models.BooleanField("依法必须进场交易", null=True)  # None: not decided (no scope rule)
    mandatory_basis = models.CharField("进场交易判断依据", max_length=500, blank=True)
    acceleration = models.PositiveSmallIntegerField("演示加速倍数", default=1)
    status = models.CharField(
        "状态", max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.REGISTERED
    )
    registered_at = models.DateTimeField("登记时间")
    registered_by_id = models.BigIntegerField("登记人ID", null=True, blank=True)
    registered_by_label = models.CharField("登记人", max_length=200)

    class Meta:
        ordering = ["-registered_at", "-id"]
        verbose_name = verbose_name_plural = "交易项目"
        constraints = [
            models.CheckConstraint(name="project_acceleration_positive", condition=Q(acceleration__gte=1)),
            models.CheckConstraint(name="project_estimate_not_negative", condition=Q(estimate__gte=0)),
            models.CheckConstraint(name="project_code_17", condition=Q(code__regex=r"^M[0-9]{16}$")),
        ]
        indexes = [models.Index(fields=["category", "status"], name="project_category_status_idx")]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def uscc(self) -> str:
        """The tenderer: scope of entity permissions (``policy`` reads ``obj.uscc``)."""
        return self.tenderer_uscc

    @property
    def accelerated(self) -> bool:
        return self.acceleration > 1


class Lot(models.Model):
    # no index of its own: lot_unique_number (project, number) serves lookups by project, and
    # every index is one more write per lot the tick moves (docs/benchmarks.md (e))
    project = models.ForeignKey(
        Project, verbose_name="交易项目", on_delete=models.PROTECT, related_name="lots", db_index=False
    )
    number = models.PositiveSmallIntegerField("标段（包）序号")
    code = models.CharField("标段（包）编号", max_length=23, unique=True)
    name = models.CharField("标段（包）名称", max_length=200)
    estimate = models.DecimalField("估算金额（元）", max_digits=18, decimal_places=2)
    status = models.CharField("状态", max_length=40, default="draft")
    status_changed_at = models.DateTimeField("状态变更时间")
    next_check_at = models.DateTimeField("下次检查时间", null=True, blank=True, db_index=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["project_id", "number"]
        verbose_name = verbose_name_plural = "标段（包）"
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="lot_unique_number"),
            models.CheckConstraint(name="lot_number_range", condition=Q(number__gte=1, number__lte=999)),
            models.CheckConstraint(name="lot_estimate_not_negative", condition=Q(estimate__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    # scope of permissions: the project's region and category
    @property
    def region_code(self) -> str:
        return self.project.region_code

    @property
    def category(self) -> str:
        return self.project.category


class LotTransition(models.Model):
    """One status move of a lot: from, to, who, when and why (kept forever)."""

    # no index of its own: lot_transition_unique_version (lot, version) serves lookups by lot
    lot = models.ForeignKey(
        Lot, verbose_name="标段（包）", on_delete=models.PROTECT, related_name="transitions", db_index=False
    )
    from_status = models.CharField("原状态", max_length=40)
    to_status = models.CharField("新状态", max_length=40)
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True)
    actor_label = models.CharField("操作人", max_length=200)
    at = models.DateTimeField("时间")
    reason = models.CharField("原因", max_length=500, blank=True)
    version = models.PositiveIntegerField("变更后版本")

    class Meta:
        ordering = ["lot_id", "at", "id"]
        verbose_name = verbose_name_plural = "标段状态变更记录"
        constraints = [
            models.UniqueConstraint(fields=["lot", "version"], name="lot_transition_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.lot_id}: {self.from_status} -> {self.to_status}"


class LotEvent(models.Model):
    """The time of one timeline event of a lot (bid deadline, opening …), filled by the timeline
    code. A lot cannot enter a stage before the time of the event that opens it."""

    lot = models.ForeignKey(Lot, verbose_name="标段（包）", on_delete=models.PROTECT, related_name="events")
    event = models.CharField("事件", max_length=40)
    at = models.DateTimeField("时间")
    provisional = models.BooleanField("暂定", default=False)
    basis = models.CharField("依据", max_length=300, blank=True)
    updated_at = models.DateTimeField("更新时间", null=True, blank=True)

    class Meta:
        ordering = ["lot_id", "at", "id"]
        verbose_name = verbose_name_plural = "标段时间节点"
        constraints = [models.UniqueConstraint(fields=["lot", "event"], name="lot_event_unique")]

    def __str__(self) -> str:
        return f"{self.lot_id} {self.event} {self.at}"


class NoticeKind(models.TextChoices):
    TENDER = "tender", "招标（采购）公告"
    PREQUALIFICATION = "prequalification", "资格预审公告"
    AMENDMENT = "amendment", "更正（变更）公告"
    CLARIFICATION = "clarification", "澄清公告"
    QUALIFICATION_RESULT = "qualification_result", "资格审查结果公告"
    CANDIDATE_PUBLICITY = "candidate_publicity", "中标候选人公示"
    AWARD = "award", "中标（成交）结果公告"
    TERMINATION = "termination", "终止公告"
    CONTRACT = "contract", "合同公告"
    PERFORMANCE = "performance", "履约信息公告"
    LISTING = "listing", "出让（挂牌）公告"
    TRANSACTION_RESULT = "transaction_result", "成交结果公告"
    RULE_PUBLICATION = "rule_publication", "规则发布公告"
    OPENING_RECORD = "opening_record", "开标记录"


class Notice(models.Model):
    """A public text (公告), generated from structured data with a template per kind. Written once by
    ``services.notice_publish`` / ``notice_amend`` and never changed: an amendment is a new notice
    linked to the one it amends (no service updates a notice)."""

    project = models.ForeignKey(
        Project, verbose_name="交易项目", on_delete=models.PROTECT, related_name="notices"
    )
    lot = models.ForeignKey(
        Lot,
        verbose_name="标段（包）",
        on_delete=models.PROTECT,
        related_name="notices",
        null=True,
        blank=True,
    )
    kind = models.CharField("公告类型", max_length=30, choices=NoticeKind.choices)
    number = models.CharField("公告编号", max_length=40, unique=True)
    title = models.CharField("标题", max_length=300)
    data = models.JSONField("结构化内容", default=dict)
    free_text = models.TextField("补充说明（已过滤）", blank=True)
    body_html = models.TextField("正文")
    amends = models.ForeignKey(
        "self",
        verbose_name="所更正（澄清）的公告",
        on_delete=models.PROTECT,
        related_name="amendments",
        null=True,
        blank=True,
        db_index=False,  # the partial index below
    )
    published_at = models.DateTimeField("发布时间", db_index=True)
    published_by_id = models.BigIntegerField("发布人ID", null=True, blank=True)
    published_by_label = models.CharField("发布人", max_length=200)
    fairness_findings = models.JSONField("公平竞争审查发现", default=list)
    fairness_overrides = models.JSONField("公平竞争审查保留理由", default=list)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = verbose_name_plural = "公告"
        indexes = [
            models.Index(fields=["kind", "published_at"], name="notice_kind_published_idx"),
            # Only amendments have ``amends``. A full index of a column that is almost all NULL
            # misleads SQLite's planner once ANALYZE has run (every value "matches" every row),
            # and it scans the table for a notice's amendments; the partial index is small and
            # is used for ``amends_id = ?`` on both databases.
            models.Index(
                fields=["amends"], condition=models.Q(amends__isnull=False), name="notice_amends_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.number}）"

    @property
    def region_code(self) -> str:
        return self.project.region_code

    @property
    def category(self) -> str:
        return self.project.category
