"""One error shape for the whole platform: a stable machine code and a Chinese message.

Pure module (no Django). Services raise these; the API turns them into
``{"code": ..., "message": ..., "field": ..., "errors": [...]}`` with the class's HTTP status, and
pages show ``message`` next to the field it names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class FieldError:
    code: str
    message: str
    field: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "field": self.field}


class DomainError(Exception):
    """Base class. ``code`` is stable (partners rely on it); ``message`` is for people, in Chinese."""

    status = 400

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str | None = None,
        errors: list[FieldError] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.field = field
        self.errors = list(errors or [])
        self.details = dict(details or {})

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message, "field": self.field}
        body["errors"] = [e.as_dict() for e in self.errors]
        if self.details:
            body["details"] = self.details
        return body


class InvalidInput(DomainError):
    status = 422


class PermissionDenied(DomainError):
    status = 403


class NotAuthenticated(DomainError):
    status = 401


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


def invalid(errors: list[FieldError], subject: str = "提交的内容") -> InvalidInput:
    """Many field errors as one exception; its message is the first error's, or a summary.

    With several errors the code is the first error's code, so a client that checks one code
    sees the most basic problem first.
    """
    if len(errors) == 1:
        e = errors[0]
        return InvalidInput(e.code, e.message, field=e.field, errors=errors)
    return InvalidInput(
        errors[0].code,
        f"{subject}有{len(errors)}处错误：" + "；".join(e.message for e in errors),
        field=errors[0].field if len({e.field for e in errors}) == 1 else None,
        errors=errors,
    )
