"""Benchmark: the public receipt log at 100,000 entries (append rate and proof generation).

Run: .venv/bin/python bench/receipt_log.py [--entries 100000] [--appends 300] [--proofs 2000]

The log is filled to ``--entries`` leaves by bulk insertion of a correctly computed tree (the stored
form ``receipt_append`` maintains), then, in the same process and database:
  - append: ``tendering.services.receipt_append`` (lock, tree nodes, two SM2 signatures, STH, audit
    event), one transaction each, against a baseline of bare INSERTs of the same rows (entry, its
    tree nodes, the tree head) in one transaction each, no lock, no hashing, no signature;
  - proofs: ``selectors.inclusion`` (random position, proof against the latest STH) and
    ``selectors.consistency`` (random first size), against a baseline of one SELECT of an entry
    by primary key; the number of SQL queries per proof is printed (it must not grow with n);
  - SM2 signatures and verifications per second (the platform signs twice per append).
The modes alternate in rounds so the machine's noise hits both.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import backends, run_child, scratch, setup_django

ROUNDS = 4


def fill(n: int, batch: int = 20_000) -> None:
    """Bulk-insert a correct log of ``n`` leaves in batches (memory O(batch + log n))."""
    import datetime as dt

    from django.db import transaction

    from ggzy.core import clock
    from ggzy.crypto import merkle, platform
    from ggzy.tendering import receiptlog
    from ggzy.tendering.models import (
        ReceiptLogEntry,
        ReceiptLogHead,
        ReceiptLogNode,
        SignedTreeHead,
    )

    key = platform.signing_key()
    fp = key.public_key.fingerprint()
    frontier: dict[merkle.Key, bytes] = {}  # perfect subtrees on the right edge (all append needs)
    start = clock.now() - dt.timedelta(days=30)
    entries, nodes, sths = [], [], []

    def flush() -> None:
        with transaction.atomic():
            ReceiptLogEntry.objects.bulk_create(entries, batch_size=5000)
            ReceiptLogNode.objects.bulk_create(nodes, batch_size=5000)
            SignedTreeHead.objects.bulk_create(sths, batch_size=5000)
        entries.clear(), nodes.clear(), sths.clear()

    root = merkle.EMPTY_ROOT
    for i in range(n):
        at = start + dt.timedelta(seconds=i)
        text = receiptlog.at_text(at)
        salt = f"{i:032x}"
        fields = dict(kind="bid.submitted", position=i, received_at=text, ciphertext_sm3=f"{i:064x}",
                      lot=f"L{i % 997}", bidder="91140100MA0L4KXX1X", salt=salt)  # fmt: skip
        leaf = receiptlog.leaf_bytes(**fields)
        lh = merkle.leaf_hash(leaf)
        created = merkle.append_nodes(i, lh, frontier)
        for k in merkle.append_keys(i):
            del frontier[k]
        for k, h in created:
            nodes.append(ReceiptLogNode(level=k[0], index=k[1], hash=h.hex()))
        frontier[created[-1][0]] = created[-1][1]
        size = i + 1
        if size % 1000 == 0 or size == n:
            root = merkle.range_hash(0, size, frontier)
            sth = receiptlog.sign(
                receiptlog.sth_body(tree_size=size, root_hash=root.hex(), timestamp=text, key=fp), key
            )
            sths.append(SignedTreeHead(tree_size=size, root_hash=root.hex(), timestamp=at, timestamp_text=text,
                                       key=fp, signature=sth["signature"]))  # fmt: skip
        entries.append(ReceiptLogEntry(position=i, kind="bid.submitted", leaf=leaf.decode(), leaf_hash=lh.hex(),
                                       received_at=at, lot_code=fields["lot"], bidder_uscc=fields["bidder"],
                                       salt=salt, ciphertext_sm3=fields["ciphertext_sm3"],
                                       receipt_signature="", tree_size=size, root_hash=""))  # fmt: skip
        if len(entries) >= batch:
            flush()
    flush()
    ReceiptLogHead.objects.update_or_create(pk=1, defaults={"size": n, "root_hash": root.hex()})


def child(n: int, appends: int, proofs: int) -> dict:
    setup_django()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from ggzy.core import clock
    from ggzy.crypto import merkle, sm2
    from ggzy.tendering import receiptlog, selectors, services
    from ggzy.tendering.models import ReceiptLogEntry, ReceiptLogNode, SignedTreeHead

    t0 = time.perf_counter()
    fill(n)
    fill_s = time.perf_counter() - t0
    uscc = "91140100MA0L4KXX1X"
    from ggzy.core import uscc as uscc_mod

    if not uscc_mod.is_valid(uscc):
        uscc = uscc_mod.make("9", "1", "140100", "00000001")
    counter = [0]
    base_pos = [10**12]

    def append(i: int) -> None:
        counter[0] += 1
        services.receipt_append(lot_code="E1401000001001", bidder_uscc=uscc,
                                ciphertext_sm3=f"{counter[0]:064x}", actor=None)  # fmt: skip

    def bare_insert(i: int) -> None:
        base_pos[0] += 1
        p, now = base_pos[0], clock.now()
        with transaction.atomic():
            ReceiptLogEntry.objects.create(position=p, kind="bid.submitted", leaf="{}", leaf_hash=f"{p:064x}",
                                           received_at=now, lot_code="E1", bidder_uscc=uscc, salt="0" * 32,
                                           ciphertext_sm3="0" * 64, receipt_signature="x" * 96,
                                           tree_size=p, root_hash="0" * 64)  # fmt: skip
            ReceiptLogNode.objects.bulk_create([ReceiptLogNode(level=lv, index=p * 4 + lv, hash="0" * 64)
                                                for lv in range(2)])  # fmt: skip
            SignedTreeHead.objects.create(tree_size=p, root_hash="0" * 64, timestamp=now,
                                          timestamp_text="x", key="0" * 64, signature="x" * 96)  # fmt: skip

    times = {"append": 0.0, "insert": 0.0}
    per_round = max(1, appends // ROUNDS)
    for r in range(ROUNDS):
        order = (("insert", bare_insert), ("append", append)) if r % 2 == 0 else (
            ("append", append), ("insert", bare_insert))  # fmt: skip
        for name, fn in order:
            started = time.perf_counter()
            for i in range(per_round):
                fn(i)
            times[name] += time.perf_counter() - started
    total_appends = per_round * ROUNDS
    ReceiptLogEntry.objects.filter(position__gte=10**12).delete()
    ReceiptLogNode.objects.filter(index__gte=4 * 10**12).delete()
    SignedTreeHead.objects.filter(tree_size__gte=10**12).delete()
    size = selectors.log_size()

    rng = random.Random(7)
    pub = sm2.load_public_key(selectors.platform_key().pem)
    sth_sizes = list(SignedTreeHead.objects.values_list("tree_size", flat=True))

    def inclusion(i: int) -> None:
        inc = selectors.inclusion(position=rng.randrange(size))
        assert len(inc.proof) <= 2 * size.bit_length()

    def consistency(i: int) -> None:
        selectors.consistency(rng.choice(sth_sizes))

    def select_one(i: int) -> None:
        ReceiptLogEntry.objects.get(position=rng.randrange(size))

    ptimes = {"inclusion": 0.0, "consistency": 0.0, "select": 0.0}
    per_round_p = max(1, proofs // ROUNDS)
    for _ in range(ROUNDS):
        for name, fn in (("select", select_one), ("inclusion", inclusion), ("consistency", consistency)):
            started = time.perf_counter()
            for i in range(per_round_p):
                fn(i)
            ptimes[name] += time.perf_counter() - started
    total_proofs = per_round_p * ROUNDS
    with CaptureQueriesContext(connection) as q_inc:
        inc = selectors.inclusion(position=size // 3)
    with CaptureQueriesContext(connection) as q_con:
        selectors.consistency(sth_sizes[len(sth_sizes) // 2])
    sth = selectors.sth_document(inc.sth)
    # the receipt log's verification of a proof (pure, what a client runs)
    started = time.perf_counter()
    for _ in range(1000):
        receiptlog.verify_inclusion(
            inc.entry.leaf_hash, inc.entry.position, inc.tree_size, inc.proof, sth["root_hash"]
        )
    verify_proof_s = (time.perf_counter() - started) / 1000
    assert receiptlog.verify_sth(sth, pub)
    # SM2
    key = sm2.PrivateKey.generate()
    msg = b"x" * 300
    started = time.perf_counter()
    for _ in range(300):
        sig = key.sign(msg)
    sign_s = (time.perf_counter() - started) / 300
    started = time.perf_counter()
    for _ in range(300):
        key.public_key.verify(sig, msg)
    verify_s = (time.perf_counter() - started) / 300
    # merkle proof for the same n in memory (how much is the database)
    tree = merkle.MemoryTree()
    for e in (
        ReceiptLogEntry.objects.order_by("position")
        .values_list("leaf_hash", flat=True)[:100_000]
        .iterator(5000)
    ):
        tree.append(bytes.fromhex(e))
    started = time.perf_counter()
    for _ in range(1000):
        merkle.inclusion_proof(rng.randrange(tree.size), tree.size, tree.fetch)
    memory_proof_s = (time.perf_counter() - started) / 1000
    # the whole log checks (every leaf, every tree head, the stored tree): proves the fill was right
    import io

    from django.core.management import call_command

    started = time.perf_counter()
    call_command("receipts", "verify", stdout=io.StringIO())
    verify_log_s = time.perf_counter() - started
    append_rate, insert_rate = total_appends / times["append"], total_appends / times["insert"]
    inc_rate = total_proofs / ptimes["inclusion"]
    con_rate = total_proofs / ptimes["consistency"]
    sel_rate = total_proofs / ptimes["select"]
    return {
        "backend": connection.vendor,
        "entries": n,
        "fill_s": round(fill_s, 1),
        "appends": total_appends,
        "append_per_s": round(append_rate),
        "insert_per_s": round(insert_rate),
        "append_ratio": round(append_rate / insert_rate, 3),
        "proofs": total_proofs,
        "inclusion_per_s": round(inc_rate),
        "consistency_per_s": round(con_rate),
        "select_per_s": round(sel_rate),
        "inclusion_ratio": round(inc_rate / sel_rate, 3),
        "consistency_ratio": round(con_rate / sel_rate, 3),
        "inclusion_queries": len(q_inc.captured_queries),
        "consistency_queries": len(q_con.captured_queries),
        "memory_inclusion_per_s": round(1 / memory_proof_s),
        "verify_proof_per_s": round(1 / verify_proof_s),
        "verify_log_s": round(verify_log_s, 1),
        "sm2_sign_per_s": round(1 / sign_s),
        "sm2_verify_per_s": round(1 / verify_s),
    }


def main() -> list[dict]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--appends", type=int, default=300)
    parser.add_argument("--proofs", type=int, default=2000)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.entries, args.appends, args.proofs)))
        return []
    results = []
    for backend in backends():
        with scratch(backend) as env:
            r = run_child(__file__, env, "--entries", str(args.entries), "--appends", str(args.appends),
                          "--proofs", str(args.proofs))  # fmt: skip
        results.append(r)
        print(
            f"[receipt log] {r['backend']}: {r['entries']:,} entries (filled in {r['fill_s']} s)\n"
            f"  append: receipt_append {r['append_per_s']:,}/s vs bare INSERT of the same rows "
            f"{r['insert_per_s']:,}/s, ratio {r['append_ratio']} ({r['appends']} each)\n"
            f"  proofs: inclusion {r['inclusion_per_s']:,}/s ({r['inclusion_queries']} queries), "
            f"consistency {r['consistency_per_s']:,}/s ({r['consistency_queries']} queries) vs one SELECT by "
            f"key {r['select_per_s']:,}/s: ratios {r['inclusion_ratio']} / {r['consistency_ratio']}\n"
            f"  in memory: inclusion proof {r['memory_inclusion_per_s']:,}/s, proof verification "
            f"{r['verify_proof_per_s']:,}/s; ggzy receipts verify {r['verify_log_s']} s; SM2 sign {r['sm2_sign_per_s']:,}/s, verify {r['sm2_verify_per_s']:,}/s"
        )
    return results


if __name__ == "__main__":
    main()
