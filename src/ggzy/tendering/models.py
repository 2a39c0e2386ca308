"""Bidders' registered SM2 public keys and the public receipt log (docs/receipts.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class BidderKey(models.Model):
    """An entity's SM2 public key for sealed bids. Never deleted: revoked keys stay as history.

    The private key never reaches the platform; bidders encrypt to and sign with their own key.
    """

    entity = models.ForeignKey("entities.Entity", on_delete=models.PROTECT, related_name="bidder_keys")
    fingerprint = models.CharField("公钥指纹（SM3）", max_length=64, unique=True)
    public_key_pem = models.TextField("公钥（PEM）")
    label = models.CharField("名称", max_length=100, blank=True)
    registered_at = models.DateTimeField("登记时间")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="登记人"
    )
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="撤销人",
    )
    revoke_reason = models.CharField("撤销原因", max_length=200, blank=True)

    class Meta:
        ordering = ["-registered_at", "-id"]
        verbose_name = verbose_name_plural = "投标人公钥"
        constraints = [
            models.CheckConstraint(
                name="bidder_key_fingerprint_hex", condition=models.Q(fingerprint__regex=r"^[0-9a-f]{64}$")
            ),
            models.CheckConstraint(
                name="bidder_key_revocation_complete",
                condition=models.Q(revoked_at__isnull=True) | ~models.Q(revoke_reason=""),
            ),
        ]
        indexes = [models.Index(fields=["entity", "revoked_at"], name="bidder_key_entity_idx")]

    def __str__(self) -> str:
        return f"{self.fingerprint[:16]}…"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ReceiptLogHead(models.Model):
    """The single row that serialises appends (locked by every append) and names the current tree."""

    size = models.PositiveBigIntegerField(default=0)
    root_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "回执日志头"

    def __str__(self) -> str:
        return f"{self.size} @ {self.root_hash[:16]}"


class ReceiptLogEntry(models.Model):
    """One leaf of the public receipt log. ``leaf`` is the canonical JSON that is hashed and published;
    the lot code, the bidder and the salt behind its commitments are confidential until the opening."""

    position = models.PositiveBigIntegerField("位置", primary_key=True)
    kind = models.CharField("类型", max_length=20)
    leaf = models.TextField("叶子（规范JSON）")
    leaf_hash = models.CharField("叶子哈希", max_length=64, unique=True)
    received_at = models.DateTimeField("接收时间")
    lot_code = models.CharField("标段编号", max_length=64)
    bidder_uscc = models.CharField("投标人统一社会信用代码", max_length=18)
    salt = models.CharField("承诺随机数", max_length=32)
    ciphertext_sm3 = models.CharField("密文SM3摘要", max_length=64)
    receipt_signature = models.TextField("回执签名（base64）")
    tree_size = models.PositiveBigIntegerField("追加后的树大小")
    root_hash = models.CharField("追加后的根哈希", max_length=64)

    class Meta:
        ordering = ["position"]
        verbose_name = verbose_name_plural = "回执日志条目"
        indexes = [models.Index(fields=["lot_code"], name="receipt_lot_idx")]

    def __str__(self) -> str:
        return f"#{self.position} {self.leaf_hash[:16]}"


class ReceiptLogNode(models.Model):
    """The hash of a complete (perfect) subtree: ``level`` 0 are leaves (see crypto/merkle.py)."""

    level = models.PositiveSmallIntegerField()
    index = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "回执日志树节点"
        constraints = [models.UniqueConstraint(fields=["level", "index"], name="receipt_node_unique")]

    def __str__(self) -> str:
        return f"({self.level}, {self.index})"


class SignedTreeHead(models.Model):
    """A signed tree head (STH): the platform's signed statement of the log's size and root."""

    tree_size = models.PositiveBigIntegerField("树大小", primary_key=True)
    root_hash = models.CharField("根哈希", max_length=64)
    timestamp = models.DateTimeField("时间")
    timestamp_text = models.CharField("时间（签名文本）", max_length=40)
    key = models.CharField("签名公钥指纹", max_length=64)
    signature = models.TextField("平台签名（base64）")

    class Meta:
        ordering = ["-tree_size"]
        verbose_name = verbose_name_plural = "签名树头"

    def __str__(self) -> str:
        return f"{self.tree_size} @ {self.root_hash[:16]}"
