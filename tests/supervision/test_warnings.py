"""Warnings: raised by the platform, handled by a supervisor of the region and category only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ggzy.accounts.models import DepartmentKind, Role
from ggzy.audit.models import AuditEvent
from ggzy.core.errors import Conflict, InvalidInput, PermissionDenied
from ggzy.supervision import selectors, services
from ggzy.supervision.models import Warning
from tests import factories

pytestmark = pytest.mark.django_db


def _raise(**over):
    data = {"kind": "splitting", "region_code": "140105", "category": "procurement", "message": "疑似化整为零",
            "project_ref": "M1401052620000001", "entity_uscc": factories.valid_uscc(1)}  # fmt: skip
    data.update(over)
    return services.warning_raise(**data)


def _supervisor(region="140100", kind=DepartmentKind.FINANCE):
    return factories.user(Role.SUPERVISOR, department=factories.department(region, kind))


def test_raise_writes_the_warning_and_an_audit_event():
    w = _raise()
    assert w.is_open and w.level == "warning"
    event = AuditEvent.objects.get(action="warning.raise")
    assert (event.project_ref, event.entity_ref, event.actor_label) == (w.project_ref, w.entity_uscc, "系统")


def test_raise_refuses_unknown_kinds():
    with pytest.raises(InvalidInput):
        _raise(kind="nonsense")
    assert not Warning.objects.exists()


def test_supervisor_handles_a_warning_once():
    w = _raise()
    sup = _supervisor()
    handled = services.warning_handle(warning=w, note="已约谈采购人，合并采购", actor=sup)
    assert handled.handled_by == sup and handled.handling_note == "已约谈采购人，合并采购"
    assert not selectors.open_warnings_for(sup).exists()
    assert list(selectors.warnings_for(sup, open_only=False)) == [handled]
    with pytest.raises(Conflict) as err:
        services.warning_handle(warning=w, note="再处理一次", actor=sup)
    assert err.value.code == "warning.already_handled"
    assert AuditEvent.objects.filter(action="warning.handle").count() == 1


@pytest.mark.parametrize("who", ["other_category", "other_city", "operator", "inspector"])
def test_others_may_not_handle(who):
    w = _raise()
    actor = {
        "other_category": lambda: _supervisor(kind=DepartmentKind.HOUSING),
        "other_city": lambda: _supervisor(region="140200"),
        "operator": lambda: factories.user(Role.OPERATOR),
        "inspector": lambda: factories.user(Role.INSPECTOR),
    }[who]()
    with pytest.raises(PermissionDenied):
        services.warning_handle(warning=w, note="处理", actor=actor)
    assert Warning.objects.get(pk=w.pk).is_open
    assert not AuditEvent.objects.filter(action="warning.handle").exists()


def test_a_note_is_required():
    w = _raise()
    with pytest.raises(InvalidInput) as err:
        services.warning_handle(warning=w, note="  ", actor=_supervisor())
    assert err.value.code == "warning.note_required"


def test_console_page_lists_and_handles(client):
    w = _raise()
    sup = _supervisor()
    client.force_login(sup)
    page = client.get(reverse("supervision:warnings"))
    assert page.status_code == 200
    assert "疑似化整为零" in page.content.decode()
    r = client.post(reverse("supervision:handle", args=[w.pk]), {"note": ""})
    assert "请填写处理意见" in r.content.decode()
    r = client.post(reverse("supervision:handle", args=[w.pk]), {"note": "已核查"})
    assert r.status_code == 302
    assert not Warning.objects.get(pk=w.pk).is_open


def test_console_page_is_for_supervisors(client):
    client.force_login(factories.user(Role.OPERATOR))
    assert client.get(reverse("supervision:warnings")).status_code == 403


def test_api_lists_and_handles(client):
    w = _raise()
    client.force_login(_supervisor())
    r = client.get("/api/supervision/warnings")
    assert r.status_code == 200 and [x["id"] for x in r.json()] == [w.pk]
    r = client.post(
        f"/api/supervision/warnings/{w.pk}/handle", {"note": "已核查"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["handled_at"]
    r = client.post(
        f"/api/supervision/warnings/{w.pk}/handle", {"note": "再来"}, content_type="application/json"
    )
    assert r.status_code == 409 and r.json()["code"] == "warning.already_handled"
