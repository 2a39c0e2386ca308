"""Sealing at rest: SM4-GCM with the platform data key."""

from __future__ import annotations

import pytest

from ggzy.crypto import sealing


def test_round_trip_and_context_binding():
    blob = sealing.seal(b"secret", context="a:1")
    assert b"secret" not in blob and blob.startswith(b"GS1")
    assert sealing.unseal(blob, context="a:1") == b"secret"
    with pytest.raises(sealing.SealError):
        sealing.unseal(blob, context="a:2")
    changed = bytearray(blob)
    changed[-20] ^= 1
    with pytest.raises(sealing.SealError):
        sealing.unseal(bytes(changed), context="a:1")


def test_json_and_tags():
    assert sealing.unseal_json(sealing.seal_json({"x": "专家"}, context="c"), context="c") == {"x": "专家"}
    assert sealing.tag("expert", "E1") == sealing.tag("expert", "E1")
    assert sealing.tag("expert", "E1") != sealing.tag("expert", "E2")
    assert sealing.tag("expert", "E1") != sealing.tag("other", "E1")


def test_batch_tags_equal_single_tags():
    values = ["E1", "B00000001", "专家", "", "x" * 100]
    assert sealing.tags("expert", values) == [sealing.tag("expert", v) for v in values]
    assert sealing.tags("other", values) == [sealing.tag("other", v) for v in values]


def test_production_requires_a_key(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("GGZY_DATA_KEY", raising=False)
    settings.PRODUCTION = True
    settings.GGZY_DATA_KEY_FILE = str(tmp_path / "missing")
    sealing.reset_key_cache()
    try:
        from django.core.exceptions import ImproperlyConfigured

        with pytest.raises(ImproperlyConfigured):
            sealing.seal(b"x", context="c")
        settings.PRODUCTION = False
        sealing.reset_key_cache()
        sealing.seal(b"x", context="c")  # development: generated on first use
        assert (tmp_path / "missing").stat().st_mode & 0o777 == 0o600
    finally:
        sealing.reset_key_cache()


def test_the_production_system_check_names_a_missing_key(settings, tmp_path, monkeypatch):
    from ggzy.experts.checks import data_key_configured

    monkeypatch.delenv("GGZY_DATA_KEY", raising=False)
    assert data_key_configured(None) == []  # not production
    settings.PRODUCTION = True
    settings.GGZY_DATA_KEY_FILE = str(tmp_path / "absent")
    sealing.reset_key_cache()
    try:
        errors = data_key_configured(None)
        assert [e.id for e in errors] == ["ggzy.E201"] and "平台数据密钥" in errors[0].msg
        monkeypatch.setenv("GGZY_DATA_KEY", "00112233445566778899aabbccddeeff")
        sealing.reset_key_cache()
        assert data_key_configured(None) == []
    finally:
        sealing.reset_key_cache()
