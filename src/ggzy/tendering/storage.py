"""Where sealed bid files live on disk (``GGZY_BID_DIR``, default ``<var>/bids``), written atomically.

    uploads/<token>/<index>.part   chunks of an upload in progress (each written tmp → fsync → rename)
    tmp/<token>.assembling         the assembled envelope while it is checked
    lots/<lot>/<uscc>/<token>.ggzyenv   accepted envelopes (renamed into place, directory fsynced)
    opened/<lot>/<bid id>.zip      plaintext archives, written only after the opening

The database commit comes after the rename: a crash before it leaves at most an orphan file that
no bid row names (``orphans`` lists them), never a bid or a receipt without its file.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from django.conf import settings

from ggzy.crypto.sm import Sm3

COPY = 1 << 20


def root() -> Path:
    base = getattr(settings, "GGZY_BID_DIR", "") or (settings.VAR_DIR / "bids")
    return Path(base)


def _dir(*parts: str) -> Path:
    d = root().joinpath(*parts)
    d.mkdir(parents=True, exist_ok=True)
    return d


def _fsync_dir(d: Path) -> None:
    fd = os.open(d, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def chunk_path(token: str, index: int) -> Path:
    return _dir("uploads", token) / f"{index:06d}.part"


def write_chunk(token: str, index: int, data: bytes) -> None:
    write_atomic(chunk_path(token, index), data)


def received(token: str) -> list[int]:
    d = root() / "uploads" / token
    if not d.is_dir():
        return []
    return sorted(int(p.name[:6]) for p in d.iterdir() if p.name.endswith(".part") and p.name[:6].isdigit())


def chunk_size_of(token: str, index: int) -> int | None:
    p = root() / "uploads" / token / f"{index:06d}.part"
    return p.stat().st_size if p.exists() else None


def assemble(token: str, count: int) -> tuple[Path, str, int]:
    """Concatenate the chunks into a temporary file (fsynced); returns it, its SM3 and its size."""
    tmp = _dir("tmp") / f"{token}.assembling"
    h, size = Sm3(), 0
    with open(tmp, "wb") as out:
        for i in range(count):
            with open(chunk_path(token, i), "rb") as f:
                while block := f.read(COPY):
                    out.write(block)
                    h.update(block)
                    size += len(block)
        out.flush()
        os.fsync(out.fileno())
    return tmp, h.hexdigest(), size


def install(tmp: Path, lot_code: str, uscc: str, token: str) -> str:
    """Rename the checked file into place (same file system) and fsync the directory; returns the
    path relative to the root."""
    rel = Path("lots") / lot_code / uscc / f"{token}.ggzyenv"
    final = root() / rel
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, final)
    _fsync_dir(final.parent)
    return str(rel)


def path_of(rel: str) -> Path:
    return root() / rel


def discard(*paths: Path | str | None) -> None:
    for p in paths:
        if p:
            Path(p).unlink(missing_ok=True)


def drop_upload(token: str) -> None:
    shutil.rmtree(root() / "uploads" / token, ignore_errors=True)


def file_sm3(path: Path) -> str:
    h = Sm3()
    with open(path, "rb") as f:
        while block := f.read(COPY):
            h.update(block)
    return h.hexdigest()


def opened_path(lot_code: str, bid_id: int) -> Path:
    return _dir("opened", lot_code) / f"{bid_id}.zip"


def orphans(known: set[str]) -> list[Path]:
    """Envelope files no bid row names (left by a crash between the rename and the commit)."""
    base = root() / "lots"
    if not base.is_dir():
        return []
    return [p for p in base.rglob("*.ggzyenv") if str(p.relative_to(root())) not in known]
