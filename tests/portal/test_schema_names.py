"""The OpenAPI document names each response schema once: two apps defining a schema class with the
same name (e.g. two ``LotOut``) would make django-ninja publish one under both, silently changing
an endpoint's documented response."""

from __future__ import annotations

import collections

from ninja import Schema

from ggzy.api import api


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_no_two_api_schemas_share_a_name():
    api.get_openapi_schema()  # imports every router and its schemas
    names = collections.defaultdict(set)
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("ggzy."):
            names[cls.__name__].add(cls.__module__)
    clashes = {name: sorted(mods) for name, mods in names.items() if len(mods) > 1}
    assert not clashes, f"schema class names used by more than one module: {clashes}"
