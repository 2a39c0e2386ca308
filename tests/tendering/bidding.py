"""Test data for sealed bids: a lot open for bids, bidders with registered keys, sealed bid files."""

from __future__ import annotations

import base64
import datetime as dt
import io
import itertools

from ggzy.accounts.models import Role
from ggzy.core import clock
from ggzy.crypto import envelope, sm2
from ggzy.tendering import bidfile, services
from ggzy.trading import services as trading
from ggzy.trading.models import Lot, LotEvent
from tests.trading import helpers as th

MARKER = "绝密标记-GGZY-PLAINTEXT-MARKER-7f3a"
_n = itertools.count(500)


def lot(deadline_in: float = 3600, ruleset: str = "engineering.open_tendering") -> Lot:
    """A lot in its bidding stage whose bid deadline (= opening) is ``deadline_in`` seconds away."""
    op = th.operator()
    project = trading.project_register(data=th.data(ruleset_code=ruleset), actor=op)
    lt = project.lots.get()
    deadline = clock.now() + dt.timedelta(seconds=deadline_in)
    set_deadline(lt, deadline)
    Lot.objects.filter(pk=lt.pk).update(status="bidding", next_check_at=deadline)
    lt.refresh_from_db()
    return lt


def set_deadline(lt: Lot, at: dt.datetime) -> None:
    for event in ("bid_deadline", "opening"):
        LotEvent.objects.update_or_create(lot=lt, event=event, defaults={"at": at})


class Bidder:
    def __init__(self, n: int | None = None) -> None:
        n = next(_n) if n is None else n
        self.entity = th.entity(n, ["bidder"], f"山西测试投标单位{n}")
        self.user = th.member_of(self.entity, Role.ENTITY_ADMIN)
        self.key = sm2.PrivateKey.generate()
        self.row = services.bidder_key_register(
            entity=self.entity, public_key_pem=self.key.public_key.to_pem(), actor=self.user
        )

    @property
    def uscc(self) -> str:
        return self.entity.uscc


def plaintext(lt: Lot, bidder: Bidder, price: str = "4800000.00", extra: bytes = b"") -> bytes:
    out = io.BytesIO()
    summary = {"lot": lt.code, "bidder": bidder.uscc, "price": price, "period_days": 180, "quality": "合格",
               "project_manager": "王五", "notes": MARKER}  # fmt: skip
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        doc = Path(d) / "技术标.txt"
        doc.write_bytes(("技术方案 " + MARKER + "\n").encode() * 50 + extra)
        bidfile.pack(summary, [doc], out)
    return out.getvalue()


def seal(data: bytes, bidder: Bidder, chunk_size: int = envelope.MIN_CHUNK_SIZE) -> tuple[bytes, dict]:
    env, sealed = envelope.seal_bytes(
        data, recipients=[bidder.key.public_key], signer=bidder.key, chunk_size=chunk_size
    )
    return env, {
        "key_fingerprint": bidder.row.fingerprint,
        "size": sealed.size,
        "ciphertext_sm3": sealed.digest,
        "signature": base64.b64encode(sealed.signature).decode(),
    }


def submit(
    lt: Lot, bidder: Bidder, env: bytes | None = None, meta: dict | None = None, chunk: int = 64 << 10, **kw
):
    """Upload and commit through the services (the API tests go through HTTP)."""
    if env is None:
        env, meta = seal(plaintext(lt, bidder), bidder)
    upload = services.bid_upload_create(lot=lt, chunk_size=chunk, actor=bidder.user, **meta, **kw)
    for i in range(services.chunk_count(upload)):
        services.bid_chunk_put(
            upload=upload, index=i, data=env[i * chunk : (i + 1) * chunk], actor=bidder.user
        )
    return services.bid_upload_commit(upload=upload, actor=bidder.user)


def content_key(env: bytes, bidder: Bidder) -> str:
    return bidfile.unwrap(io.BytesIO(env), bidder.key).hex()
