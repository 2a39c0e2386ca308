from django.db import models


class NoticeDocument(models.Model):
    """A notice as the full-text index sees it: its words and bigrams (``portal.segment``) and the
    fields the search filters on. Derived data, written in the transaction that publishes the
    notice (notices never change, so neither does their document); rebuilt by
    ``ggzy search reindex``. The backend's own index lives beside it: an FTS5 table on SQLite, a
    generated ``tsvector`` column with a GIN index on PostgreSQL (migration 0001)."""

    notice = models.OneToOneField(
        "trading.Notice",
        verbose_name="公告",
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="search_document",
    )
    kind = models.CharField("公告类型", max_length=30)
    category = models.CharField("交易类别", max_length=20)
    procedure = models.CharField("交易方式（规则代码）", max_length=80)
    region_code = models.CharField("地区代码", max_length=6)
    published_at = models.DateTimeField("发布时间")
    title_tokens = models.TextField("标题分词")
    body_tokens = models.TextField("正文分词")

    class Meta:
        verbose_name = verbose_name_plural = "公告检索文档"
        indexes = [
            models.Index(fields=["category", "published_at"], name="noticedoc_category_idx"),
            models.Index(fields=["region_code", "published_at"], name="noticedoc_region_idx"),
            models.Index(fields=["kind", "published_at"], name="noticedoc_kind_idx"),
            models.Index(fields=["published_at", "notice"], name="noticedoc_published_idx"),
        ]

    def __str__(self) -> str:
        return f"检索文档 {self.notice_id}"
