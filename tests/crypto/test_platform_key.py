"""The platform signing key: generated on first use outside production, required in production."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from ggzy.crypto import platform, sm2
from ggzy.tendering.checks import signing_key_configured


def test_generated_on_first_use_and_stable(settings, tmp_path):
    path = tmp_path / "keys" / "platform-sm2.pem"
    settings.GGZY_SIGNING_KEY_FILE = str(path)
    key = platform.signing_key()
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert platform.signing_key() == key == sm2.load_private_key(path.read_bytes())
    assert platform.public_pem() == key.public_key.to_pem()
    assert key.public_key.verify(platform.sign(b"x"), b"x")
    assert not list(path.parent.glob(".*tmp"))


def test_production_requires_the_key(settings, tmp_path):
    settings.PRODUCTION = True
    settings.GGZY_SIGNING_KEY_FILE = ""
    with pytest.raises(ImproperlyConfigured, match="GGZY_SIGNING_KEY_FILE"):
        platform.signing_key()
    missing = tmp_path / "nope.pem"
    settings.GGZY_SIGNING_KEY_FILE = str(missing)
    with pytest.raises(ImproperlyConfigured, match="does not exist"):
        platform.signing_key()
    assert not missing.exists()
    assert [e.id for e in signing_key_configured(None)] == ["ggzy.E101"]
    bad = tmp_path / "bad.pem"
    bad.write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    settings.GGZY_SIGNING_KEY_FILE = str(bad)
    with pytest.raises(ImproperlyConfigured, match="not an SM2 private key"):
        platform.signing_key()
    good = tmp_path / "good.pem"
    good.write_text(sm2.PrivateKey.generate().to_pem())
    settings.GGZY_SIGNING_KEY_FILE = str(good)
    assert platform.signing_key() and signing_key_configured(None) == []


def test_production_settings_have_no_default_key_file(tmp_path):
    code = "import ggzy.settings as s; print(repr(s.GGZY_SIGNING_KEY_FILE))"
    env = dict(os.environ, GGZY_ENV="production", GGZY_SECRET_KEY="x" * 50, GGZY_VAR_DIR=str(tmp_path))
    env.pop("GGZY_SIGNING_KEY_FILE", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "''"
