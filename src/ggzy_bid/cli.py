"""``ggzy-bid``: bid from the command line (docs/client.md).

    ggzy-bid keygen --out bidder                       # bidder.key (private, 0600) + bidder.pub.pem
    ggzy-bid register-key --uscc … --public bidder.pub.pem
    ggzy-bid bid --lot … --key bidder.key --summary bid.json doc1.pdf doc2.docx
    ggzy-bid upload --lot … --key bidder.key bid.ggzyenv   # resume an interrupted upload
    ggzy-bid receipts [--lot …]                         # fetch this entity's receipts again
    ggzy-bid verify --platform-key platform.pem receipt.json [--offline]
    ggzy-bid withdraw --lot …
    ggzy-bid opening --lot …                            # the opening hall's state
    ggzy-bid decrypt --lot … --key bidder.key bid.ggzyenv

Server and token: ``--server`` / ``GGZY_SERVER`` (default http://127.0.0.1:8000) and ``--token`` /
``GGZY_TOKEN`` (an API token of the bidder's account, issued in the console).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from ggzy.core.errors import DomainError
from ggzy.crypto import sm2
from ggzy_bid import client, metadata


def _client(args) -> client.BidClient:
    return client.BidClient(client.HttpTransport(args.server, args.token))


def _print(doc) -> None:
    print(json.dumps(doc, ensure_ascii=False, indent=2))


def cmd_keygen(args) -> int:
    priv, pub = Path(args.out + ".key"), Path(args.out + ".pub.pem")
    key = client.keygen(priv, pub)
    print(
        f"私钥：{priv}（仅保存在本机，请妥善备份，切勿上传）\n公钥：{pub}\n公钥指纹：{key.public_key.fingerprint()}"
    )
    return 0


def cmd_register_key(args) -> int:
    pub = sm2.load_public_key(Path(args.public).read_bytes())
    row = _client(args).register_key(args.uscc, pub, args.label)
    print(f"已登记公钥 {row['fingerprint']}（{row['uscc']}）")
    return 0


def _upload(args, sealed: client.SealedBid, document: dict) -> int:
    c = _client(args)
    state = Path(str(sealed.path) + ".upload.json")

    def progress(i, n):
        print(f"\r上传 {i}/{n} 块", end="", file=sys.stderr, flush=True)

    bid = c.upload(
        args.lot,
        sealed,
        chunk_size=int(args.chunk_mb * (1 << 20)),
        device=metadata.device_fingerprint(),
        document=document,
        state_file=state,
        progress=progress,
    )
    print(file=sys.stderr)
    receipt = bid["receipt"]
    out = Path(str(sealed.path) + ".receipt.json")
    out.write_text(json.dumps(receipt, ensure_ascii=False, indent=2))
    print(f"投标文件已递交（第{bid['version']}版），回执已保存：{out}")
    print(
        f"回执位置 {receipt['position']}，接收时间 {receipt['received_at']}，密文SM3 {receipt['ciphertext_sm3']}"
    )
    check = c.verify_receipt(receipt, c.platform_key())
    print("回执验证：通过" if check else "回执验证失败：" + "；".join(check.problems))
    return 0 if check else 1


def cmd_bid(args) -> int:
    key = client.load_private(Path(args.key))
    summary = json.loads(Path(args.summary).read_text(encoding="utf-8"))
    summary.setdefault("lot", args.lot)
    files = [Path(p) for p in args.files]
    document = metadata.document_metadata(files)
    out = Path(args.out or f"{args.lot}.ggzyenv")
    with tempfile.TemporaryDirectory() as d:
        plain = client.pack_bid(summary, files, Path(d) / "bid.zip")
        sealed = client.seal_file(plain, out, key)
    print(f"已加密：{out}（{sealed.size}字节，SM3 {sealed.digest}）")
    meta_file = Path(str(out) + ".meta.json")
    meta_file.write_text(json.dumps(document, ensure_ascii=False))
    return _upload(args, sealed, document)


def cmd_upload(args) -> int:
    key = client.load_private(Path(args.key))
    path = Path(args.envelope)
    with open(path, "rb") as f:
        digest = client.envelope.file_digest(f)
    import base64

    sealed = client.SealedBid(
        path=path,
        digest=digest,
        size=path.stat().st_size,
        signature=base64.b64encode(client.envelope.sign_digest(key, digest)).decode("ascii"),
        key_fingerprint=key.public_key.fingerprint(),
    )
    meta_file = Path(str(path) + ".meta.json")
    document = json.loads(meta_file.read_text()) if meta_file.exists() else {}
    return _upload(args, sealed, document)


def cmd_receipts(args) -> int:
    _print(_client(args).bids(args.lot or ""))
    return 0


def cmd_verify(args) -> int:
    pub = sm2.load_public_key(Path(args.platform_key).read_bytes())
    receipt = json.loads(Path(args.receipt).read_text())
    check = _client(args).verify_receipt(receipt, pub, online=not args.offline)
    print("回执验证通过" if check else "回执验证失败：" + "；".join(check.problems))
    return 0 if check else 1


def cmd_withdraw(args) -> int:
    bid = _client(args).withdraw(args.lot)
    print(f"已撤回第{bid['version']}版投标文件，撤回回执位置 {bid['withdrawal_receipt']['position']}")
    return 0


def cmd_opening(args) -> int:
    _print(_client(args).opening(args.lot))
    return 0


def cmd_decrypt(args) -> int:
    key = client.load_private(Path(args.key))
    bid = _client(args).decrypt_share(args.lot, Path(args.envelope), key)
    print(f"解密完成：{bid['status_label']}，报价 {bid['summary'].get('price', '—')} 元")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ggzy-bid", description="电子投标客户端：生成密钥、加密签名、上传、回执验证、撤回、开标解密"
    )
    p.add_argument("--server", default=os.environ.get("GGZY_SERVER", "http://127.0.0.1:8000"))
    p.add_argument("--token", default=os.environ.get("GGZY_TOKEN", ""))
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("keygen", help="生成SM2密钥对（私钥只保存在本机）")
    s.add_argument("--out", default="bidder")
    s.set_defaults(func=cmd_keygen)
    s = sub.add_parser("register-key", help="登记公钥（本单位管理员的令牌）")
    s.add_argument("--uscc", required=True)
    s.add_argument("--public", required=True)
    s.add_argument("--label", default="")
    s.set_defaults(func=cmd_register_key)
    for name, func, helptext in (
        ("bid", cmd_bid, "打包、加密、签名并上传投标文件"),
        ("upload", cmd_upload, "上传（续传）已加密的投标文件"),
    ):
        s = sub.add_parser(name, help=helptext)
        s.add_argument("--lot", required=True)
        s.add_argument("--key", required=True)
        s.add_argument("--chunk-mb", type=float, default=2)
        if name == "bid":
            s.add_argument("--summary", required=True, help="开标一览表 bid.json")
            s.add_argument("--out", default="")
            s.add_argument("files", nargs="*")
        else:
            s.add_argument("envelope")
        s.set_defaults(func=func)
    s = sub.add_parser("receipts", help="查看本单位的投标文件和回执")
    s.add_argument("--lot", default="")
    s.set_defaults(func=cmd_receipts)
    s = sub.add_parser("verify", help="用平台公钥验证回执（并核对其在公开日志中）")
    s.add_argument("--platform-key", required=True)
    s.add_argument("--offline", action="store_true")
    s.add_argument("receipt")
    s.set_defaults(func=cmd_verify)
    s = sub.add_parser("withdraw", help="撤回投标文件（截止前）")
    s.add_argument("--lot", required=True)
    s.set_defaults(func=cmd_withdraw)
    s = sub.add_parser("opening", help="开标大厅状态")
    s.add_argument("--lot", required=True)
    s.set_defaults(func=cmd_opening)
    s = sub.add_parser("decrypt", help="开标解密：本机解开数字信封，只提交内容密钥")
    s.add_argument("--lot", required=True)
    s.add_argument("--key", required=True)
    s.add_argument("envelope")
    s.set_defaults(func=cmd_decrypt)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except client.ApiError as exc:
        print(f"平台拒绝：{exc.message}（{exc.code}）", file=sys.stderr)
        return 2
    except (DomainError, sm2.Sm2Error, OSError, ValueError) as exc:
        print(f"错误：{getattr(exc, 'message', exc)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
