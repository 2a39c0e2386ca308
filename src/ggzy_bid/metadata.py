"""Evidence the client reports for supervision only (bid-rigging checks): document metadata read
from the plaintext files before encryption, and hashes of this machine's identifiers.

Nothing here is ever shown to other bidders or published. Values that cannot be read are omitted.
"""

from __future__ import annotations

import re
import uuid
import zipfile
from pathlib import Path
from xml.etree import ElementTree

_PDF_KEYS = {b"Author": "author", b"Creator": "creator", b"Producer": "software"}
_HEAD = 1 << 20


def _pdf_string(raw: bytes) -> str:
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", "replace")
    return raw.decode("latin-1")


def pdf_metadata(path: Path) -> dict[str, str]:
    """/Author, /Creator, /Producer of a PDF's Info dictionary (plain, uncompressed objects only)."""
    out: dict[str, str] = {}
    size = path.stat().st_size
    with open(path, "rb") as f:
        data = f.read(_HEAD)
        if size > _HEAD:
            f.seek(max(size - _HEAD, _HEAD))
            data += f.read()
    for key, name in _PDF_KEYS.items():
        m = re.search(rb"/" + key + rb"\s*\(((?:\\.|[^\\)])*)\)", data)
        if m:
            out[name] = _pdf_string(m.group(1))[:200]
    m = re.search(rb"<xmpMM:DocumentID>([^<]{1,100})<", data)
    if m:
        out["document_id"] = m.group(1).decode("latin-1")
    return out


def office_metadata(path: Path) -> dict[str, str]:
    """creator / lastModifiedBy (docProps/core.xml) and Application (docProps/app.xml) of OOXML."""
    out: dict[str, str] = {}
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            if "docProps/core.xml" in names:
                root = ElementTree.fromstring(z.read("docProps/core.xml"))
                for el in root:
                    tag = el.tag.rsplit("}", 1)[-1]
                    if tag in ("creator", "lastModifiedBy") and el.text:
                        out["author" if tag == "creator" else "last_modified_by"] = el.text[:200]
            if "docProps/app.xml" in names:
                root = ElementTree.fromstring(z.read("docProps/app.xml"))
                for el in root:
                    tag = el.tag.rsplit("}", 1)[-1]
                    if tag in ("Application", "AppVersion", "Company") and el.text:
                        out[tag.lower()] = el.text[:200]
    except (zipfile.BadZipFile, ElementTree.ParseError, KeyError):
        return {}
    return out


def document_metadata(paths: list[Path]) -> dict[str, str]:
    """One flat mapping for all documents: ``<file name>.<field>``."""
    out: dict[str, str] = {}
    for p in paths:
        suffix = p.suffix.lower()
        meta = (
            pdf_metadata(p)
            if suffix == ".pdf"
            else office_metadata(p)
            if suffix in (".docx", ".xlsx", ".pptx")
            else {}
        )
        for k, v in meta.items():
            out[f"{p.name[:40]}.{k}"] = v
    return out


def _sm3_hex(text: str) -> str:
    from ggzy.crypto.sm import sm3_hex

    return sm3_hex(("ggzy.device:" + text).encode("utf-8"))


def device_fingerprint() -> dict[str, str]:
    """SM3 hashes (never the raw values) of the machine id, the MAC address and a disk serial."""
    out: dict[str, str] = {}
    for p in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        try:
            mid = Path(p).read_text().strip()
        except OSError:
            continue
        if mid:
            out["machine_id"] = _sm3_hex(mid)
            break
    node = uuid.getnode()
    if not (node >> 40) & 1:  # a real MAC, not a random one
        out["mac"] = _sm3_hex(f"{node:012x}")
    for p in sorted(Path("/sys/block").glob("*/device/serial"))[:1]:
        try:
            serial = p.read_text().strip()
        except OSError:
            continue
        if serial:
            out["disk_serial"] = _sm3_hex(serial)
    out["client"] = "ggzy-bid"
    return out
