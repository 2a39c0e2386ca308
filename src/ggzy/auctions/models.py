"""Auctions and listings of land-use rights, mining rights and state property (docs/auctions.md).

An ``Auction`` belongs to one lot (one per attempt: a failed listing is listed again as attempt 2 …);
its configuration and its state are stored on the row, which every bid locks. Only accepted bids
are stored (``Bid``); a refused bid changes nothing.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Kind(models.TextChoices):
    LAND = "land", "国有建设用地使用权"
    MINING = "mining", "矿业权"
    PROPERTY = "property", "国有产权"


class Mode(models.TextChoices):
    LISTING = "listing", "挂牌（挂牌期满后限时竞价）"
    TIMED = "timed", "拍卖（限时竞价）"
    ENGLISH = "english", "网络竞价（多轮）"
    DUTCH = "dutch", "降价竞价"


class Phase(models.TextChoices):
    PENDING = "pending", "未开始"
    LISTING = "listing", "挂牌报价"
    LISTING_ENDED = "listing_ended", "挂牌截止"
    BIDDING = "bidding", "竞价中"
    CAP = "cap", "达到最高限价，竞配建面积"
    CLOSED = "closed", "已结束"


class Result(models.TextChoices):
    NONE = "", "未定"
    SOLD = "sold", "成交"
    NEGOTIATED = "negotiated", "协议成交"
    NO_BIDS = "no_bids", "流拍（无人报价）"
    RESERVE_NOT_MET = "reserve_not_met", "流拍（未达保留价）"


class Auction(models.Model):
    lot = models.ForeignKey(
        "trading.Lot", verbose_name="标段（包）", on_delete=models.PROTECT, related_name="+"
    )
    attempt = models.PositiveSmallIntegerField("挂牌次数", default=1)
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    mode = models.CharField("方式", max_length=10, choices=Mode.choices)
    title = models.CharField("标的名称", max_length=200)
    # configuration
    starting_price = models.DecimalField("起始价（元）", max_digits=18, decimal_places=2)
    increment = models.DecimalField("增价幅度（元）", max_digits=18, decimal_places=2)
    reserve_price = models.DecimalField(
        "保留价（元）", max_digits=18, decimal_places=2, null=True, blank=True
    )
    price_cap = models.DecimalField("最高限价（元）", max_digits=18, decimal_places=2, null=True, blank=True)
    quantity_label = models.CharField("第二报价指标", max_length=40, blank=True, default="")
    quantity_start = models.DecimalField("第二指标起始值", max_digits=14, decimal_places=2, default=0)
    quantity_increment = models.DecimalField(
        "第二指标增加幅度", max_digits=14, decimal_places=2, null=True, blank=True
    )
    deposit = models.DecimalField("竞买保证金（元）", max_digits=18, decimal_places=2)
    countdown_seconds = models.PositiveIntegerField("倒计时（秒）", default=240)
    round_seconds = models.PositiveIntegerField("每轮时长（秒）", default=300)
    dutch_step = models.DecimalField("每次降价（元）", max_digits=18, decimal_places=2, null=True, blank=True)
    dutch_floor = models.DecimalField("最低价（元）", max_digits=18, decimal_places=2, null=True, blank=True)
    dutch_interval_seconds = models.PositiveIntegerField("降价间隔（秒）", default=60)
    acceleration = models.PositiveSmallIntegerField("演示加速倍数", default=1)
    starts_at = models.DateTimeField("开始时间")
    listing_ends_at = models.DateTimeField("挂牌截止时间", null=True, blank=True)
    hard_stop_at = models.DateTimeField("竞价最迟结束时间", null=True, blank=True)
    # state
    phase = models.CharField("阶段", max_length=16, choices=Phase.choices, default=Phase.PENDING)
    price = models.DecimalField("当前价（元）", max_digits=18, decimal_places=2, null=True, blank=True)
    quantity = models.DecimalField("当前第二指标", max_digits=14, decimal_places=2, null=True, blank=True)
    leader = models.ForeignKey(
        "Registration", verbose_name="当前最高报价人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    bid_count = models.PositiveIntegerField("有效报价数", default=0)
    deadline_at = models.DateTimeField("本阶段截止时间", null=True, blank=True, db_index=True)
    round_no = models.PositiveIntegerField("轮次", default=0)
    round_raised = models.BooleanField("本轮已加价", default=False)
    opened_at = models.DateTimeField("开始竞价时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    result = models.CharField("结果", max_length=20, choices=Result.choices, blank=True, default="")
    final_price = models.DecimalField("成交价（元）", max_digits=18, decimal_places=2, null=True, blank=True)
    premium_rate = models.DecimalField("溢价率（%）", max_digits=9, decimal_places=2, null=True, blank=True)
    result_notice = models.CharField("结果公告编号", max_length=40, blank=True, default="")
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "拍卖挂牌"
        constraints = [
            models.UniqueConstraint(fields=["lot", "attempt"], name="auction_unique_attempt"),
            models.CheckConstraint(name="auction_start_positive", condition=Q(starting_price__gt=0)),
            models.CheckConstraint(name="auction_increment_positive", condition=Q(increment__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.title}（第{self.attempt}次）"

    # scope of permissions: the lot's region and category
    @property
    def region_code(self) -> str:
        return self.lot.project.region_code

    @property
    def category(self) -> str:
        return self.lot.project.category


class RegStatus(models.TextChoices):
    APPLIED = "applied", "待资格审查"
    QUALIFIED = "qualified", "资格审查通过"
    REJECTED = "rejected", "资格审查未通过"


class Registration(models.Model):
    """A bidder's (竞买人 / 意向受让方) registration: qualification review, deposit, bidding number."""

    auction = models.ForeignKey(Auction, on_delete=models.PROTECT, related_name="registrations")
    entity = models.ForeignKey(
        "entities.Entity", verbose_name="竞买人", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("资格状态", max_length=10, choices=RegStatus.choices, default=RegStatus.APPLIED)
    review_note = models.CharField("审查意见", max_length=500, blank=True, default="")
    deposit_confirmed_at = models.DateTimeField("保证金到账确认时间", null=True, blank=True)
    deposit_reference = models.CharField("到账凭证号", max_length=64, blank=True, default="")
    number = models.CharField("竞买号", max_length=8, blank=True, default="")
    wants_to_continue = models.BooleanField("挂牌截止时要求现场竞价", default=False)
    created_at = models.DateTimeField("报名时间")

    class Meta:
        ordering = ["auction_id", "created_at"]
        verbose_name = verbose_name_plural = "竞买报名"
        constraints = [
            models.UniqueConstraint(fields=["auction", "entity"], name="registration_unique_entity"),
            models.UniqueConstraint(
                fields=["auction", "number"], condition=~Q(number=""), name="registration_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"报名{self.pk}"

    @property
    def may_bid(self) -> bool:
        return (
            self.status == RegStatus.QUALIFIED and self.deposit_confirmed_at is not None and bool(self.number)
        )


class Bid(models.Model):
    """An accepted bid (quote during listing, bid during bidding). Refused bids are not stored."""

    auction = models.ForeignKey(Auction, on_delete=models.PROTECT, related_name="bids")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="bids")
    seq = models.PositiveIntegerField("序号")
    amount = models.DecimalField("报价（元）", max_digits=18, decimal_places=2)
    quantity = models.DecimalField("第二指标", max_digits=14, decimal_places=2, default=0)
    phase = models.CharField("阶段", max_length=16, choices=Phase.choices)
    accepted_at = models.DateTimeField("服务器受理时间")
    client_ref = models.CharField("客户端请求号", max_length=64, blank=True, default="")

    class Meta:
        ordering = ["auction_id", "seq"]
        verbose_name = verbose_name_plural = "有效报价"
        constraints = [
            models.UniqueConstraint(fields=["auction", "seq"], name="bid_unique_seq"),
            # no two accepted bids at the same price (at the cap: the same second quantity)
            models.UniqueConstraint(fields=["auction", "amount", "quantity"], name="bid_unique_price"),
            models.UniqueConstraint(
                fields=["registration", "client_ref"], condition=~Q(client_ref=""), name="bid_unique_client_ref"
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.amount}"


class ConfirmationStatus(models.TextChoices):
    ISSUED = "issued", "待签订"
    SIGNED = "signed", "已签订"
    DEFAULTED = "defaulted", "逾期未签订（保证金不予退还）"


class Confirmation(models.Model):
    """The transaction confirmation (成交确认书, 拍卖法第五十二条) of a sale: a Chinese PDF signed with
    the platform's SM2 key, and the winner's signing deadline (docs/auctions.md "Results"). A winner
    who defaults is followed by a confirmation for the next-highest bidder where the policy says so."""

    auction = models.ForeignKey(Auction, on_delete=models.PROTECT, related_name="confirmations")
    registration = models.ForeignKey(
        Registration, verbose_name="竞得人", on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField("成交确认书编号", max_length=40, unique=True)
    price = models.DecimalField("成交价（元）", max_digits=18, decimal_places=2)
    premium_rate = models.DecimalField("溢价率（%）", max_digits=9, decimal_places=2)
    issued_at = models.DateTimeField("签发时间")
    sign_due_at = models.DateTimeField("签订期限", db_index=True)
    sign_basis = models.CharField("签订期限依据", max_length=300)
    sign_basis_confirmed = models.BooleanField("依据已核实", default=False)
    on_default = models.CharField("逾期未签订的处理", max_length=12)
    pdf = models.BinaryField("成交确认书PDF")
    pdf_sm3 = models.CharField(max_length=64)
    signature = models.TextField("平台SM2签名（base64）")
    key_fingerprint = models.CharField(max_length=64)
    status = models.CharField("状态", max_length=10, choices=ConfirmationStatus.choices, default="issued")
    signed_at = models.DateTimeField("签订时间", null=True, blank=True)
    signed_by_label = models.CharField("签订人", max_length=200, blank=True)
    defaulted_at = models.DateTimeField("认定逾期时间", null=True, blank=True)
    outcome_note = models.CharField("后续处理", max_length=300, blank=True)
    # the contract not recorded by its deadline: supervisors warned once (contracts.contracts_overdue)
    contract_warned_at = models.DateTimeField("合同逾期预警时间", null=True, blank=True)

    class Meta:
        ordering = ["auction_id", "issued_at", "id"]
        verbose_name = verbose_name_plural = "成交确认书"
        constraints = [
            models.UniqueConstraint(fields=["auction", "registration"], name="confirmation_unique_winner"),
        ]

    def __str__(self) -> str:
        return self.code


class Contract(models.Model):
    """The contract that follows a signed confirmation (土地、矿业权：出让合同；国有产权：产权交易合同),
    signed between the transferor and the winner and recorded by the service center; published as a
    contract notice (docs/auctions.md "Contract"). Its price is the confirmation's."""

    confirmation = models.OneToOneField(Confirmation, on_delete=models.PROTECT, related_name="contract")
    name = models.CharField("合同名称", max_length=60)
    contract_no = models.CharField("合同编号", max_length=60)
    amount = models.DecimalField("合同价款（元）", max_digits=18, decimal_places=2)
    signed_on = models.DateField("签订日期")
    due_on = models.DateField("应签订日期（期限最后一日）")
    basis = models.CharField("签订期限依据", max_length=300)
    basis_confirmed = models.BooleanField("依据已核实", default=False)
    late = models.BooleanField("逾期签订", default=False)
    recorded_at = models.DateTimeField("登记时间")
    recorded_by_label = models.CharField("登记人", max_length=200)
    notice_number = models.CharField("合同公告编号", max_length=40, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "成交合同"

    def __str__(self) -> str:
        return self.contract_no
