"""Forms of the accounts pages (parsing only: the services decide)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm

from ggzy.accounts.services.login import BAD_CREDENTIALS
from ggzy.accounts.services.tokens import DEFAULT_DAYS, MAX_DAYS
from ggzy.accounts.services.users import password_reset_complete, password_reset_requested
from ggzy.core.errors import DomainError


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": BAD_CREDENTIALS,
        "inactive": BAD_CREDENTIALS,
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"

    def get_invalid_login_error(self):
        exc = getattr(self.request, "ggzy_login_error", None)
        if isinstance(exc, DomainError):
            return forms.ValidationError(exc.message, code=exc.code)
        return super().get_invalid_login_error()


class TotpForm(forms.Form):
    code = forms.CharField(
        label="动态口令",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
        error_messages={
            "required": "请输入6位动态口令",
            "min_length": "动态口令为6位数字",
            "max_length": "动态口令为6位数字",
        },
    )


class TokenIssueForm(forms.Form):
    name = forms.CharField(label="令牌名称", max_length=100, help_text="例如：对接的交易系统名称")
    expires_in_days = forms.IntegerField(
        label="有效期（天）", min_value=1, max_value=MAX_DAYS, initial=DEFAULT_DAYS
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label="原密码", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label="新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label="再次输入新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致")
        return data


class AuditedPasswordResetForm(PasswordResetForm):
    """Records every reset request (matched or not) before sending the mail."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "注册时填写的电子邮箱"

    def save(self, *args, **kwargs):
        email = self.cleaned_data["email"]
        password_reset_requested(email=email, users=list(self.get_users(email)))
        return super().save(*args, **kwargs)


class AuditedSetPasswordForm(SetPasswordForm):
    """Sets the new password through the service (validated, audited, lock lifted)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "新密码"
        self.fields["new_password2"].label = "再次输入新密码"

    def save(self, commit=True):
        password = self.cleaned_data["new_password1"]
        try:
            return password_reset_complete(user=self.user, new_password=password)
        except DomainError as exc:  # validators already ran in the form; keep the message anyway
            raise forms.ValidationError(exc.message) from exc
