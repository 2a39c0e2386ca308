"""Forms of the console pages. They only collect input: the services validate it."""

from __future__ import annotations

from django import forms
from django.conf import settings

from ggzy.accounts.models import ServiceCenter
from ggzy.core.errors import DomainError
from ggzy.core.models import Region
from ggzy.trading import selectors, timeline
from ggzy.trading.models import ItemKind, NoticeKind


class _ServiceErrors:
    def show_error(self, exc: DomainError) -> None:
        """Put the service's errors next to the fields they name (others at the top)."""
        for e in exc.errors or [exc]:
            field = (getattr(e, "field", None) or "").split(".")[0]
            self.add_error(field if field in self.fields else None, e.message)


class ProjectRegisterForm(_ServiceErrors, forms.Form):
    name = forms.CharField(label="项目名称", max_length=200, required=False)
    ruleset_code = forms.ChoiceField(label="交易方式（交易规则）", required=False)
    region_code = forms.ChoiceField(label="项目所在地", required=False)
    service_center = forms.ChoiceField(label="办理平台", required=False)
    tenderer_uscc = forms.CharField(
        label="招标人（采购人、出让人）统一社会信用代码", max_length=18, required=False
    )
    agency_uscc = forms.CharField(label="代理机构统一社会信用代码（无则不填）", max_length=18, required=False)
    estimate = forms.CharField(label="估算金额（元）", max_length=30, required=False)
    item_kind = forms.ChoiceField(
        label="标的类型（工程建设、政府采购项目填写）", choices=[("", "—"), *ItemKind.choices], required=False
    )
    public_funded = forms.BooleanField(label="使用国有资金或财政资金", required=False)
    acceleration = forms.IntegerField(
        label="演示加速倍数（1为不加速）", min_value=1, initial=1, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rulesets = selectors.rulesets_published()
        self.fields["ruleset_code"].choices = [("", "请选择")] + [
            (r.code, f"{r.name}（第{r.version}版）") for r in rulesets
        ]
        self.fields["region_code"].choices = [("", "请选择")] + [
            (r.code, f"{r.full_name()}（{r.code}）") for r in Region.objects.select_related("parent__parent")
        ]
        self.fields["service_center"].choices = [("", "请选择")] + [
            (str(c.pk), c.name) for c in ServiceCenter.objects.filter(active=True).order_by("region_id")
        ]
        if not getattr(settings, "GGZY_PROJECT_ACCELERATION_ALLOWED", False):
            del self.fields["acceleration"]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.setdefault("acceleration", 1)
        return data


class LotAddForm(_ServiceErrors, forms.Form):
    name = forms.CharField(label="标段（包）名称", max_length=200, required=False)
    estimate = forms.CharField(label="估算金额（元）", max_length=30, required=False)


DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class LotScheduleForm(_ServiceErrors, forms.Form):
    """The times an operator fixes in a draft lot's timeline (Beijing time): one field per event
    the lot's rule set lets the operator choose (``timeline.anchor_fields``), named by the event,
    so the service's errors (``field`` = event) land on their field. ``rows`` gives each field with
    the periods its time must follow (with the articles) and its computed earliest / latest time."""

    def __init__(self, *args, ruleset, **kwargs):
        super().__init__(*args, **kwargs)
        self.anchor_fields = timeline.anchor_fields(ruleset)
        for a in self.anchor_fields:
            self.fields[a.event] = forms.DateTimeField(
                label=a.label + ("" if a.required else "（选填）"),
                required=False,
                input_formats=DATETIME_FORMATS,
                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            )

    def clean(self):
        data = super().clean()
        for a in self.anchor_fields:
            if a.required and a.event not in self.errors and not data.get(a.event):
                self.add_error(a.event, f"请填写{a.label}时间")
        return data

    def anchors(self) -> dict:
        return {
            a.event: self.cleaned_data[a.event] for a in self.anchor_fields if self.cleaned_data.get(a.event)
        }

    def typed_anchors(self) -> dict:
        """The times entered so far that parse (for the computed minimums beside the fields)."""
        out = {}
        for a in self.anchor_fields:
            raw = self[a.event].value()
            if isinstance(raw, str) and raw.strip():
                try:
                    out[a.event] = self.fields[a.event].to_python(raw)
                except forms.ValidationError:
                    continue
            elif raw:
                out[a.event] = raw
        return out

    def rows(self, bounds: dict[str, dict[str, str]]) -> list[dict]:
        """Each field with its rules and the earliest / latest lawful time computed from the others."""
        return [
            {"field": self[a.event], "rules": a.rules_text(), **bounds.get(a.event, {})}
            for a in self.anchor_fields
        ]


class NoticePublishForm(_ServiceErrors, forms.Form):
    kind = forms.ChoiceField(label="公告类型", required=False)
    qualification = forms.CharField(label="资格要求", max_length=2000, required=False)
    free_text = forms.CharField(label="补充说明", widget=forms.Textarea(attrs={"rows": 8}), required=False)

    def __init__(self, *args, **kwargs):

        super().__init__(*args, **kwargs)
        amending = (NoticeKind.AMENDMENT, NoticeKind.CLARIFICATION)  # published through notice_amend
        self.fields["kind"].choices = [(v, lbl) for v, lbl in NoticeKind.choices if v not in amending]

    def service_data(self) -> dict:
        qualification = self.cleaned_data.get("qualification", "")
        return {"资格要求": qualification} if qualification else {}
