"""Master data every app shares: administrative regions (GB/T 2260)."""

from __future__ import annotations

from django.db import models

from ggzy.core.choices import RegionLevel


class Region(models.Model):
    """An administrative division of the province this platform serves (from regions-shanxi.csv).

    Entities from other provinces are not limited to these: their region codes are checked by the
    USCC rules only (seed 三(七): no barriers against outside entities).
    """

    code = models.CharField("行政区划代码", max_length=6, primary_key=True)
    name = models.CharField("名称", max_length=50)
    level = models.CharField("级别", max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "行政区划"

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def full_name(self) -> str:
        names = []
        node: Region | None = self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))
