"""The full trace (全流程留痕): an append-only, SM3 hash-chained event log."""

from __future__ import annotations

from django.db import models


class AuditEvent(models.Model):
    """One recorded action. Rows are only ever inserted, by ``audit.services.record``."""

    seq = models.BigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间", db_index=True)
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True, db_index=True)
    actor_label = models.CharField("操作人", max_length=200, blank=True)
    action = models.CharField("操作", max_length=80, db_index=True)
    object_type = models.CharField("对象类型", max_length=50)
    object_id = models.CharField("对象标识", max_length=100)
    project_ref = models.CharField("项目编号", max_length=64, blank=True, db_index=True)
    entity_ref = models.CharField("市场主体代码", max_length=18, blank=True, db_index=True)
    summary = models.TextField("变更摘要")  # canonical JSON text; hashed exactly as stored
    prev_hash = models.CharField("前一哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]
        verbose_name = verbose_name_plural = "审计事件"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """The chain's head: one row, locked by every append so events get gap-free sequence numbers."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash}"
