"""Where sealed bid files live on disk (``GGZY_BID_DIR``, default ``<var>/bids``), written atomically.

    uploads/<token>.partial        the envelope being uploaded: each chunk written at its offset, fsynced
    uploads/<token>/<index>.ok     an (empty) marker per received chunk, created after its fsync
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

COPY = 4 << 20


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


def _partial(token: str) -> Path:
    return _dir("uploads") / f"{token}.partial"


def write_chunk(token: str, index: int, offset: int, data: bytes) -> None:
    """Write a chunk at its offset of the partial file and fsync it; then mark it received. Writing
    the same chunk again writes the same bytes (idempotent); a crash before the marker only means
    the chunk is sent again."""
    path = _partial(token)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        os.pwrite(fd, data, offset)
        os.fsync(fd)
    finally:
        os.close(fd)
    marks = _dir("uploads", token)
    (marks / f"{index:06d}.ok").touch()


def received(token: str) -> list[int]:
    d = root() / "uploads" / token
    if not d.is_dir():
        return []
    return sorted(int(p.name[:6]) for p in d.iterdir() if p.name.endswith(".ok") and p.name[:6].isdigit())


def assemble(token: str, size: int) -> tuple[Path, str, int]:
    """The uploaded file, moved out of the way of further chunk writes; returns it, its SM3 and size."""
    src = _partial(token)
    tmp = _dir("tmp") / f"{token}.assembling"
    try:
        os.replace(src, tmp)
    except FileNotFoundError:  # an earlier commit was interrupted after moving it: send it again
        drop_upload(token)
        return tmp, "", 0
    h = Sm3()
    n = 0
    with open(tmp, "rb") as f:
        while block := f.read(COPY):
            h.update(block)
            n += len(block)
    return tmp, h.hexdigest(), n


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


def restore(tmp: Path, token: str) -> None:
    """Put a file a failed commit had taken back, so the upload can be committed again."""
    if Path(tmp).exists():
        os.replace(tmp, _partial(token))


def drop_upload(token: str) -> None:
    shutil.rmtree(root() / "uploads" / token, ignore_errors=True)
    (root() / "uploads" / f"{token}.partial").unlink(missing_ok=True)


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
