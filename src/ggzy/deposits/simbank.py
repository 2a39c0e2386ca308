"""The simulated bank (模拟银行): the bank backend that ships by default, for development, tests
and demos. It holds an SM2 key (a PEM file, generated on first use) and builds and signs payment
callbacks exactly as a real bank would; the platform then verifies them through the same code path
(``services.bank_callback``). Refused in production settings: a production platform only accepts
callbacks from banks registered with their own public keys."""

from __future__ import annotations

import base64
import contextlib
import os
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings

from ggzy.core import clock
from ggzy.core.errors import DomainError
from ggzy.crypto import sm2
from ggzy.deposits import policy

CODE = "SIMBANK"
NAME = "模拟银行（开发测试用）"
_lock = threading.Lock()


class SimulatorDisabled(DomainError):
    status = 403


def enabled() -> bool:
    return not getattr(settings, "PRODUCTION", False)


def _refuse() -> None:
    if not enabled():
        raise SimulatorDisabled("deposit.simulator_disabled", "生产环境不能使用模拟银行")


def key_path() -> Path:
    name = getattr(settings, "GGZY_DEPOSIT_SIMBANK_KEY_FILE", "") or str(
        Path(settings.VAR_DIR) / "keys" / "simulated-bank-sm2.pem"
    )
    return Path(name)


def private_key() -> sm2.PrivateKey:
    _refuse()
    path = key_path()
    with _lock:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "w") as f:
                    f.write(sm2.PrivateKey.generate().to_pem())
                    f.flush()
                    os.fsync(f.fileno())
                with contextlib.suppress(FileExistsError):
                    os.link(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)
        return sm2.load_private_key(path.read_bytes())


def sign(body: bytes, key: sm2.PrivateKey | None = None) -> str:
    """Base64 of the DER SM2 signature (SM3, default ID) over the exact body bytes."""
    return base64.b64encode((key or private_key()).sign(body)).decode()


def build(
    *,
    sub_account: str,
    amount: Decimal | str,
    txn_id: str | None = None,
    payer_account: str = "6222000011112222333",
    payer_name: str = "",
    payer_bank: str = "模拟银行太原分行",
    bank: str = CODE,
    nonce: str | None = None,
    timestamp: Any = None,
    paid_at: Any = None,
) -> bytes:
    """A callback body as a bank builds it (canonical JSON)."""
    now = clock.now()
    payload = {
        "bank": bank,
        "txn_id": txn_id or "SIM" + sm2.random_bytes(10).hex().upper(),
        "sub_account": sub_account,
        "amount": f"{Decimal(str(amount)):.2f}",
        "currency": "CNY",
        "payer_account": payer_account,
        "payer_name": payer_name or "付款单位",
        "payer_bank": payer_bank,
        "paid_at": (paid_at or now).isoformat(),
        "nonce": nonce or sm2.random_bytes(16).hex(),
        "timestamp": (timestamp or now).isoformat(),
    }
    return policy.canonical(payload)
