"""docs/client.md's worked example, run as written: the shell block marked ``worked-example`` is
executed with bash against a live server holding the Shanxi demo (``ggzy demo load``), with the
real ``ggzy-bid`` command line — seal, upload, receipt, verify the receipt and its inclusion in the
public log with the platform's public key only. Only two lines are adapted: ``make run`` is the
live server, and ``ggzy demo bidder`` is answered in-process (the test database is not the file
a second process would open)."""

from __future__ import annotations

import io
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from ggzy.demo import sealed
from ggzy.demo.loader import load
from ggzy.tendering import services as tendering
from ggzy.tendering.models import Bid, ReceiptLogEntry

DOC = Path(__file__).resolve().parents[2] / "docs" / "client.md"
BIN = Path(sys.executable).parent


def worked_example() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"<!-- worked-example[^>]*-->\s*```sh\n(.*?)```", text, re.S)
    assert block, "docs/client.md has no worked-example block"
    return [line for line in block.group(1).splitlines() if line.strip()]


@pytest.mark.timeout(1500)  # the whole demo loads: minutes on a loaded PostgreSQL host
@pytest.mark.django_db(transaction=True)
def test_the_worked_example_of_client_md_runs_against_the_demo(live_server, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.GGZY_BID_DIR = str(tmp_path / "bids")
    load()
    lot = sealed.bidding_lot()
    assert lot.status == "bidding"
    assert tendering.bid_deadline(lot) is not None
    f = sealed.files()
    assert stat.S_IMODE(f["key"].stat().st_mode) == 0o600, (
        "the demo private key is readable by its owner only"
    )

    out = io.StringIO()
    call_command("demo", "bidder", "--server", live_server.url, stdout=out)
    exports = out.getvalue()
    script = ["set -euo pipefail"]
    for line in worked_example():
        if line.startswith("make run"):
            continue
        if line.startswith('eval "$(.venv/bin/ggzy demo bidder)"'):
            script.append(exports)
            continue
        script.append(line.replace(".venv/bin/", f"{BIN}/"))
    work = tmp_path / "bidder"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GGZY_")}
    proc = subprocess.run(["bash", "-c", "\n".join(script)], cwd=work, env=env, capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = proc.stdout
    assert "投标文件已递交（第1版）" in text and "回执验证：通过" in text
    assert "回执验证通过" in text  # `ggzy-bid verify`: signature, leaf and inclusion proof in the live log

    # the platform holds one sealed bid of the demo bidder with its receipt in the public log
    bid = Bid.objects.get(lot=lot)
    receipt = json.loads((work / f"{lot.code}.ggzyenv.receipt.json").read_text())
    uscc = sealed.demo_admin().membership.entity.uscc
    assert bid.entity.uscc == uscc and receipt["ciphertext_sm3"] == bid.ciphertext_sm3
    entry = ReceiptLogEntry.objects.get(position=receipt["position"])
    assert entry.kind == "bid.submitted" and entry.bidder_uscc == uscc
    listed = json.loads(text[text.index("[") : text.rindex("]") + 1])
    assert [b["receipt"]["position"] for b in listed] == [receipt["position"]]

    # loading the demo again changes nothing, and the example's files stay valid
    assert sum(load().values()) == 0
    assert f["token"].read_text().strip() in exports
