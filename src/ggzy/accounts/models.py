"""Users, roles and the organisations staff belong to (seed 三(一), 三(八)).

Each account has exactly one role and at most one organisation, matching its role (database
constraints below). So no account can both operate (a service center) and supervise (a
department): separation of duties starts in the schema and is enforced again in services and
selectors (``ggzy.accounts.policy``).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q

from ggzy.core.choices import Category


class CenterLevel(models.TextChoices):
    PROVINCE = "province", "省级平台"
    CITY = "city", "市级平台"
    BRANCH = "branch", "县级分支机构"


class ServiceCenter(models.Model):
    """公共资源交易服务中心: runs a platform (province or city) or a county branch of a city platform."""

    name = models.CharField("名称", max_length=100, unique=True)
    level = models.CharField("层级", max_length=10, choices=CenterLevel.choices)
    region = models.OneToOneField("core.Region", verbose_name="行政区划", on_delete=models.PROTECT)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级平台",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("服务电话", max_length=50, blank=True)
    complaint_phone = models.CharField("投诉电话", max_length=50, blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["region_id"]
        verbose_name = verbose_name_plural = "交易服务中心"

    def __str__(self) -> str:
        return self.name

    def audit_label(self) -> str:
        return self.name


class DepartmentKind(models.TextChoices):
    DEVELOPMENT = "development", "发展改革"
    FINANCE = "finance", "财政"
    NATURAL_RESOURCES = "natural_resources", "自然资源"
    STATE_ASSETS = "state_assets", "国有资产监督管理"
    HOUSING = "housing", "住房和城乡建设"
    TRANSPORT = "transport", "交通运输"
    WATER = "water", "水利"
    OTHER = "other", "其他"


# Which categories each kind of department supervises by default (seed 三(八)): the tendering
# supervisors (发改 coordinating, 住建/交通/水利 by sector) watch engineering; 财政 procurement;
# 自然资源 land and mining rights; 国资 state property.
DEFAULT_CATEGORIES: dict[str, list[str]] = {
    DepartmentKind.DEVELOPMENT: [Category.ENGINEERING, Category.OTHER],
    DepartmentKind.FINANCE: [Category.PROCUREMENT],
    DepartmentKind.NATURAL_RESOURCES: [Category.LAND, Category.MINING],
    DepartmentKind.STATE_ASSETS: [Category.PROPERTY],
    DepartmentKind.HOUSING: [Category.ENGINEERING],
    DepartmentKind.TRANSPORT: [Category.ENGINEERING],
    DepartmentKind.WATER: [Category.ENGINEERING],
    DepartmentKind.OTHER: [],
}


class Department(models.Model):
    """行政监督部门 at a level (province, city or county), supervising given trade categories."""

    name = models.CharField("名称", max_length=100, unique=True)
    kind = models.CharField("类型", max_length=30, choices=DepartmentKind.choices)
    region = models.ForeignKey("core.Region", verbose_name="行政区划", on_delete=models.PROTECT)
    categories = models.JSONField("监督的交易类别", default=list)
    phone = models.CharField("监督电话", max_length=50, blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["region_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["region", "kind"], name="department_one_kind_per_region")
        ]
        verbose_name = verbose_name_plural = "行政监督部门"

    def __str__(self) -> str:
        return self.name

    def category_labels(self) -> str:
        return "、".join(Category(c).label for c in self.categories)


class OversightKind(models.TextChoices):
    INSPECTION = "inspection", "纪检监察"
    AUDIT = "audit", "审计"


class OversightBody(models.Model):
    """Discipline inspection and audit bodies: read everything, change nothing."""

    name = models.CharField("名称", max_length=100, unique=True)
    kind = models.CharField("类型", max_length=20, choices=OversightKind.choices)
    region = models.ForeignKey("core.Region", verbose_name="行政区划", on_delete=models.PROTECT)

    class Meta:
        ordering = ["region_id", "kind"]
        verbose_name = verbose_name_plural = "监察审计机构"

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ENTITY_MEMBER = "entity_member", "市场主体经办人"
    ENTITY_ADMIN = "entity_admin", "市场主体管理员"
    EXPERT = "expert", "评标专家"
    OPERATOR = "operator", "服务中心工作人员"
    SUPERVISOR = "supervisor", "行政监督人员"
    INSPECTOR = "inspector", "纪检监察人员"
    AUDITOR = "auditor", "审计人员"
    PLATFORM_ADMIN = "platform_admin", "平台管理员"


STAFF_ROLES = {Role.OPERATOR, Role.SUPERVISOR, Role.INSPECTOR, Role.AUDITOR, Role.PLATFORM_ADMIN}
ENTITY_ROLES = {Role.ENTITY_MEMBER, Role.ENTITY_ADMIN}
OVERSIGHT_ROLES = {Role.INSPECTOR, Role.AUDITOR}


class User(AbstractUser):
    """An account. ``role`` and the one organisation it belongs to never mix duties."""

    role = models.CharField("角色", max_length=20, choices=Role.choices)
    display_name = models.CharField("姓名", max_length=50)
    phone = models.CharField("手机号", max_length=20, blank=True)
    service_center = models.ForeignKey(
        ServiceCenter,
        verbose_name="所属服务中心",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    department = models.ForeignKey(
        Department,
        verbose_name="所属监督部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    oversight_body = models.ForeignKey(
        OversightBody,
        verbose_name="所属监察审计机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    # Second factor (TOTP, RFC 6238). The secret is set at enrolment; confirmed after a first good code.
    totp_secret = models.CharField("动态口令密钥", max_length=64, blank=True)
    totp_confirmed = models.BooleanField("已绑定动态口令", default=False)
    last_totp_step = models.BigIntegerField(default=0)  # refuse replay of a code already used
    failed_logins = models.PositiveIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    objects = UserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                name="user_org_matches_role",
                condition=(
                    Q(role="operator", service_center__isnull=False, department__isnull=True, oversight_body__isnull=True)
                    | Q(role="supervisor", service_center__isnull=True, department__isnull=False, oversight_body__isnull=True)
                    | Q(role__in=["inspector", "auditor"], service_center__isnull=True, department__isnull=True,
                        oversight_body__isnull=False)
                    | Q(role__in=["entity_member", "entity_admin", "expert", "platform_admin"],
                        service_center__isnull=True, department__isnull=True, oversight_body__isnull=True)
                ),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.display_name or self.username}（{self.get_role_display()}）"

    def audit_label(self) -> str:
        org = self.service_center or self.department or self.oversight_body
        where = f"，{org}" if org else ""
        return f"{self.username}（{self.display_name}，{self.get_role_display()}{where}）"

    def has_permission(self, permission: str, obj=None) -> bool:
        """Role matrix check (``ggzy.core.permissions.require`` calls this)."""
        from ggzy.accounts.policy import has_permission

        return self.is_active and has_permission(self, permission, obj)

    def holds(self, permission: str) -> bool:
        """Does the account hold ``permission`` in any scope? (``ggzy.core.permissions.holds``:
        pages that then ask for the object, menus)."""
        from ggzy.accounts.selectors import role_holds

        return self.is_active and role_holds(self.role, permission)

    @property
    def is_platform_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def needs_second_factor(self) -> bool:
        return self.role in STAFF_ROLES or self.role == Role.EXPERT


class ApiToken(models.Model):
    """A bearer token for a trading system or script acting as ``user``.

    Only the SHA-256 digest of the token is stored; the token itself is shown once, when issued.
    ``prefix`` (the first characters) lets people tell their tokens apart.
    """

    user = models.ForeignKey(
        User, verbose_name="所属用户", on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField("名称", max_length=100)
    prefix = models.CharField("前缀", max_length=16)
    token_hash = models.CharField("令牌摘要", max_length=64, unique=True)
    created_at = models.DateTimeField("签发时间")
    last_used_at = models.DateTimeField("最近使用时间", null=True, blank=True)
    expires_at = models.DateTimeField("过期时间", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "接口访问令牌"

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    def is_usable(self, at) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > at)

    def status_label(self, at) -> str:
        if self.revoked_at is not None:
            return "已吊销"
        if self.expires_at is not None and self.expires_at <= at:
            return "已过期"
        return "有效"
