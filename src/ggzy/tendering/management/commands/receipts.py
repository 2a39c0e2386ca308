"""``ggzy receipts verify``: check the public receipt log, or one receipt offline.

    ggzy receipts verify                      # the whole log in this database: every leaf, every
                                              # signed tree head, the stored tree and the log head
    ggzy receipts verify --public-key platform.pem --receipt receipt.json [--inclusion inclusion.json]
                                              # one receipt (and its inclusion proof as the API
                                              # returns it), with the platform's public key only
    ggzy receipts verify --public-key platform.pem --consistency consistency.json
    ggzy receipts verify --public-key platform.pem --server https://ggzy.example --receipt receipt.json
                                              # fetch the proof of the receipt against the
                                              # platform's latest tree head
    ggzy receipts verify --public-key platform.pem --server https://ggzy.example --sth kept.json [--update-sth]
                                              # the log was only appended to since the tree head you
                                              # kept (and keep the new one)

Exit status 0 when everything verifies, 1 otherwise.
"""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ggzy.crypto import merkle, sm2
from ggzy.tendering import receiptlog, selectors


class Command(BaseCommand):
    help = "投标回执日志工具：verify 校验整个日志，或只凭平台公钥校验一份回执及其证明。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, parser_class=type(parser))
        v = sub.add_parser("verify", help="校验回执日志或回执", called_from_command_line=True)
        v.add_argument("--public-key", help="平台公钥 PEM 文件（默认：本平台配置的签名密钥的公钥）")
        v.add_argument("--receipt", help="回执 JSON 文件：只校验这份回执")
        v.add_argument(
            "--inclusion", help="包含证明 JSON 文件（/api/tendering/receipt-log/inclusion 的返回）"
        )
        v.add_argument(
            "--consistency", help="一致性证明 JSON 文件（/api/tendering/receipt-log/consistency 的返回）"
        )

        v.add_argument("--server", help="平台网址：从平台公开接口取得证明（需同时给出 --public-key）")
        v.add_argument("--sth", help="您保存的签名树头 JSON 文件：校验日志此后只追加、未改写")
        v.add_argument("--update-sth", action="store_true", help="校验通过后把最新签名树头写回 --sth 文件")

    def handle(self, *args, **options):
        if options["subcommand"] != "verify":  # pragma: no cover
            raise CommandError(f"未知的子命令：{options['subcommand']}")
        if options["server"] and not options["public_key"]:
            raise CommandError("从平台取证明时必须用 --public-key 给出您事先取得并信任的平台公钥")
        public_key = self._public_key(options["public_key"])
        if options["server"]:
            problems = self._remote(public_key, options)
        elif options["receipt"] or options["consistency"]:
            problems = self._offline(public_key, options)
        else:
            problems = self._whole_log(public_key)
        if problems:
            for p in problems[:50]:
                self.stderr.write(f"✗ {p}")
            sys.exit(1)
        self.stdout.write("✓ 校验通过")

    def _public_key(self, path: str | None) -> sm2.PublicKey:
        if not path:
            return sm2.load_public_key(selectors.platform_key().pem)
        try:
            return sm2.load_public_key(Path(path).read_bytes())
        except (OSError, sm2.KeyFormatError) as exc:
            raise CommandError(f"无法读取平台公钥 {path}：{exc}") from exc

    def _json(self, path: str) -> dict:
        try:
            return json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"无法读取 JSON 文件 {path}：{exc}") from exc

    def _offline(self, public_key: sm2.PublicKey, options) -> list[str]:
        problems: list[str] = []
        if options["receipt"]:
            receipt = self._json(options["receipt"])
            sth, proof = None, None
            if options["inclusion"]:
                inc = self._json(options["inclusion"])
                sth, proof = inc.get("sth"), inc.get("proof", [])
                if inc.get("leaf_hash") != receipt.get("leaf_hash"):
                    problems.append("包含证明不是这份回执的")
            problems += receiptlog.verify_bundle(receipt, public_key, sth=sth, inclusion=proof).problems
            if not problems:
                self.stdout.write(
                    f"回执：第 {receipt['position']} 条，接收时间 {receipt['received_at']}，"
                    f"密文 SM3 {receipt['ciphertext_sm3']}"
                )
        if options["consistency"]:
            c = self._json(options["consistency"])
            first, second = c.get("first_sth") or {}, c.get("second_sth") or {}
            problems += receiptlog.verify_sth(first, public_key).problems
            problems += receiptlog.verify_sth(second, public_key).problems
            if not receiptlog.verify_consistency(
                int(first.get("tree_size", 0)),
                int(second.get("tree_size", 0)),
                str(first.get("root_hash")),
                str(second.get("root_hash")),
                c.get("proof", []),
            ):
                problems.append("一致性证明无效：日志被改写过")
        return problems

    def _get(self, server: str, path: str, params: dict) -> dict:
        url = server.rstrip("/") + path + "?" + urllib.parse.urlencode(params)
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                return json.loads(r.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace")
            raise CommandError(f"平台返回错误 {exc.code}：{body[:300]}") from exc
        except (OSError, ValueError) as exc:
            raise CommandError(f"无法访问 {url}：{exc}") from exc

    def _remote(self, public_key: sm2.PublicKey, options) -> list[str]:
        server, problems = options["server"], []
        if options["receipt"]:
            receipt = self._json(options["receipt"])
            inc = self._get(
                server, "/api/tendering/receipt-log/inclusion", {"leaf_hash": receipt.get("leaf_hash", "")}
            )
            problems += receiptlog.verify_bundle(
                receipt, public_key, sth=inc.get("sth"), inclusion=inc.get("proof", [])
            ).problems
            if not problems:
                self.stdout.write(
                    f"回执第 {receipt['position']} 条在平台日志中（树大小 {inc['tree_size']}，根 {inc['sth']['root_hash']}）"
                )
        if options["sth"]:
            kept = self._json(options["sth"])
            problems += [f"保存的签名树头：{p}" for p in receiptlog.verify_sth(kept, public_key).problems]
            c = self._get(
                server, "/api/tendering/receipt-log/consistency", {"first": kept.get("tree_size", 0)}
            )
            first, latest = c.get("first_sth") or {}, c.get("second_sth") or {}
            problems += [f"最新签名树头：{p}" for p in receiptlog.verify_sth(latest, public_key).problems]
            if first.get("root_hash") != kept.get("root_hash"):
                problems.append("平台现在给出的该树大小的根哈希与您保存的不同：日志被改写过")
            if not receiptlog.verify_consistency(
                int(kept.get("tree_size", 0)),
                int(latest.get("tree_size", 0)),
                str(kept.get("root_hash")),
                str(latest.get("root_hash")),
                c.get("proof", []),
            ):
                problems.append("一致性证明无效：日志被改写过")
            if not problems:
                self.stdout.write(f"日志从树大小 {kept['tree_size']} 到 {latest['tree_size']} 只追加、未改写")
                if options["update_sth"]:
                    Path(options["sth"]).write_text(json.dumps(latest, ensure_ascii=False), encoding="utf-8")
        return problems

    def _whole_log(self, public_key: sm2.PublicKey) -> list[str]:
        from ggzy.tendering.models import ReceiptLogEntry, SignedTreeHead

        started = time.perf_counter()
        v = receiptlog.LogVerifier(public_key)
        sths = SignedTreeHead.objects.order_by("tree_size").iterator(chunk_size=2000)
        pending = next(sths, None)
        entries = ReceiptLogEntry.objects.order_by("position").values_list("position", "leaf", "leaf_hash")
        for position, leaf, leaf_hash in entries.iterator(chunk_size=2000):
            v.add(position, leaf, leaf_hash)
            while pending is not None and pending.tree_size <= v.size:
                v.check_sth(selectors.sth_document(pending))
                pending = next(sths, None)
        if pending is not None:
            v.problems.append(f"签名树头的树大小 {pending.tree_size} 超过日志条目数 {v.size}")
        size = selectors.log_size()
        if size != v.size:
            v.problems.append(f"日志头记录的大小 {size} 与条目数 {v.size} 不符")
        if v.size:
            stored = merkle.root_hash(v.size, selectors.node_fetch)
            if stored != v.root():
                v.problems.append("存储的默克尔树节点与条目重新计算的不符")
        elapsed = time.perf_counter() - started
        self.stdout.write(f"已校验 {v.size} 条回执和全部签名树头，用时 {elapsed:.2f} 秒。")
        return v.problems
