"""Stored rule-set versions. A version never changes once stored: new rules are a new version."""

from __future__ import annotations

from django.db import models


class RuleSetSource(models.TextChoices):
    SHIPPED = "shipped", "随平台发布"
    ADMIN = "admin", "平台管理员定义"


class RuleSetVersion(models.Model):
    """One version of one rule set (category × procedure), as validated (``validate.to_data``).

    Rows are only inserted, by ``rules.services``; ``digest`` is the SM3 of the canonical JSON of
    ``data`` so anyone can check the published text is the one in force.
    """

    code = models.CharField("规则集代码", max_length=80, db_index=True)
    category = models.CharField("交易类别", max_length=20, db_index=True)
    procedure = models.CharField("交易方式", max_length=60)
    name = models.CharField("名称", max_length=200)
    version = models.PositiveIntegerField("版本")
    effective_from = models.DateField("生效日期")
    data = models.JSONField("规则内容")
    digest = models.CharField("SM3摘要", max_length=64)
    source = models.CharField("来源", max_length=10, choices=RuleSetSource.choices)
    published_at = models.DateTimeField("发布时间")
    created_by = models.CharField("发布人", max_length=200)

    class Meta:
        ordering = ["code", "version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="rules_code_version_unique"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="rules_version_positive"),
        ]
        verbose_name = verbose_name_plural = "规则集版本"

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"
