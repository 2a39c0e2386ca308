"""SM4-GCM against the RFC 8998 test vector, and incremental SM3."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ggzy.crypto import sm4
from ggzy.crypto.sm import Sm3, sm3

# RFC 8998, Appendix A.1 (SM4-GCM)
KEY = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
IV = bytes.fromhex("00001234567800000000ABCD")
AAD = bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
PT = bytes.fromhex(
    "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
    "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA"
)
CT = bytes.fromhex(
    "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
    "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
)
TAG = bytes.fromhex("83DE3541E4C2B58177E065A9BF7B62EC")


def test_sm4_gcm_rfc8998_vector():
    assert sm4.gcm_encrypt(KEY, IV, PT, AAD) == CT + TAG
    assert sm4.gcm_decrypt(KEY, IV, CT + TAG, AAD) == PT


@pytest.mark.parametrize("where", [0, len(CT) - 1, len(CT), len(CT) + 15])
def test_sm4_gcm_detects_changes(where):
    bad = bytearray(CT + TAG)
    bad[where] ^= 0x01
    with pytest.raises(sm4.AuthenticationFailed):
        sm4.gcm_decrypt(KEY, IV, bytes(bad), AAD)
    with pytest.raises(sm4.AuthenticationFailed):
        sm4.gcm_decrypt(KEY, IV, CT + TAG, AAD + b"x")


@given(st.lists(st.binary(max_size=200), max_size=8))
def test_incremental_sm3_equals_one_shot(parts):
    h = Sm3()
    for p in parts:
        h.update(p)
    assert h.digest() == sm3(b"".join(parts))
