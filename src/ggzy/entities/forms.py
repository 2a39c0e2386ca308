"""Page forms: they only render fields and carry the services' errors back to them.

Every rule lives in the services (``validation.py``), so the fields here are not required and
do no checking of their own: the page shows exactly the Chinese messages the API returns.
"""

from __future__ import annotations

from django import forms

from ggzy.core.errors import DomainError
from ggzy.entities.validation import ROLE_LABELS

ROLE_CHOICES = list(ROLE_LABELS.items())


def _text(label: str, help_text: str = "", **attrs) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, help_text=help_text, widget=forms.TextInput(attrs=attrs or None)
    )


class EntityFieldsForm(forms.Form):
    name = _text("名称", "与营业执照（登记证书）一致", autocomplete="organization")
    legal_representative = _text("法定代表人")
    address = _text("住所")
    region_code = _text("所在地区划代码", "6位行政区划代码，如 140105（太原市小店区）", inputmode="numeric")
    contact_name = _text("联系人")
    contact_phone = _text("联系电话", autocomplete="tel")
    contact_email = _text("电子邮箱", type="email", autocomplete="email")
    trading_roles = forms.MultipleChoiceField(
        label="交易角色", required=False, choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    bank_name = _text("开户银行", "用于保证金退付的结算账户（选填，填写则三项都要填）")
    bank_account_name = _text("账户名称")
    bank_account_no = _text("银行账号", inputmode="numeric")

    def show_error(self, exc: DomainError, prefix: str = "") -> None:
        """Put each of the service's errors next to its field (or at the top of the form)."""
        errors = exc.errors or []
        if not errors:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
            return
        placed = False
        for e in errors:
            name = f"{prefix}{e.field}" if e.field else None
            if name in self.fields:
                self.add_error(name, e.message)
                placed = True
        unplaced = [e.message for e in errors if not (e.field and f"{prefix}{e.field}" in self.fields)]
        if unplaced or not placed:
            self.add_error(None, "；".join(unplaced) or exc.message)

    def entity_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.fields if not name.startswith("admin_")}


class EntityRegisterForm(EntityFieldsForm):
    uscc = _text("统一社会信用代码", "18位，见营业执照", autocomplete="off", maxlength="30")
    admin_display_name = _text("管理员姓名")
    admin_username = _text("登录用户名", "字母、数字或 @ . + - _", autocomplete="username")
    admin_email = _text("管理员电子邮箱", "用于找回密码", type="email")
    admin_phone = _text("管理员手机号", type="tel")
    admin_password = forms.CharField(
        label="登录密码",
        required=False,
        help_text="至少10位，不能全是数字",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    field_order = ["uscc"]

    def admin_account(self) -> dict:
        return {
            key[len("admin_") :]: self.cleaned_data.get(key) or ""
            for key in self.fields
            if key.startswith("admin_")
        }

    def entity_data(self) -> dict:
        data = super().entity_data()
        data["uscc"] = self.cleaned_data.get("uscc")
        return data

    def entity_fields(self):
        return [f for f in self if not f.name.startswith("admin_")]

    def admin_fields(self):
        return [f for f in self if f.name.startswith("admin_")]


class EntityEditForm(EntityFieldsForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class QualificationForm(forms.Form):
    name = _text("资质名称")
    certificate_no = _text("证书编号")
    grade = _text("等级")
    issuer = _text("发证机关")
    valid_from = forms.CharField(
        label="有效期起", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.CharField(
        label="有效期至",
        required=False,
        help_text="长期有效可不填",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    show_error = EntityFieldsForm.show_error


class MemberForm(forms.Form):
    display_name = _text("姓名")
    username = _text("登录用户名")
    email = _text("电子邮箱", type="email")
    phone = _text("手机号", type="tel")
    password = forms.CharField(label="初始密码", required=False, widget=forms.PasswordInput)

    show_error = EntityFieldsForm.show_error


class ImportForm(forms.Form):
    file = forms.FileField(label="导入文件（CSV或Excel .xlsx）")
