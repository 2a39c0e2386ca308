"""Master data in the Django admin (platform administrators only; see admin_site.py).

Thin: every save goes through a service (validated and audited); nothing is ever deleted
(deactivate instead); passwords are never shown.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpResponseRedirect

from ggzy.accounts import services
from ggzy.accounts.admin_site import admin_allowed
from ggzy.accounts.models import Department as DepartmentModel
from ggzy.accounts.models import OversightBody, Role, ServiceCenter, User
from ggzy.core.choices import Category
from ggzy.core.errors import DomainError


class MasterDataAdmin(admin.ModelAdmin):
    """Base for master-data admins of any app: platform administrators may view, add and change;
    nobody deletes. Subclasses save through services in ``save_model``."""

    def has_module_permission(self, request):
        return admin_allowed(request)

    def has_view_permission(self, request, obj=None):
        return admin_allowed(request)

    def has_add_permission(self, request):
        return admin_allowed(request)

    def has_change_permission(self, request, obj=None):
        return admin_allowed(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):  # pragma: no cover - deletion is never offered
        raise PermissionError("master data is deactivated, never deleted")

    def response_action(self, request, queryset):
        # Django's admin trusts the selected rows' ids and answered a stale or forged list with a
        # server error (``pk__in=['']``): a clear message instead, nothing changed
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if any(not str(pk).isdecimal() for pk in selected):
            self.message_user(request, "所选记录无效，请刷新页面后重新选择", level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)


def _apply(form: forms.Form, errors) -> None:
    for e in errors:
        form.add_error(e.field if e.field in form.fields else None, e.message)


def _each(modeladmin, request, queryset, call, ok) -> None:
    """Run the service ``call(obj)`` for every selected row, reporting each result in Chinese."""
    for obj in queryset:
        try:
            call(obj)
        except DomainError as exc:
            modeladmin.message_user(request, exc.message, messages.ERROR)
        else:
            modeladmin.message_user(request, ok(obj), messages.SUCCESS)


# --- service centers ----------------------------------------------------------------------------


class ServiceCenterForm(forms.ModelForm):
    class Meta:
        model = ServiceCenter
        fields = ["name", "region", "address", "phone", "complaint_phone"]

    def clean(self):
        data = super().clean()
        region = data.get("region")
        errors, _ = services.service_center_validate(
            name=data.get("name", ""),
            region_code=getattr(region, "code", "") if self.instance.pk is None else self.instance.region_id,
            instance=self.instance if self.instance.pk else None,
        )
        _apply(self, [e for e in errors if e.field != "region_code"])
        for e in errors:
            if e.field == "region_code":
                self.add_error("region", e.message)
        return data


@admin.register(ServiceCenter)
class ServiceCenterAdmin(MasterDataAdmin):
    form = ServiceCenterForm
    list_display = ["name", "level", "region", "parent", "phone", "active"]
    list_filter = ["level", "active"]
    search_fields = ["name", "region__code", "region__name"]
    actions = ["deactivate", "activate"]

    def get_readonly_fields(self, request, obj=None):
        return ["region", "level", "parent", "active"] if obj else ["level", "parent", "active"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            fields = ["name", "address", "phone", "complaint_phone"]
            saved = services.service_center_update(
                center=obj.pk, actor=request.user, **{f: data[f] for f in fields}
            )
        else:
            saved = services.service_center_create(
                name=data["name"],
                region_code=data["region"].code,
                address=data.get("address", ""),
                phone=data.get("phone", ""),
                complaint_phone=data.get("complaint_phone", ""),
                actor=request.user,
            )
        obj.pk, obj._state.adding = saved.pk, False

    @admin.action(description="停用所选交易服务中心")
    def deactivate(self, request, queryset):
        _each(
            self,
            request,
            queryset,
            lambda c: services.service_center_update(center=c, active=False, actor=request.user),
            lambda c: f"已停用{c}",
        )

    @admin.action(description="启用所选交易服务中心")
    def activate(self, request, queryset):
        _each(
            self,
            request,
            queryset,
            lambda c: services.service_center_update(center=c, active=True, actor=request.user),
            lambda c: f"已启用{c}",
        )


# --- departments --------------------------------------------------------------------------------


class DepartmentForm(forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label="监督的交易类别",
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="新建时不选则按部门类型默认",
    )

    class Meta:
        model = DepartmentModel
        fields = ["name", "kind", "region", "categories", "phone"]

    def clean(self):
        data = super().clean()
        creating = self.instance.pk is None
        region = data.get("region") if creating else self.instance.region
        errors, _ = services.department_validate(
            name=data.get("name", ""),
            kind=data.get("kind", "") if creating else self.instance.kind,
            region_code=getattr(region, "code", ""),
            categories=(data.get("categories") or None) if creating else data.get("categories", []),
            instance=None if creating else self.instance,
        )
        for e in errors:
            self.add_error(
                "region" if e.field == "region_code" else (e.field if e.field in self.fields else None),
                e.message,
            )
        return data


@admin.register(DepartmentModel)
class DepartmentAdmin(MasterDataAdmin):
    form = DepartmentForm
    list_display = ["name", "kind", "region", "category_labels", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "region__code", "region__name"]
    actions = ["deactivate"]

    def get_readonly_fields(self, request, obj=None):
        return ["kind", "region", "active"] if obj else ["active"]

    @admin.display(description="监督的交易类别")
    def category_labels(self, obj):
        return obj.category_labels()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = services.department_update(
                department=obj.pk,
                name=data["name"],
                categories=data.get("categories", []),
                phone=data.get("phone", ""),
                actor=request.user,
            )
        else:
            saved = services.department_create(
                name=data["name"],
                kind=data["kind"],
                region_code=data["region"].code,
                categories=data.get("categories") or None,
                phone=data.get("phone", ""),
                actor=request.user,
            )
        obj.pk, obj._state.adding = saved.pk, False

    @admin.action(description="停用所选监督部门")
    def deactivate(self, request, queryset):
        _each(
            self,
            request,
            queryset,
            lambda d: services.department_update(department=d, active=False, actor=request.user),
            lambda d: f"已停用{d}",
        )


# --- oversight bodies ---------------------------------------------------------------------------


@admin.register(OversightBody)
class OversightBodyAdmin(MasterDataAdmin):
    list_display = ["name", "kind", "region"]
    list_filter = ["kind"]
    fields = ["name", "kind", "region"]

    def get_readonly_fields(self, request, obj=None):
        return ["kind", "region"] if obj else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = services.oversight_body_update(body=obj.pk, name=data["name"], actor=request.user)
        else:
            saved = services.oversight_body_create(
                name=data["name"], kind=data["kind"], region_code=data["region"].code, actor=request.user
            )
        obj.pk, obj._state.adding = saved.pk, False


# --- users --------------------------------------------------------------------------------------

_PROFILE = ["display_name", "email", "phone", "service_center", "department", "oversight_body"]


class UserChangeForm(forms.ModelForm):
    class Meta:
        model = User
        fields = _PROFILE

    def clean(self):
        data = super().clean()
        errors, _ = services.user_validate(
            username=self.instance.username,
            role=self.instance.role,
            instance=self.instance,
            **{f: data.get(f) for f in _PROFILE},
        )
        _apply(self, errors)
        return data


class UserAddForm(forms.ModelForm):
    password1 = forms.CharField(label="初始密码", widget=forms.PasswordInput(render_value=False), strip=False)
    password2 = forms.CharField(
        label="再次输入初始密码", widget=forms.PasswordInput(render_value=False), strip=False
    )
    role = forms.ChoiceField(
        label="角色",
        choices=[(r.value, r.label) for r in Role if r not in (Role.ENTITY_ADMIN, Role.ENTITY_MEMBER)],
        help_text="市场主体的账户由主体注册和主体管理员管理",
    )

    class Meta:
        model = User
        fields = ["username", "role", *_PROFILE]

    def _post_clean(self):
        # The services validate (in Chinese) before anything reaches the database constraint.
        pass

    def clean(self):
        data = super().clean()
        if data.get("password1") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致")
        errors, _ = services.user_validate(
            username=data.get("username", ""),
            role=data.get("role", ""),
            password=data.get("password1", ""),
            **{f: data.get(f) for f in _PROFILE},
        )
        for e in errors:
            self.add_error(
                "password1" if e.field == "password" else (e.field if e.field in self.fields else None),
                e.message,
            )
        return data


@admin.register(User)
class UserAdmin(MasterDataAdmin):
    list_display = [
        "username",
        "display_name",
        "role",
        "organisation",
        "is_active",
        "totp_confirmed",
        "locked_until",
    ]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "display_name", "email", "phone"]
    actions = ["deactivate", "unlock"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = UserChangeForm if obj else UserAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["username", "role", *_PROFILE, "password1", "password2"]
        return [
            "username",
            "role",
            *_PROFILE,
            "is_active",
            "totp_confirmed",
            "failed_logins",
            "locked_until",
            "last_login",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            "username",
            "role",
            "is_active",
            "totp_confirmed",
            "failed_logins",
            "locked_until",
            "last_login",
        ]

    @admin.display(description="所属机构")
    def organisation(self, obj):
        return obj.service_center or obj.department or obj.oversight_body or "—"

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        profile = {f: data.get(f) for f in _PROFILE}
        if change:
            saved = services.user_update(user=obj.pk, actor=request.user, **profile)
        else:
            saved = services.user_create(
                username=data["username"],
                role=data["role"],
                password=data["password1"],
                actor=request.user,
                **profile,
            )
        obj.pk, obj._state.adding = saved.pk, False

    def save_related(self, request, form, formsets, change):
        pass  # groups and permissions are not used: rights come from the role matrix

    @admin.action(description="停用所选账户")
    def deactivate(self, request, queryset):
        _each(
            self,
            request,
            queryset,
            lambda u: services.user_deactivate(user=u, actor=request.user),
            lambda u: f"已停用{u.username}",
        )

    @admin.action(description="解除所选账户的登录锁定")
    def unlock(self, request, queryset):
        _each(
            self,
            request,
            queryset,
            lambda u: services.user_unlock(user=u, actor=request.user),
            lambda u: f"已解锁{u.username}",
        )
