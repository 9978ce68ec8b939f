from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from accounts.models import User
from accounts.ratelimit import client_address, lockout_message, signin_retry_after
from accounts.services.sessions import account_sessions_end


class RateLimitedAdminLoginForm(AdminAuthenticationForm):
    """The admin's sign-in under the same limit as the API's (the backend enforces it;
    this says so instead of "wrong password" while it holds)."""

    def clean(self) -> dict[str, Any]:
        email = str(self.cleaned_data.get("username") or "").lower()
        retry_after = signin_retry_after(email=email, client=client_address(self.request))
        if retry_after is not None:
            raise forms.ValidationError(lockout_message(retry_after), code="rate_limited")
        return super().clean()


admin.site.login_form = RateLimitedAdminLoginForm

# Rights an invitation never gives: granting one ends sessions started by a shown link.
RIGHTS = ("is_staff", "is_superuser", "is_mediator")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "name", "is_mediator", "is_staff", "is_active", "date_joined")
    list_filter = ("is_mediator", "is_staff", "is_active")
    search_fields = ("email", "name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("name",)}),
        (
            "Permissions",
            {"fields": ("is_active", "is_mediator", "is_staff", "is_superuser", "groups")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined", "shown_link_signin_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),
    )
    filter_horizontal: ClassVar = ("groups",)
    readonly_fields = ("shown_link_signin_at",)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        granted = change and any(
            name in form.changed_data and getattr(obj, name) for name in RIGHTS
        )
        super().save_model(request, obj, form, change)
        if granted and obj.shown_link_signin_at is not None:
            # Whoever was shown the link that last signed this account in may hold a
            # session of it: end them all before the new rights reach one.
            account_sessions_end(obj)
