"""Evaluation, award, contract and performance (docs/evaluation.md). Rows are written only by
``evaluation.services``; nothing is deleted (an objection answered, a contract amended: new rows)."""

from __future__ import annotations

from django.db import models


class Status(models.TextChoices):
    QUALIFICATION = "qualification", "资格审查"
    QUOTING = "quoting", "报价（谈判、磋商）"
    SCORING = "scoring", "详细评审"
    SIGNING = "signing", "评标报告签署"
    DONE = "done", "评标完成"
    PUBLICITY = "publicity", "中标候选人公示"
    AWARDED = "awarded", "已定标"
    FAILED = "failed", "评标失败"
    TERMINATED = "terminated", "已终止"


class Evaluation(models.Model):
    lot = models.OneToOneField("trading.Lot", on_delete=models.PROTECT, related_name="evaluation")
    ruleset_code = models.CharField("规则", max_length=60)
    method = models.CharField("评标（评审）办法", max_length=40)
    scoring_table = models.JSONField("评分表", default=dict, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices)
    committee_source = models.CharField("评标委员会来源", max_length=10)  # draw | staff
    current_round = models.PositiveSmallIntegerField("当前报价轮次", default=0)
    started_at = models.DateTimeField("开始时间")
    started_by_label = models.CharField("组织人", max_length=200)
    report = models.JSONField("评标报告", default=dict, blank=True)
    report_sm3 = models.CharField("评标报告SM3摘要", max_length=64, blank=True)
    report_at = models.DateTimeField("评标报告生成时间", null=True, blank=True)
    done_at = models.DateTimeField("评标完成时间", null=True, blank=True)
    publicity_start = models.DateTimeField("公示开始", null=True, blank=True)
    publicity_end = models.DateTimeField("公示结束", null=True, blank=True)
    publicity_notice = models.CharField("公示公告编号", max_length=40, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = verbose_name_plural = "评标"

    def __str__(self) -> str:
        return f"评标 {self.lot_id}"


class Member(models.Model):
    """An expert of the evaluation committee (from the lot's drawn committee, or composed by staff)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="members")
    expert = models.ForeignKey("experts.Expert", on_delete=models.PROTECT, related_name="+")
    expert_code = models.CharField("专家编号", max_length=20)
    name = models.CharField("姓名", max_length=50)
    user_id = models.BigIntegerField("账户ID", null=True, blank=True)

    class Meta:
        ordering = ["evaluation_id", "expert_code"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "expert"], name="evaluation_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.expert_code} {self.name}"


class Tenderer(models.Model):
    """A bidder (supplier) being evaluated, with the bid's 开标一览表 as opened (or its response)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="tenderers")
    uscc = models.CharField("统一社会信用代码", max_length=18)
    name = models.CharField("名称", max_length=200)
    price = models.DecimalField("报价（元）", max_digits=18, decimal_places=2, null=True, blank=True)
    summary = models.JSONField("开标一览表", default=dict, blank=True)
    order = models.PositiveIntegerField("递交顺序")
    source_ref = models.CharField("来源", max_length=60, blank=True)
    qualified = models.BooleanField("通过资格审查", null=True, blank=True)
    reasons = models.JSONField("未通过原因", default=list, blank=True)
    adjustment = models.DecimalField("评审价格调整（元）", max_digits=18, decimal_places=2, default=0)
    price_score = models.DecimalField("价格分", max_digits=7, decimal_places=2, null=True, blank=True)
    total = models.DecimalField("总分", max_digits=7, decimal_places=2, null=True, blank=True)
    rank = models.PositiveSmallIntegerField("排名", null=True, blank=True)
    withdrawn = models.CharField("放弃或不符合中标条件的原因", max_length=500, blank=True)

    class Meta:
        ordering = ["evaluation_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "uscc"], name="evaluation_tenderer_once")
        ]

    def __str__(self) -> str:
        return f"{self.uscc} {self.name}"


class QualificationSheet(models.Model):
    """One expert's qualification review of every bidder: {uscc: {"passed": bool, "reason": str}}."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="qualification_sheets")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    votes = models.JSONField(default=dict)
    submitted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "member"], name="qualification_sheet_once")
        ]

    def __str__(self) -> str:
        return f"资格审查 {self.member_id}"


class ScoreSheet(models.Model):
    """One expert's scores: {uscc: {item: "12.50"}}; written once, never changed."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="score_sheets")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    scores = models.JSONField(default=dict)
    submitted_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["evaluation", "member"], name="score_sheet_once")]

    def __str__(self) -> str:
        return f"评分 {self.member_id}"


class Quote(models.Model):
    """A quote of a supplier in a round (negotiation, consultation, request for quotation, single source)."""

    tenderer = models.ForeignKey(Tenderer, on_delete=models.PROTECT, related_name="quotes")
    round = models.PositiveSmallIntegerField("轮次")
    price = models.DecimalField("报价（元）", max_digits=18, decimal_places=2)
    final = models.BooleanField("最后报价", default=False)
    recorded_at = models.DateTimeField()
    recorded_by_label = models.CharField(max_length=200)

    class Meta:
        ordering = ["tenderer_id", "round"]
        constraints = [models.UniqueConstraint(fields=["tenderer", "round"], name="quote_once_per_round")]

    def __str__(self) -> str:
        return f"第{self.round}轮 {self.price}"


class Signature(models.Model):
    """An expert's signature of the evaluation report: an audited confirmation of the report's SM3
    digest (experts hold no keys on the platform), with a dissent if any (实施条例第五十三条)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="signatures")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    report_sm3 = models.CharField(max_length=64)
    dissent = models.TextField("不同意见及理由", blank=True)
    signed_at = models.DateTimeField()
    audit_seq = models.BigIntegerField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["evaluation", "member"], name="report_signed_once")]

    def __str__(self) -> str:
        return f"签署 {self.member_id}"


class Objection(models.Model):
    """An objection (异议) to the evaluation result during the candidate publicity (实施条例第五十四条)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="objections")
    uscc = models.CharField("异议人", max_length=18)
    name = models.CharField("异议人名称", max_length=200)
    text = models.TextField("异议内容")
    filed_at = models.DateTimeField("提出时间")
    filed_by_label = models.CharField(max_length=200)
    answer = models.TextField("答复", blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by_label = models.CharField(max_length=200, blank=True)
    overdue_warning_id = models.BigIntegerField("逾期未答复预警", null=True, blank=True)

    class Meta:
        ordering = ["filed_at", "id"]

    def __str__(self) -> str:
        return f"异议 {self.uscc}"


class Award(models.Model):
    """定标 and the notice of award (中标通知书): a PDF signed by the platform's SM2 key."""

    evaluation = models.OneToOneField(Evaluation, on_delete=models.PROTECT, related_name="award")
    tenderer = models.ForeignKey(Tenderer, on_delete=models.PROTECT, related_name="+")
    price = models.DecimalField("中标金额（元）", max_digits=18, decimal_places=2)
    code = models.CharField("中标通知书编号", max_length=40, unique=True)
    awarded_at = models.DateTimeField("发出时间")
    awarded_by_label = models.CharField(max_length=200)
    passed_over = models.JSONField("依次递补说明", default=list, blank=True)
    pdf = models.BinaryField("中标通知书PDF")
    pdf_sm3 = models.CharField(max_length=64)
    signature = models.TextField("平台SM2签名（base64）")
    key_fingerprint = models.CharField(max_length=64)
    notice_number = models.CharField("结果公告编号", max_length=40, blank=True)
    contract_due_on = models.DateField("合同订立期限")

    class Meta:
        verbose_name = verbose_name_plural = "中标通知书"

    def __str__(self) -> str:
        return self.code


class Contract(models.Model):
    award = models.OneToOneField(Award, on_delete=models.PROTECT, related_name="contract")
    contract_no = models.CharField("合同编号", max_length=60)
    amount = models.DecimalField("合同金额（元）", max_digits=18, decimal_places=2)
    signed_on = models.DateField("签订日期")
    recorded_at = models.DateTimeField()
    recorded_by_label = models.CharField(max_length=200)
    notice_number = models.CharField("合同公告编号", max_length=40, blank=True)
    late = models.BooleanField("逾期订立", default=False)

    def __str__(self) -> str:
        return self.contract_no


class OverdueCheck(models.Model):
    """The 30-day contract check has raised its warning for this award (once; the tick is idempotent)."""

    award = models.OneToOneField(Award, on_delete=models.PROTECT, related_name="overdue_check")
    warning_id = models.BigIntegerField()
    raised_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"逾期 {self.award_id}"


class Performance(models.Model):
    MILESTONE, PAYMENT, COMPLETION = "milestone", "payment", "completion"
    KINDS = [(MILESTONE, "履约节点"), (PAYMENT, "支付"), (COMPLETION, "完工（验收）")]

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="records")
    kind = models.CharField("类型", max_length=20, choices=KINDS)
    occurred_on = models.DateField("日期")
    amount = models.DecimalField("金额（元）", max_digits=18, decimal_places=2, null=True, blank=True)
    description = models.CharField("说明", max_length=500)
    recorded_at = models.DateTimeField()
    recorded_by_label = models.CharField(max_length=200)
    notice_number = models.CharField("公告编号", max_length=40, blank=True)

    class Meta:
        ordering = ["contract_id", "occurred_on", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_on}"
