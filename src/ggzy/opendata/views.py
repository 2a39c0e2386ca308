"""The 开放数据 page and the file downloads (public)."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render

from ggzy.core.errors import DomainError, NotFound
from ggzy.opendata import feed, national, selectors
from ggzy.opendata.models import Dataset


def _error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "opendata/error.html", {"error": exc}, status=exc.status)


def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "opendata/index.html",
        {
            "files": list(selectors.bulk_files()[:240]),
            "datasets": Dataset.choices,
            "tables": national.tables(),
            "public_actions": feed.PUBLIC_ACTIONS,
            "prefix": f"ocds-{settings.GGZY_OCDS_PREFIX}",
            "max_limit": feed.MAX_LIMIT,
        },
    )


def download(request: HttpRequest, month: str, dataset: str) -> HttpResponse:
    try:
        f = selectors.bulk_file_get(month, dataset)
    except DomainError as exc:
        return _error(request, exc)
    path = Path(settings.GGZY_OPENDATA_DIR) / f.filename
    if not path.exists():
        return _error(request, NotFound("opendata.file_missing", "文件暂不可用，请稍后再试"))
    response = FileResponse(path.open("rb"), as_attachment=True, filename=f.filename)
    response["Content-Type"] = "application/gzip"
    response["X-Content-SHA256"] = f.sha256
    response["X-Content-SM3"] = f.sm3
    return response


def ocds_record(request: HttpRequest, code: str) -> HttpResponse:
    """The project's OCDS record package as a file to save (linked from the project page)."""
    try:
        package = selectors.project_record_package(code)
    except DomainError as exc:
        return _error(request, exc)
    body = json.dumps(package, ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ocds-{code.upper()[:23]}.json"'
    return response
