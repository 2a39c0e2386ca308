"""Pages of the accounts app: login, second factor, password, API tokens (thin: services decide)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ggzy.accounts import secondfactor, selectors, totp
from ggzy.accounts.forms import (
    AuditedPasswordResetForm,
    AuditedSetPasswordForm,
    LoginForm,
    PasswordChangeForm,
    TokenIssueForm,
    TotpForm,
)
from ggzy.accounts.services import (
    password_change,
    token_issue,
    token_revoke,
    totp_confirm,
    totp_enrolment_start,
    totp_verify,
)
from ggzy.core import clock
from ggzy.core.errors import DomainError


def _next_url(request, default: str = "") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default or reverse(settings.LOGIN_REDIRECT_URL)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = False

    def form_valid(self, form):
        response = super().form_valid(form)
        if secondfactor.is_pending(self.request):
            return redirect(f"{reverse('accounts:totp')}?{urlencode({'next': self.get_success_url()})}")
        return response


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def totp_page(request):
    """Enrol (first login: secret and QR code) or enter the second factor."""
    user = request.user
    pending = secondfactor.is_pending(request)
    next_url = _next_url(request)
    if not pending and user.totp_confirmed:
        return render(request, "accounts/totp_done.html")
    enrol = not user.totp_confirmed
    if not user.needs_second_factor and not pending:
        return redirect(next_url)
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if enrol:
                totp_confirm(user=user, code=form.cleaned_data["code"])
            else:
                totp_verify(user=user, code=form.cleaned_data["code"])
        except DomainError as exc:
            if exc.code == "auth.locked":
                logout(request)
                messages.error(request, exc.message)
                return redirect("accounts:login")
            form.add_error("code", exc.message)
        else:
            if pending:
                secondfactor.clear_pending(request)
            messages.success(request, "动态口令绑定成功" if enrol else "已通过动态口令验证")
            return redirect(next_url)
    context = {"form": form, "enrol": enrol, "next": next_url}
    if enrol:
        user = totp_enrolment_start(user=user)
        uri = totp.provisioning_uri(user.totp_secret, user.username, settings.GGZY_SITE_NAME)
        context.update(secret=user.totp_secret, qr_svg=totp.qr_svg(uri))
    return render(request, "accounts/totp.html", context)


@login_required
def tokens(request):
    """The account's API tokens: issue (the token is shown once, on this response only) and list."""
    form = TokenIssueForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = token_issue(
                user=request.user,
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            issued = {"token": token, "raw": raw}
            form = TokenIssueForm()
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "issued": issued, "tokens": _token_rows(request.user)},
    )


def _token_rows(user):
    now = clock.now()
    rows = []
    for t in selectors.tokens_of(user):
        t.status = t.status_label(now)
        rows.append(t)
    return rows


@login_required
@require_POST
def token_revoke_view(request, token_id: int):
    try:
        token_revoke(token=token_id, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "令牌已吊销，使用它的系统将无法再访问")
    return redirect("accounts:tokens")


@login_required
def password_change_view(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_change(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            from django.contrib.auth import update_session_auth_hash

            request.user.refresh_from_db()
            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改")
            return redirect("portal:console")
    return render(request, "accounts/password_change.html", {"form": form})


password_reset = auth_views.PasswordResetView.as_view(
    form_class=AuditedPasswordResetForm,
    template_name="accounts/password_reset.html",
    email_template_name="accounts/password_reset_email.txt",
    subject_template_name="accounts/password_reset_subject.txt",
    extra_email_context={"site_name": settings.GGZY_SITE_NAME},
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    form_class=AuditedSetPasswordForm,
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
