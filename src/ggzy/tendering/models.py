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


# --- sealed bids (docs/tendering.md) -------------------------------------------------------------
class Opening(models.Model):
    """A lot's sealed-bid box and, after the deadline, its opening (开标). One row per lot; every
    bid write locks it, so a submission, a replacement, a withdrawal and the closing at the
    deadline are serialised per lot."""

    BIDDING, DECRYPTING, OPENED, FAILED = "bidding", "decrypting", "opened", "failed"
    STATUS = [(BIDDING, "投标中"), (DECRYPTING, "解密中"), (OPENED, "已开标"), (FAILED, "不予开标")]

    lot = models.OneToOneField("trading.Lot", on_delete=models.PROTECT, related_name="opening")
    status = models.CharField("状态", max_length=20, choices=STATUS, default=BIDDING)
    closed_at = models.DateTimeField("投标截止（关闭）时间", null=True, blank=True)
    window_ends_at = models.DateTimeField("解密截止时间", null=True, blank=True)
    finished_at = models.DateTimeField("开标结束时间", null=True, blank=True)
    reason = models.CharField("说明", max_length=500, blank=True)
    notice_number = models.CharField("开标记录公告编号", max_length=40, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "开标"

    def __str__(self) -> str:
        return f"{self.lot_id} {self.status}"


class BidUpload(models.Model):
    """A resumable upload of one envelope file, in chunks (files on disk under var/bids/uploads/)."""

    OPEN, COMMITTED, ABORTED = "open", "committed", "aborted"

    token = models.CharField(max_length=32, unique=True)
    lot = models.ForeignKey("trading.Lot", on_delete=models.PROTECT, related_name="+")
    entity = models.ForeignKey("entities.Entity", on_delete=models.PROTECT, related_name="+")
    key = models.ForeignKey(BidderKey, on_delete=models.PROTECT, related_name="+")
    size = models.PositiveBigIntegerField()
    chunk_size = models.PositiveIntegerField()
    ciphertext_sm3 = models.CharField(max_length=64)
    signature = models.TextField()  # base64 DER, the bidder's SM2 signature of the digest
    evidence = models.JSONField(default=dict)  # supervision only (client IP, device, metadata)
    status = models.CharField(max_length=10, default=OPEN)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "投标文件上传"

    def __str__(self) -> str:
        return self.token


class Bid(models.Model):
    """One version of an entity's sealed bid for a lot: the stored envelope and its receipt.

    Status: ``active`` (the current version), ``replaced`` (a newer version superseded it),
    ``withdrawn``; after the deadline ``opened`` (decrypted), ``not_decrypted`` (counts as
    withdrawn, the bidder's own reason), ``tampered`` (the stored file failed its checks)."""

    ACTIVE, REPLACED, WITHDRAWN = "active", "replaced", "withdrawn"
    OPENED, NOT_DECRYPTED, TAMPERED = "opened", "not_decrypted", "tampered"
    STATUS = [
        (ACTIVE, "已递交"),
        (REPLACED, "已被新版本替换"),
        (WITHDRAWN, "已撤回"),
        (OPENED, "已解密"),
        (NOT_DECRYPTED, "未解密（视为撤回）"),
        (TAMPERED, "文件校验失败"),
    ]

    lot = models.ForeignKey("trading.Lot", on_delete=models.PROTECT, related_name="bids")
    entity = models.ForeignKey("entities.Entity", on_delete=models.PROTECT, related_name="bids")
    version = models.PositiveIntegerField("版本")
    status = models.CharField("状态", max_length=20, choices=STATUS, default=ACTIVE)
    key = models.ForeignKey(BidderKey, on_delete=models.PROTECT, related_name="bids")
    ciphertext_sm3 = models.CharField("密文SM3摘要", max_length=64)
    size = models.PositiveBigIntegerField("文件大小（字节）")
    signature = models.TextField("投标人签名（base64）")
    path = models.CharField("存储路径", max_length=300)
    received_at = models.DateTimeField("接收时间")
    receipt = models.JSONField("回执", default=dict)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawal_receipt = models.JSONField("撤回回执", default=dict, blank=True)
    decrypted_at = models.DateTimeField("解密时间", null=True, blank=True)
    content_key = models.CharField("内容密钥（开标后）", max_length=32, blank=True)
    summary = models.JSONField("开标一览表", default=dict, blank=True)
    problem = models.CharField("问题", max_length=500, blank=True)

    class Meta:
        ordering = ["lot_id", "entity_id", "-version"]
        verbose_name = verbose_name_plural = "投标文件"
        constraints = [
            models.UniqueConstraint(fields=["lot", "entity", "version"], name="bid_unique_version"),
            models.UniqueConstraint(
                fields=["lot", "entity"],
                condition=models.Q(status__in=["active", "opened", "not_decrypted", "tampered"]),
                name="bid_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id}/{self.entity_id} v{self.version} {self.status}"


class BidEvidence(models.Model):
    """Supervision-only evidence of a submission (bid-rigging checks); never public, never shown to
    other bidders: client IP, device fingerprint hashes, document metadata the client extracted."""

    bid = models.OneToOneField(Bid, on_delete=models.PROTECT, related_name="evidence")
    client_ip = models.GenericIPAddressField("客户端IP", null=True, blank=True)
    device = models.JSONField("设备特征（哈希）", default=dict)
    document = models.JSONField("文件属性", default=dict)

    class Meta:
        verbose_name = verbose_name_plural = "投标监督信息"

    def __str__(self) -> str:
        return str(self.bid_id)


class TenderDocument(models.Model):
    """A tender document (招标文件、资格预审文件、澄清) published with the lot's notice: stored once,
    its SM3 digest signed by the platform so a downloader can check the copy it holds
    (电子招标投标办法第二十二条、第二十三条)."""

    lot = models.ForeignKey("trading.Lot", on_delete=models.PROTECT, related_name="tender_documents")
    name = models.CharField("文件名称", max_length=200)
    filename = models.CharField("原始文件名", max_length=200)
    path = models.CharField("存储路径", max_length=300)
    size = models.BigIntegerField("大小（字节）")
    sm3 = models.CharField("SM3摘要", max_length=64)
    signature = models.TextField("平台SM2签名（base64）")
    published_at = models.DateTimeField("发布时间")
    published_by_label = models.CharField("发布人", max_length=200)

    class Meta:
        verbose_name = "招标文件"
        verbose_name_plural = verbose_name
        ordering = ["lot", "published_at", "id"]
        constraints = [models.UniqueConstraint(fields=["lot", "sm3"], name="tender_document_once_per_lot")]

    def __str__(self) -> str:
        return self.name


class DocumentDownload(models.Model):
    """One download of a tender document by a member of an entity. Confidential: who obtained the
    documents is seen by supervisors only, never by other bidders or the public (招标投标法第二十二条)."""

    document = models.ForeignKey(TenderDocument, on_delete=models.PROTECT, related_name="downloads")
    entity = models.ForeignKey("entities.Entity", on_delete=models.PROTECT, related_name="+")
    user_id = models.BigIntegerField("下载账户ID")
    user_label = models.CharField("下载账户", max_length=200)
    at = models.DateTimeField("下载时间")
    client_ip = models.GenericIPAddressField("IP地址", null=True, blank=True)

    class Meta:
        verbose_name = "招标文件下载记录"
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["document", "entity"], name="document_download_entity")]

    def __str__(self) -> str:
        return f"{self.user_label} {self.at:%Y-%m-%d %H:%M}"
