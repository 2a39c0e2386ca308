"""Screenshots of page tests, kept as test artifacts (GGZY_ARTIFACTS, default var/test-artifacts)."""

from __future__ import annotations

import os
from pathlib import Path

ARTIFACTS = Path(
    os.environ.get("GGZY_ARTIFACTS", Path(__file__).resolve().parents[2] / "var" / "test-artifacts")
)


def shot(page, name: str) -> None:
    """A full-page screenshot under <artifacts>/browser/<name>.png."""
    folder = ARTIFACTS / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
