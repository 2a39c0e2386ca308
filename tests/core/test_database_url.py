"""GGZY_DATABASE_URL (docs/deploy.md): a PostgreSQL URL gets the connection pool outside the tests;
a SQLite URL names another file with the platform's SQLite options (it used to be given the pool's
options, which SQLite refuses at the first connection)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.timeout(120)

PROBE = """
import json, django
from django.conf import settings
from django.db import connection
django.setup()
d = settings.DATABASES["default"]
out = {"engine": d["ENGINE"], "name": str(d["NAME"]), "options": {k: v for k, v in d.get("OPTIONS", {}).items()}}
if d["ENGINE"].endswith("sqlite3"):
    with connection.cursor() as c:
        c.execute("PRAGMA journal_mode")
        out["journal_mode"] = c.fetchone()[0]
print(json.dumps(out, default=str))
"""


def _settings(tmp_path, url: str, env_name: str = "development") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GGZY_DB_POOL")}
    env.update(GGZY_ENV=env_name, GGZY_VAR_DIR=str(tmp_path / "var"), GGZY_DATABASE_URL=url,
               DJANGO_SETTINGS_MODULE="ggzy.settings")  # fmt: skip
    return subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True)


def test_a_sqlite_url_names_another_file_with_the_platforms_options(tmp_path):
    db = tmp_path / "elsewhere.sqlite3"
    out = _settings(tmp_path, f"sqlite:///{db}")
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["engine"] == "django.db.backends.sqlite3" and got["name"] == str(db)
    assert "pool" not in got["options"] and got["options"]["transaction_mode"] == "IMMEDIATE"
    assert got["journal_mode"] == "wal" and db.exists()


def test_an_in_memory_sqlite_url_is_refused_clearly(tmp_path):
    out = _settings(tmp_path, "sqlite://:memory:")
    assert out.returncode != 0 and "ImproperlyConfigured" in out.stderr and "SQLite file" in out.stderr


def test_a_postgresql_url_gets_the_pool_outside_the_tests(tmp_path):
    url = "postgres://ggzy@127.0.0.1:5432/ggzy"
    probe = "import json; from ggzy import settings as s; print(json.dumps(s.DATABASES['default'].get('OPTIONS', {})))"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GGZY_DB_POOL")}
    base = dict(env, GGZY_VAR_DIR=str(tmp_path / "var"), GGZY_DATABASE_URL=url)
    dev = subprocess.run([sys.executable, "-c", probe], env=dict(base, GGZY_ENV="development"),
                         capture_output=True, text=True)  # fmt: skip
    assert dev.returncode == 0, dev.stderr
    assert json.loads(dev.stdout)["pool"]["max_size"] == 10
    test = subprocess.run([sys.executable, "-c", probe], env=dict(base, GGZY_ENV="test"),
                          capture_output=True, text=True)  # fmt: skip
    assert "pool" not in json.loads(test.stdout)
