"""The monthly bulk files of the open data (``ggzy opendata dump``)."""

from __future__ import annotations

from django.db import models


class Dataset(models.TextChoices):
    OCDS = "ocds-releases", "OCDS 发布（工程建设、政府采购）"
    NATIONAL = "national", "全国数据规范数据行"
    SALES = "sales", "土地、矿业权、国有产权出让转让"


class BulkFile(models.Model):
    """One gzip-compressed JSON Lines file of one month and dataset; regenerated files replace
    the row (the digests always describe the file on disk)."""

    month = models.CharField("月份", max_length=7)  # 2026-09 (Beijing time)
    dataset = models.CharField("数据集", max_length=20, choices=Dataset.choices)
    filename = models.CharField("文件名", max_length=100)
    size = models.BigIntegerField("大小（字节）")
    lines = models.PositiveIntegerField("记录数")
    sha256 = models.CharField("SHA-256", max_length=64)
    sm3 = models.CharField("SM3", max_length=64)
    generated_at = models.DateTimeField("生成时间")

    class Meta:
        ordering = ["-month", "dataset"]
        verbose_name = verbose_name_plural = "开放数据批量文件"
        constraints = [models.UniqueConstraint(fields=["month", "dataset"], name="bulkfile_unique_month")]

    def __str__(self) -> str:
        return self.filename
