"""Storing, versioning and defining rule sets: refused input writes nothing; versions never change."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
import time_machine

from ggzy.accounts.models import Role
from ggzy.audit.models import AuditEvent
from ggzy.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from ggzy.core.permissions import SYSTEM
from ggzy.rules import selectors, services, validate
from ggzy.rules.models import RuleSetVersion
from tests import factories

from .helpers import DATA, other, shipped

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC)  # 2026-11-26 in Beijing


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def admin():
    return factories.user(Role.PLATFORM_ADMIN)


def test_the_database_has_every_shipped_rule_set_with_its_digest():
    rows = RuleSetVersion.objects.filter(source="shipped")
    assert rows.count() == len(services.shipped_files()) == 17
    row = rows.get(code="engineering.open_tendering")
    assert row.version == 1 and len(row.digest) == 64
    assert row.digest == services.digest_of(validate.to_data(validate.validate(shipped())))
    assert row.data == validate.to_data(selectors.to_ruleset(row))


def test_sync_is_idempotent_and_audited():
    RuleSetVersion.objects.all().delete()
    report = services.ruleset_sync_shipped(actor=SYSTEM)
    assert len(report.created) == 17 and report.unchanged == []
    [event] = AuditEvent.objects.filter(action="rules.sync_shipped")
    assert len(json.loads(event.summary)["created"]) == 17
    again = services.ruleset_sync_shipped(actor=SYSTEM)
    assert again.created == [] and len(again.unchanged) == 17
    assert AuditEvent.objects.filter(action="rules.sync_shipped").count() == 1
    assert RuleSetVersion.objects.count() == 17


def test_a_shipped_file_changed_under_the_same_version_is_refused(tmp_path, monkeypatch):
    for p in DATA.glob("*.json"):
        shutil.copy(p, tmp_path / p.name)
    data = shipped("land.listing")
    data["periods"][0]["days"] = 21
    (tmp_path / "land.listing.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    new = shipped("land.auction")
    new.update(version=2, effective_from="2027-01-01")
    (tmp_path / "land.auction.json").write_text(json.dumps(new, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(services, "DATA_DIR", tmp_path)
    before = RuleSetVersion.objects.count(), AuditEvent.objects.count()
    with pytest.raises(Conflict) as err:
        services.ruleset_sync_shipped(actor=SYSTEM)
    assert err.value.code == "rules.shipped_changed"
    assert "land.listing.json" in err.value.message and "已发布的版本不能更改" in err.value.message
    assert (RuleSetVersion.objects.count(), AuditEvent.objects.count()) == before  # not even land.auction v2


def test_an_invalid_shipped_file_is_refused_naming_the_file(tmp_path, monkeypatch):
    data = shipped()
    data["min_bidders"] = 0
    (tmp_path / "engineering.open_tendering.json").write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(services, "DATA_DIR", tmp_path)
    with pytest.raises(InvalidInput) as err:
        services.ruleset_sync_shipped(actor=SYSTEM)
    assert err.value.code == "rules.min_bidders" and "engineering.open_tendering.json" in err.value.message


def test_a_new_version_applies_from_its_effective_date(admin):
    data = shipped()
    next(p for p in data["periods"] if p["code"] == "documents_sale")["days"] = 7
    row = services.ruleset_publish_version(data=data, effective_from="2027-01-01", actor=admin)
    assert (row.version, row.source, row.effective_from) == (2, "admin", dt.date(2027, 1, 1))
    assert (
        AuditEvent.objects.filter(
            action="rules.publish_version", object_id="engineering.open_tendering"
        ).count()
        == 1
    )
    code = "engineering.open_tendering"
    assert selectors.ruleset_effective(code, dt.date(2026, 12, 31)).version == 1
    assert selectors.ruleset_effective(code, dt.date(2027, 1, 1)).version == 2
    assert selectors.ruleset_effective(code, "2027-06-30").period("documents_sale").days == 7
    assert selectors.ruleset_version(code, 1).period("documents_sale").days == 5  # v1 unchanged
    assert [r.version for r in selectors.rulesets_published() if r.code == code] == [2]
    with pytest.raises(NotFound) as err:
        selectors.ruleset_effective(code, dt.date(2025, 12, 31))
    assert err.value.code == "rules.not_in_force" and "2026年1月1日" in err.value.message
    with pytest.raises(NotFound) as err:
        selectors.ruleset_effective("engineering.lottery", dt.date(2027, 1, 1))
    assert err.value.code == "rules.not_found"
    with pytest.raises(NotFound) as err:
        selectors.ruleset_version(code, 9)
    assert err.value.code == "rules.version_not_found"


@pytest.mark.parametrize(
    ("effective", "change", "code"),
    [
        ("2026-01-01", None, "rules.effective_not_later"),
        ("2026-11-25", None, "rules.effective_in_past"),
        ("2027-13-01", None, "rules.invalid_date"),
        ("2027-01-01", lambda d: d.update(version=5), "rules.invalid_version"),
        ("2027-01-01", lambda d: d["stages"].reverse(), "rules.stage_order"),
        ("2027-01-01", lambda d: d.update(code="engineering.lottery"), "rules.not_found"),
    ],
)
def test_a_bad_new_version_is_refused_and_nothing_is_written(admin, effective, change, code):
    data = shipped()
    if change:
        change(data)
    before = RuleSetVersion.objects.count(), AuditEvent.objects.count()
    with pytest.raises((InvalidInput, NotFound)) as err:
        services.ruleset_publish_version(data=data, effective_from=effective, actor=admin)
    assert err.value.code == code
    assert (RuleSetVersion.objects.count(), AuditEvent.objects.count()) == before


def test_stored_versions_never_change(admin):
    services.ruleset_publish_version(data=shipped(), effective_from="2027-01-01", actor=admin)
    v1 = RuleSetVersion.objects.get(code="engineering.open_tendering", version=1)
    rs = validate.validate(shipped())
    with pytest.raises(Conflict) as err:
        services._store(rs, validate.to_data(rs), source="admin", actor=admin)
    assert err.value.code == "rules.version_exists"
    assert RuleSetVersion.objects.get(pk=v1.pk).digest == v1.digest
    # an earlier effective date than the latest version's is refused too
    with pytest.raises(InvalidInput):
        services.ruleset_publish_version(data=shipped(), effective_from="2026-12-01", actor=admin)


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.SUPERVISOR, Role.ENTITY_ADMIN, Role.INSPECTOR])
def test_only_the_platform_admin_defines_rules(role):
    actor = factories.user(role)
    before = RuleSetVersion.objects.count(), AuditEvent.objects.count()
    with pytest.raises(PermissionDenied) as err:
        services.ruleset_define_other(data=other(), actor=actor)
    assert err.value.code == "permission.denied" and "定义其他公共资源交易方式和规则" in err.value.message
    with pytest.raises(PermissionDenied):
        services.ruleset_publish_version(data=shipped(), effective_from="2027-01-01", actor=actor)
    assert (RuleSetVersion.objects.count(), AuditEvent.objects.count()) == before


def test_an_admin_defines_an_other_procedure_without_code(admin):
    row = services.ruleset_define_other(data=other(), actor=admin)
    assert (row.code, row.category, row.procedure, row.version) == (
        "other.emission_rights",
        "other",
        "emission_rights",
        1,
    )
    assert row.effective_from == dt.date(2026, 11, 26)
    rs = selectors.ruleset_effective("other.emission_rights", dt.date(2026, 11, 26))
    assert rs.mechanism == "auction" and rs.stage_codes()[0] == "notice"
    assert rs.evaluation_methods == ("highest_price",) and rs.min_bidders == 1
    assert rs.period("notice").basis.confirmed is False
    assert (
        AuditEvent.objects.filter(action="rules.define_other", object_id="other.emission_rights").count() == 1
    )
    sealed = services.ruleset_define_other(
        data=other(
            code="other.drug_purchase",
            name="药品集中采购",
            mechanism="sealed_bids",
            periods=[{**other()["periods"][0], "end_event": "bid_deadline", "code": "bid_preparation"}],
        ),
        actor=admin,
    )
    assert selectors.ruleset_version(sealed.code, 1).min_bidders == 3
    with pytest.raises(Conflict) as err:
        services.ruleset_define_other(data=other(), actor=admin)
    assert err.value.code == "rules.exists"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"code": "engineering.open_tendering"}, "rules.invalid_code"),
        ({"code": "other.X"}, "rules.invalid_code"),
        ({"mechanism": "negotiation"}, "rules.other_mechanism"),
        ({"effective_from": "2026-11-01"}, "rules.effective_in_past"),
        ({"version": 2}, "rules.invalid_version"),
        ({"periods": [{**other()["periods"][0], "end_event": "bid_deadline"}]}, "rules.event_mechanism"),
        ({"periods": [{**other()["periods"][0], "days": -1}]}, "rules.invalid_period"),
        ({"evaluation_methods": ["lowest_quote"]}, "rules.method_mechanism"),
        ({"name": ""}, "rules.name_required"),
    ],
)
def test_a_bad_other_procedure_is_refused_and_nothing_is_written(admin, changes, code):
    before = RuleSetVersion.objects.count(), AuditEvent.objects.count()
    with pytest.raises(InvalidInput) as err:
        services.ruleset_define_other(data=other(**changes), actor=admin)
    assert err.value.code == code
    assert (RuleSetVersion.objects.count(), AuditEvent.objects.count()) == before
