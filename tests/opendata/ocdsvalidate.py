"""Run the vendored offline OCDS validator (tests/opendata/ocds_kit) on a package."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

KIT = Path(__file__).parent / "ocds_kit"
BIDS_ARCHIVE = "https://github.com/open-contracting-extensions/ocds_bid_extension/archive/v1.1.5.zip"


def validate(package: dict, tmp_path: Path) -> dict:
    """The validator's report; fails the test with the report when it finds any error."""
    path = tmp_path / "package.json"
    path.write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            str(KIT / "validate.py"),
            "--standard-zip",
            str(KIT / "standard-1__1__5.zip"),
            "--ext-zip",
            f"{BIDS_ARCHIVE}={KIT / 'ocds_bid_extension-v1.1.5.zip'}",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    try:
        report = json.loads(done.stdout)
    except ValueError:
        raise AssertionError(f"validator did not run: {done.stderr[-2000:]}") from None
    assert done.returncode == 0, json.dumps(report, ensure_ascii=False, indent=1)[:5000]
    return report
