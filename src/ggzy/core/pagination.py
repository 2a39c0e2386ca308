"""Page-number pagination for the API with the platform's bounds (django-ninja's
``PageNumberPagination`` underneath): ``page`` from 1 to ``MAX_PAGE`` (a larger page made an offset
beyond the database's 64-bit integers and answered 500), ``page_size`` from 1 to ``MAX_PAGE_SIZE``.
The default page size is given per endpoint: ``@paginate(Pages, page_size=20)`` (ninja's own
default ignores a subclass's ``page_size`` attribute: its constructor sets it)."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE = 100_000
MAX_PAGE_SIZE = 100


class Pages(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description=f"页码（1–{MAX_PAGE}）")
        page_size: int | None = Field(
            None, ge=1, le=MAX_PAGE_SIZE, description=f"每页条数（1–{MAX_PAGE_SIZE}）"
        )

    def __init__(self, page_size: int = 20, **kwargs: Any) -> None:
        super().__init__(page_size=page_size, max_page_size=MAX_PAGE_SIZE, **kwargs)
