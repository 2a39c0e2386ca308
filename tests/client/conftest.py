"""Sealed bid files of every tendering test go to a temporary directory."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def bid_dir(settings, tmp_path):
    settings.GGZY_BID_DIR = str(tmp_path / "bids")
    return tmp_path / "bids"
