"""The province's evaluation expert pool, specialties, draws, invitations and committees
(seed 三(四); 招标投标法实施条例第四十五、四十六条; 评标专家和评标专家库管理办法).

Confidential until the evaluation starts (DESIGN invariant 7): who was drawn. A draw's seed,
snapshot and result are stored sealed (``ggzy.crypto.sealing``, SM4-GCM); an invitation names its
expert only by a keyed tag; the outbox keeps recipients and texts sealed. The committee, formed when
the evaluation starts, names its members in clear; the public sees them with the revealed draw.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Specialty(models.Model):
    """评标专家专业分类: three levels coded letter+2+2+2 (A works, B goods, C services)."""

    code = models.CharField("专业代码", max_length=10, primary_key=True)
    name = models.CharField("名称", max_length=100)
    level = models.PositiveSmallIntegerField("级别")
    parent = models.ForeignKey(
        "self",
        verbose_name="上级专业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "评标专业"
        constraints = [
            models.CheckConstraint(name="specialty_level_1_3", condition=Q(level__gte=1, level__lte=3))
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ExpertStatus(models.TextChoices):
    APPLIED = "applied", "待审核"
    REJECTED = "rejected", "未通过审核"
    ACTIVE = "active", "在库"
    SUSPENDED = "suspended", "暂停抽取"
    RETIRED = "retired", "退出"
    REMOVED = "removed", "清退"


class Expert(models.Model):
    """An evaluation expert. ``code`` is the public, stable id used by draws and exports."""

    code = models.CharField("专家编号", max_length=20, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="账户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expert_profile",
    )
    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("身份证号码", max_length=18, unique=True)
    phone = models.CharField("手机号", max_length=20)
    employer_uscc = models.CharField("工作单位统一社会信用代码", max_length=18, db_index=True)
    employer_name = models.CharField("工作单位", max_length=200)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name="任职的行政监督部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField("职称", max_length=50)
    years = models.PositiveSmallIntegerField("从业年限")
    region_code = models.CharField("常住地区划代码", max_length=6, db_index=True)
    specialties = models.ManyToManyField(Specialty, verbose_name="评标专业", through="ExpertSpecialty")
    # [{"uscc": ..., "name": ..., "kind": "relationship"|"interest", "note": ...}]
    declarations = models.JSONField("申报的利害关系", default=list, blank=True)
    status = models.CharField("状态", max_length=12, choices=ExpertStatus.choices, db_index=True)
    applied_at = models.DateTimeField("申请时间")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by_label = models.CharField("审核人", max_length=200, blank=True)
    review_reason = models.CharField("审核意见", max_length=500, blank=True)
    next_assessment_on = models.DateField("下次考核日期", null=True, blank=True)
    source = models.CharField("来源", max_length=20, default="online")  # online | import
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "评标专家"

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def audit_label(self) -> str:
        return f"专家{self.code}"


class ExpertSpecialty(models.Model):
    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="expert_specialties")
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["expert", "specialty"], name="expert_specialty_once")]
        indexes = [models.Index(fields=["specialty", "expert"], name="expert_specialty_idx")]

    def __str__(self) -> str:
        return f"{self.expert_id}:{self.specialty_id}"


class ExpertStatusChange(models.Model):
    """Every status move of an expert, with its reason (nothing is deleted)."""

    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12)
    reason = models.CharField("原因", max_length=500)
    actor_label = models.CharField("操作人", max_length=200)
    at = models.DateTimeField("时间")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status}->{self.to_status}"


class RaterKind(models.TextChoices):
    CENTER = "center", "交易服务中心"
    SUPERVISOR = "supervisor", "行政监督部门"


class ExpertRating(models.Model):
    """评价 after an evaluation: 1 (poor) to 5 (good) for punctuality, conduct and quality."""

    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="ratings")
    lot = models.ForeignKey("trading.Lot", on_delete=models.PROTECT, related_name="+")
    rater_kind = models.CharField("评价方", max_length=12, choices=RaterKind.choices)
    punctuality = models.PositiveSmallIntegerField("守时")
    conduct = models.PositiveSmallIntegerField("评标纪律")
    quality = models.PositiveSmallIntegerField("评审质量")
    comment = models.CharField("评语", max_length=500, blank=True)
    rated_by_label = models.CharField("评价人", max_length=200)
    at = models.DateTimeField("评价时间")

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["expert", "lot", "rater_kind"], name="rating_once_per_lot_rater"),
            models.CheckConstraint(
                name="rating_scores_1_5",
                condition=Q(punctuality__gte=1, punctuality__lte=5, conduct__gte=1, conduct__lte=5)
                & Q(quality__gte=1, quality__lte=5),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expert_id}@{self.lot_id}:{self.rater_kind}"

    @property
    def mean(self) -> float:
        return (self.punctuality + self.conduct + self.quality) / 3


class ExpertPenalty(models.Model):
    """A penalty (处理决定) recorded by a supervisory department: no draw while it runs."""

    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="penalties")
    reason = models.CharField("事由", max_length=500)
    basis = models.CharField("依据", max_length=300)
    starts_on = models.DateField("起始日期")
    ends_on = models.DateField("截止日期", null=True, blank=True)  # None: without end
    recorded_by_label = models.CharField("记录人", max_length=200)
    at = models.DateTimeField("记录时间")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.reason


class DrawStatus(models.TextChoices):
    COMMITTED = "committed", "已公布承诺值"
    DRAWN = "drawn", "已抽取"
    FORMED = "formed", "评标委员会已组建"
    REVEALED = "revealed", "已公开验证数据"
    CANCELLED = "cancelled", "已撤销"


class Draw(models.Model):
    """A draw request for a lot and its verifiable draw. Public from the start: the lot, the
    specialties and counts, the region rule, the commitment and (at draw time) the public value.
    Sealed until revealed: the seed, the eligible-pool snapshot, the avoided organisations and the
    result."""

    code = models.CharField("抽取编号", max_length=40, unique=True)
    lot = models.ForeignKey("trading.Lot", on_delete=models.PROTECT, related_name="+")
    lot_code = models.CharField("标段（包）编号", max_length=23, db_index=True)
    tenderer_uscc = models.CharField("招标人", max_length=18, db_index=True)
    region_rule = models.CharField("地区规则", max_length=10)
    wanted = models.JSONField("专业和人数")  # [{"code", "count", "reserves"}]
    status = models.CharField("状态", max_length=12, choices=DrawStatus.choices, db_index=True)
    operator_id = models.BigIntegerField("抽取人ID", null=True)
    operator_label = models.CharField("抽取人", max_length=200)
    pool_size = models.PositiveIntegerField("符合条件的专家人数")
    commitment = models.CharField("承诺值", max_length=64)
    committed_at = models.DateTimeField("承诺时间")
    commit_seq = models.BigIntegerField("承诺审计序号")
    public_value = models.CharField("公开随机值（抽取时审计链头）", max_length=64, blank=True)
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    draw_seq = models.BigIntegerField("抽取审计序号", null=True, blank=True)
    sealed_seed = models.BinaryField("种子（加密）")
    sealed_snapshot = models.BinaryField("专家库快照（加密）")
    sealed_criteria = models.BinaryField("抽取条件（加密）")
    sealed_result = models.BinaryField("抽取结果（加密）", null=True, blank=True)
    revealed_at = models.DateTimeField("公开时间", null=True, blank=True)
    revealed = models.JSONField("公开的验证数据", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["-committed_at", "-id"]
        verbose_name = verbose_name_plural = "专家抽取"

    def __str__(self) -> str:
        return self.code

    @property
    def region_code(self) -> str:  # permission scope
        return self.lot.project.region_code

    @property
    def category(self) -> str:
        return self.lot.project.category


class InvitationStatus(models.TextChoices):
    SENT = "sent", "待确认"
    ACCEPTED = "accepted", "已确认参加"
    DECLINED = "declined", "已谢绝"
    NO_ANSWER = "no_answer", "未应答"
    WITHDRAWN = "withdrawn", "已取消"


class Invitation(models.Model):
    """An expert asked to confirm a draw. The expert is named only by ``expert_tag`` (a keyed
    HMAC of the expert code); the code is inside ``sealed``."""

    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, related_name="invitations")
    expert_tag = models.CharField(max_length=64, db_index=True)
    sealed = models.BinaryField()
    status = models.CharField("状态", max_length=12, choices=InvitationStatus.choices)
    sent_at = models.DateTimeField("通知时间")
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "expert_tag"], name="invitation_once_per_draw")
        ]

    def __str__(self) -> str:
        return f"{self.draw_id}:{self.pk}"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class Notification(models.Model):
    """The notification outbox (SMS/voice). Recipient and text are sealed; a backend chosen by
    ``GGZY_SMS_BACKEND`` sends them."""

    channel = models.CharField("渠道", max_length=10, default="sms")
    purpose = models.CharField("用途", max_length=50)
    ref = models.CharField("关联对象", max_length=60, blank=True)
    sealed = models.BinaryField()
    status = models.CharField(
        "状态", max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    created_at = models.DateTimeField("创建时间")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    error = models.CharField("错误", max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.purpose}:{self.pk}"


class Committee(models.Model):
    """评标委员会 of a lot, formed from a draw's confirmed experts when the evaluation starts."""

    lot = models.ForeignKey("trading.Lot", on_delete=models.PROTECT, related_name="+")
    draw = models.OneToOneField(Draw, on_delete=models.PROTECT, related_name="committee")
    formed_at = models.DateTimeField("组建时间")
    formed_by_label = models.CharField("组建人", max_length=200)
    evaluation_ended_at = models.DateTimeField("评标结束时间", null=True, blank=True)

    class Meta:
        ordering = ["-formed_at", "-id"]

    def __str__(self) -> str:
        return f"评标委员会{self.pk}"


class CommitteeMember(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="members")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="memberships")
    specialty_code = models.CharField("专业", max_length=10)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    remote = models.BooleanField("远程异地评标", default=False)

    class Meta:
        ordering = ["committee_id", "specialty_code", "id"]
        constraints = [models.UniqueConstraint(fields=["committee", "expert"], name="committee_member_once")]

    def __str__(self) -> str:
        return f"{self.committee_id}:{self.expert_id}"
