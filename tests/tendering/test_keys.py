"""Bidder key registration and revocation."""

from __future__ import annotations

import pytest

from ggzy.accounts.models import Role
from ggzy.audit.models import AuditEvent
from ggzy.core.errors import Conflict, InvalidInput, PermissionDenied
from ggzy.tendering import selectors, services
from ggzy.tendering.models import BidderKey
from tests.entities import helpers as eh
from tests.tendering import helpers as h

pytestmark = pytest.mark.django_db


def test_register_and_revoke_keep_history_and_audit():
    e, admin = h.entity_with_admin(1)
    k = h.new_key()
    before = AuditEvent.objects.count()
    row = services.bidder_key_register(
        entity=e, public_key_pem=k.public_key.to_pem(), label="2026年投标", actor=admin
    )
    assert row.fingerprint == k.public_key.fingerprint() and row.active
    assert selectors.public_key_of(row) == k.public_key
    revoked = services.bidder_key_revoke(key=row, reason="更换密钥", actor=admin)
    assert not revoked.active and revoked.revoke_reason == "更换密钥"
    assert list(selectors.keys_of(e)) == [row] and not selectors.active_keys(e).exists()
    assert list(AuditEvent.objects.order_by("seq").values_list("action", flat=True)[before:]) == [
        "bidder_key.registered",
        "bidder_key.revoked",
    ]
    with pytest.raises(Conflict) as err:
        services.bidder_key_register(entity=e, public_key_pem=k.public_key.to_pem(), actor=admin)
    assert err.value.code == "bidder_key.revoked"
    with pytest.raises(Conflict) as err:
        services.bidder_key_revoke(key=row, reason="x", actor=admin)
    assert err.value.code == "bidder_key.already_revoked"


@pytest.mark.parametrize(
    ("pem", "code"),
    [
        ("", "bidder_key.required"),
        ("not a key", "bidder_key.invalid"),
        (
            "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----",
            "bidder_key.invalid",
        ),
    ],
)
def test_bad_keys_are_refused_in_chinese(pem, code):
    e, admin = h.entity_with_admin(2)
    before = (BidderKey.objects.count(), AuditEvent.objects.count())
    with pytest.raises(InvalidInput) as err:
        services.bidder_key_register(entity=e, public_key_pem=pem, actor=admin)
    assert err.value.code == code and "公钥" in err.value.message
    assert (BidderKey.objects.count(), AuditEvent.objects.count()) == before


def test_a_private_key_is_refused_and_not_stored():
    e, admin = h.entity_with_admin(3)
    with pytest.raises(InvalidInput) as err:
        services.bidder_key_register(entity=e, public_key_pem=h.new_key().to_pem(), actor=admin)
    assert err.value.code == "bidder_key.private_key" and "私钥" in err.value.message
    assert not BidderKey.objects.exists()


def test_only_the_entitys_admin_manages_its_keys():
    e, admin = h.entity_with_admin(4)
    other, other_admin = h.entity_with_admin(5)
    pem = h.new_key().public_key.to_pem()
    for actor in (other_admin, eh.member_of(e, Role.ENTITY_MEMBER), eh.operator(), None):
        with pytest.raises((PermissionDenied, Exception)) as err:
            services.bidder_key_register(entity=e, public_key_pem=pem, actor=actor)
        assert getattr(err.value, "code", "") == "bidder_key.forbidden"
    row = services.bidder_key_register(entity=e, public_key_pem=pem, actor=admin)
    with pytest.raises(PermissionDenied):
        services.bidder_key_revoke(key=row, reason="x", actor=other_admin)
    with pytest.raises(Conflict) as err:  # one key, one entity
        services.bidder_key_register(entity=other, public_key_pem=pem, actor=other_admin)
    assert err.value.code == "bidder_key.taken"


def test_active_key_limit():
    e, admin = h.entity_with_admin(6)
    for _ in range(services.MAX_ACTIVE_KEYS):
        services.bidder_key_register(entity=e, public_key_pem=h.new_key().public_key.to_pem(), actor=admin)
    with pytest.raises(Conflict) as err:
        services.bidder_key_register(entity=e, public_key_pem=h.new_key().public_key.to_pem(), actor=admin)
    assert err.value.code == "bidder_key.too_many"
