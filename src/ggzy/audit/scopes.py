"""What a scoped reader of the trail may ask for (supervisors: one project they supervise).

``audit`` depends on core and crypto only, so it cannot look projects up itself: the app that owns
projects registers a resolver at start-up (``trading.apps``). A resolver takes the reference a
person typed and returns an object with ``project_ref``, ``region_code`` and ``category`` (the
right is then checked on it), or raises a ``DomainError`` (e.g. not found).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ggzy.core.errors import InvalidInput

_resolvers: dict[str, Callable[[str], Any]] = {}


def register(kind: str, resolver: Callable[[str], Any]) -> None:
    _resolvers[kind] = resolver


def resolve(kind: str, ref: str) -> Any:
    resolver = _resolvers.get(kind)
    if resolver is None:
        raise InvalidInput("audit.scope_invalid", "查阅范围必须是一个具体的项目")
    return resolver(ref)
