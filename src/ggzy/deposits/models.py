"""Deposits (保证金): a lot's requirement, per-bidder virtual sub-accounts, bank payments,
electronic guarantees and refunds. Bid deposits (投标保证金) of sealed-bid lots and bidding deposits
(竞买保证金) of auctions and listings are the same records (docs/deposits.md)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Bank(models.Model):
    """A bank allowed to post payment callbacks, identified by its SM2 public key."""

    code = models.CharField("银行代码", max_length=20, unique=True)
    name = models.CharField("银行名称", max_length=100)
    public_key_pem = models.TextField("SM2公钥（PEM）")
    fingerprint = models.CharField("公钥指纹", max_length=64)
    simulated = models.BooleanField("模拟银行", default=False)
    active = models.BooleanField("启用", default=True)
    registered_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "保证金收款银行"

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Requirement(models.Model):
    """The deposit a lot requires (set by the operator from the tender documents or auction notice)."""

    lot = models.OneToOneField(
        "trading.Lot", verbose_name="标段（包）", on_delete=models.PROTECT, related_name="deposit_requirement"
    )
    amount = models.DecimalField("保证金金额（元）", max_digits=18, decimal_places=2)
    cap = models.DecimalField("上限（元）", max_digits=18, decimal_places=2, null=True, blank=True)
    cap_explanation = models.CharField("上限依据", max_length=300, blank=True)
    guarantee_allowed = models.BooleanField("允许以电子保函提交", default=True)
    set_at = models.DateTimeField("设定时间")
    set_by_label = models.CharField("设定人", max_length=200)
    version = models.PositiveIntegerField("版本", default=1)
    # the lot's current attempt (auctions: 第n次挂牌; a relisting starts the next one). Deposits are
    # kept per (lot, bidder, attempt); tendering stays at 1 (a re-tender is a new project).
    attempt = models.PositiveSmallIntegerField("当前挂牌次数", default=1)

    class Meta:
        verbose_name = verbose_name_plural = "保证金要求"
        constraints = [models.CheckConstraint(name="deposit_requirement_positive", condition=Q(amount__gt=0))]

    def __str__(self) -> str:
        return f"{self.lot_id}: {self.amount}"


class SubAccount(models.Model):
    """The virtual sub-account one bidder pays one lot's deposit into, for one attempt (an auction
    listed again gets new sub-accounts; docs/deposits.md)."""

    lot = models.ForeignKey(
        "trading.Lot", verbose_name="标段（包）", on_delete=models.PROTECT, related_name="deposit_accounts"
    )
    uscc = models.CharField("统一社会信用代码", max_length=18)
    attempt = models.PositiveSmallIntegerField("挂牌次数", default=1)
    entity_name = models.CharField("主体名称", max_length=200)
    number = models.CharField("子账号", max_length=40, unique=True)
    opened_at = models.DateTimeField("开立时间")

    class Meta:
        ordering = ["lot_id", "opened_at", "id"]
        verbose_name = verbose_name_plural = "保证金子账户"
        constraints = [
            models.UniqueConstraint(
                fields=["lot", "uscc", "attempt"], name="deposit_subaccount_unique_attempt"
            )
        ]

    def __str__(self) -> str:
        return self.number


class Payment(models.Model):
    """A payment a bank reported into a sub-account. The payer's account is supervision-only."""

    sub_account = models.ForeignKey(SubAccount, on_delete=models.PROTECT, related_name="payments")
    bank = models.ForeignKey(Bank, on_delete=models.PROTECT, related_name="payments")
    txn_id = models.CharField("银行交易流水号", max_length=64)
    nonce = models.CharField("随机数", max_length=64)
    amount = models.DecimalField("金额（元）", max_digits=18, decimal_places=2)
    paid_at = models.DateTimeField("入账时间")
    received_at = models.DateTimeField("收到回调时间")
    payer_account = models.CharField("付款账号", max_length=40)
    payer_name = models.CharField("付款户名", max_length=200)
    payer_bank = models.CharField("付款行", max_length=100, blank=True)
    content_sm3 = models.CharField("到账内容SM3", max_length=64)
    answer = models.JSONField("应答", default=dict)

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name = verbose_name_plural = "保证金到账记录"
        constraints = [
            models.UniqueConstraint(fields=["bank", "txn_id"], name="deposit_payment_txn_unique"),
            models.UniqueConstraint(fields=["bank", "nonce"], name="deposit_payment_nonce_unique"),
            models.CheckConstraint(name="deposit_payment_positive", condition=Q(amount__gt=0)),
        ]
        indexes = [models.Index(fields=["payer_account"], name="deposit_payer_idx")]

    def __str__(self) -> str:
        return self.txn_id


class GuaranteeStatus(models.TextChoices):
    PENDING = "pending", "待核验"
    VERIFIED = "verified", "核验通过"
    REJECTED = "rejected", "核验不通过"


class Guarantee(models.Model):
    """An electronic guarantee (电子保函) given instead of cash."""

    lot = models.ForeignKey("trading.Lot", on_delete=models.PROTECT, related_name="deposit_guarantees")
    uscc = models.CharField("统一社会信用代码", max_length=18)
    attempt = models.PositiveSmallIntegerField("挂牌次数", default=1)
    issuer = models.CharField("出具机构", max_length=200)
    number = models.CharField("保函编号", max_length=64)
    amount = models.DecimalField("担保金额（元）", max_digits=18, decimal_places=2)
    valid_from = models.DateField("生效日期")
    valid_until = models.DateField("失效日期")
    status = models.CharField("核验状态", max_length=10, choices=GuaranteeStatus.choices, default="pending")
    recorded_at = models.DateTimeField("登记时间")
    recorded_by_label = models.CharField("登记人", max_length=200)
    verified_at = models.DateTimeField("核验时间", null=True, blank=True)
    verified_by_label = models.CharField("核验人", max_length=200, blank=True)
    note = models.CharField("核验说明", max_length=500, blank=True)

    class Meta:
        ordering = ["lot_id", "recorded_at", "id"]
        verbose_name = verbose_name_plural = "电子保函"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "number"], name="deposit_guarantee_unique"),
            models.CheckConstraint(name="deposit_guarantee_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="deposit_guarantee_validity", condition=Q(valid_until__gte=models.F("valid_from"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.number}"


class Refund(models.Model):
    """A refund owed to one bidder of one lot (one attempt), with its statutory deadline; once per
    bidder, lot and attempt."""

    lot = models.ForeignKey("trading.Lot", on_delete=models.PROTECT, related_name="deposit_refunds")
    uscc = models.CharField("统一社会信用代码", max_length=18)
    attempt = models.PositiveSmallIntegerField("挂牌次数", default=1)
    amount = models.DecimalField("退还金额（元）", max_digits=18, decimal_places=2)
    reason = models.CharField("退还原因", max_length=20)
    due_from = models.DateField("起算日")
    deadline = models.DateField("最迟退还日")
    deadline_ref = models.PositiveBigIntegerField("法定期限记录", null=True, blank=True)
    days = models.PositiveSmallIntegerField("期限天数")
    kind = models.CharField("期限单位", max_length=10)
    basis = models.CharField("依据", max_length=200)
    provisional = models.BooleanField("暂定（放假安排未发布）", default=False)
    scheduled_at = models.DateTimeField("登记时间")
    refunded_at = models.DateTimeField("退还时间", null=True, blank=True)
    reference = models.CharField("退款流水号", max_length=64, blank=True)
    interest = models.DecimalField("利息（元）", max_digits=18, decimal_places=2, default=0)
    overdue_warned_at = models.DateTimeField("逾期预警时间", null=True, blank=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = verbose_name_plural = "保证金退还"
        constraints = [
            models.UniqueConstraint(fields=["lot", "uscc", "attempt"], name="deposit_refund_unique_attempt")
        ]
        indexes = [models.Index(fields=["refunded_at", "deadline"], name="deposit_refund_open_idx")]

    def __str__(self) -> str:
        return f"{self.uscc} {self.deadline}"

    @property
    def reason_label(self) -> str:
        from ggzy.deposits.policy import REASONS

        return REASONS.get(self.reason, self.reason)


class DisposalKind(models.TextChoices):
    APPLIED = "applied", "抵作成交价款"
    FORFEITED = "forfeited", "不予退还（没收）"


class Disposal(models.Model):
    """A deposit kept instead of refunded: the winner's applied to the price (抵作成交价款), or a
    defaulter's forfeited (不予退还). Once per bidder and lot; excludes a refund (docs/deposits.md)."""

    lot = models.ForeignKey("trading.Lot", on_delete=models.PROTECT, related_name="deposit_disposals")
    uscc = models.CharField("统一社会信用代码", max_length=18)
    attempt = models.PositiveSmallIntegerField("挂牌次数", default=1)
    kind = models.CharField("处理方式", max_length=10, choices=DisposalKind.choices)
    amount = models.DecimalField("金额（元）", max_digits=18, decimal_places=2)
    price = models.DecimalField("成交价（元）", max_digits=18, decimal_places=2, null=True, blank=True)
    reference = models.CharField("依据文书编号", max_length=64, blank=True)
    reason = models.CharField("原因", max_length=300)
    basis = models.CharField("依据", max_length=200, blank=True)
    at = models.DateTimeField("处理时间")
    by_label = models.CharField("经办人", max_length=200)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = verbose_name_plural = "保证金转价款或没收"
        constraints = [
            models.UniqueConstraint(
                fields=["lot", "uscc", "attempt"], name="deposit_disposal_unique_attempt"
            ),
            models.CheckConstraint(name="deposit_disposal_positive", condition=Q(amount__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.uscc} {self.kind}"
