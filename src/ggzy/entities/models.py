"""Market entities (市场主体): registered once by USCC, recognised by every platform (seed 三(六))."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TradingRole(models.TextChoices):
    TENDERER = "tenderer", "招标人/采购人"
    AGENCY = "agency", "招标代理机构/采购代理机构"
    BIDDER = "bidder", "投标人/供应商"
    TRANSFEROR = "transferor", "出让人/转让方"
    TRANSFEREE = "transferee", "竞买人/意向受让方"


class RegistrationChannel(models.TextChoices):
    COUNTER = "counter", "窗口代为注册"
    ONLINE = "online", "网上自助注册"
    IMPORT = "import", "批量导入"


class EntityStatus(models.TextChoices):
    ACTIVE = "active", "正常"
    CANCELLED = "cancelled", "已注销"


class Entity(models.Model):
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("名称", max_length=200)
    kind = models.CharField("主体类型", max_length=50)  # from the USCC: 企业, 事业单位, 个体工商户 …
    legal_representative = models.CharField("法定代表人", max_length=50)
    address = models.CharField("住所", max_length=200)
    region_code = models.CharField("所在地行政区划代码", max_length=6)
    contact_name = models.CharField("联系人", max_length=50)
    contact_phone = models.CharField("联系电话", max_length=30)
    contact_email = models.EmailField("电子邮箱", blank=True)
    trading_roles = models.JSONField("交易角色", default=list)
    # Settlement account for deposits and refunds: confidential (see selectors).
    bank_name = models.CharField("开户银行", max_length=100, blank=True)
    bank_account_name = models.CharField("账户名称", max_length=200, blank=True)
    bank_account_no = models.CharField("银行账号", max_length=40, blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=EntityStatus.choices, default=EntityStatus.ACTIVE
    )
    channel = models.CharField(
        "注册方式", max_length=20, choices=RegistrationChannel.choices, default=RegistrationChannel.COUNTER
    )
    version = models.PositiveIntegerField("版本", default=1)
    registered_at = models.DateTimeField("注册时间")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        ordering = ["uscc"]
        verbose_name = verbose_name_plural = "市场主体"
        constraints = [
            models.CheckConstraint(
                name="entity_uscc_length", condition=models.Q(uscc__regex=r"^[0-9A-Z]{18}$")
            ),
            models.CheckConstraint(
                name="entity_region_code_6_digits", condition=models.Q(region_code__regex=r"^[0-9]{6}$")
            ),
        ]
        indexes = [
            models.Index(fields=["region_code"], name="entity_region_idx"),
            models.Index(fields=["name"], name="entity_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.uscc}）"

    def audit_label(self) -> str:
        return str(self)

    def role_labels(self) -> str:
        return "、".join(TradingRole(r).label for r in self.trading_roles)


class Qualification(models.Model):
    """资质: a licence or certificate, with its validity and issuing body."""

    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="qualifications")
    name = models.CharField("资质名称", max_length=100)
    certificate_no = models.CharField("证书编号", max_length=100)
    grade = models.CharField("等级", max_length=50, blank=True)
    issuer = models.CharField("发证机关", max_length=100)
    valid_from = models.DateField("有效期起")
    valid_until = models.DateField("有效期至", null=True, blank=True)
    withdrawn = models.BooleanField("已撤回", default=False)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", null=True, blank=True)

    class Meta:
        ordering = ["entity_id", "name"]
        verbose_name = verbose_name_plural = "资质"
        constraints = [
            models.CheckConstraint(
                name="qualification_valid_range",
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
            ),
            models.UniqueConstraint(
                fields=["entity", "certificate_no"], name="qualification_unique_certificate"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.certificate_no}"


class EntityRevision(models.Model):
    """Every change to an entity, kept: the version it produced, who, when, what changed."""

    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="revisions")
    version = models.PositiveIntegerField("版本")
    at = models.DateTimeField("时间")
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True)
    actor_label = models.CharField("操作人", max_length=200)
    action = models.CharField("操作", max_length=50)
    changes = models.JSONField("变更内容", default=dict)
    snapshot = models.JSONField("变更后完整信息", default=dict)

    class Meta:
        ordering = ["entity_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "version"], name="entity_revision_unique_version")
        ]
        verbose_name = verbose_name_plural = "市场主体变更记录"

    def __str__(self) -> str:
        return f"{self.entity_id} v{self.version} {self.action}"


class Membership(models.Model):
    """Links an entity member or entity administrator account to its entity."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="membership")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="memberships")
    active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField("加入时间")

    class Meta:
        verbose_name = verbose_name_plural = "市场主体成员"

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.entity_id}"
