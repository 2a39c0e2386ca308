"""The OpenAPI document is a contract with trading systems and the national platform: operations
and public response fields may be added, never dropped or renamed.

After an intended addition, refresh the recorded contract with
``GGZY_UPDATE_CONTRACT=1 GGZY_ENV=test .venv/bin/pytest tests/portal/test_openapi_contract.py``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

CONTRACT = Path(__file__).with_name("openapi_contract.json")


def _resolve(schema: dict, spec: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def _fields(schema: dict, spec: dict, prefix: str = "", depth: int = 0) -> set[str]:
    schema = _resolve(schema, spec)
    out: set[str] = set()
    if depth > 4:
        return out
    if schema.get("type") == "array" and "items" in schema:
        return _fields(schema["items"], spec, prefix + "[]", depth + 1)
    for key in ("anyOf", "allOf", "oneOf"):
        for sub in schema.get(key, []):
            out |= _fields(sub, spec, prefix, depth + 1)
    for name, prop in schema.get("properties", {}).items():
        out.add(prefix + name)
        out |= _fields(prop, spec, prefix + name + ".", depth + 1)
    return out


def current_contract(spec: dict) -> dict[str, list[str]]:
    contract: dict[str, list[str]] = {}
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            fields: set[str] = set()
            for status, resp in op.get("responses", {}).items():
                if not str(status).startswith("2"):
                    continue
                for media in resp.get("content", {}).values():
                    fields |= _fields(media.get("schema", {}), spec)
            contract[f"{method.upper()} {path}"] = sorted(fields)
    return dict(sorted(contract.items()))


@pytest.fixture
def spec(client):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    return r.json()


def test_openapi_is_served_with_a_docs_page(client, spec):
    assert spec["openapi"].startswith("3.")
    assert client.get("/api/docs").status_code == 200


def test_no_operation_or_public_field_is_dropped(spec):
    now = current_contract(spec)
    if os.environ.get("GGZY_UPDATE_CONTRACT") == "1":
        CONTRACT.write_text(json.dumps(now, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    recorded = json.loads(CONTRACT.read_text(encoding="utf-8"))
    missing_ops = sorted(set(recorded) - set(now))
    assert not missing_ops, f"operations dropped from the API: {missing_ops}"
    dropped = {op: sorted(set(fields) - set(now[op])) for op, fields in recorded.items()}
    dropped = {op: f for op, f in dropped.items() if f}
    assert not dropped, f"public response fields dropped: {dropped}"


def test_every_operation_is_described_in_chinese(spec):
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            summary = op.get("summary", "")
            assert re.search(r"[\u4e00-\u9fff]", summary), f"{method.upper()} {path} has no Chinese summary"
