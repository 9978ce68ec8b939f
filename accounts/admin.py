from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.http import HttpRequest

from accounts.models import Invitation, User
from accounts.ratelimit import client_address, lockout_message, signin_retry_after
from accounts.services.invitations import account_sessions_end
from negotiation.errors import Invalid
from negotiation.services.participants import participant_remove


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

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        # Deleting would drop their places in mediations without closing their sockets or
        # recording it, and take their words out of other people's records: deactivate.
        if obj is not None and obj.participations.exists():
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        granted = change and any(
            name in form.changed_data and getattr(obj, name) for name in RIGHTS
        )
        deactivated = change and "is_active" in form.changed_data and not obj.is_active
        if deactivated:
            try:
                with transaction.atomic():
                    # Through the service, so their sockets close and each room records it.
                    for place in obj.participations.filter(removed_at__isnull=True):
                        participant_remove(actor=None, participant_id=place.pk)
                    super().save_model(request, obj, form, change)
                    account_sessions_end(obj)
            except Invalid as error:
                obj.is_active = True
                self.message_user(
                    request, f"{obj.email} stays active: {error.message}", messages.ERROR
                )
            return
        super().save_model(request, obj, form, change)
        if granted and obj.shown_link_signin_at is not None:
            # Whoever was shown the link that last signed this account in may hold a
            # session of it: end them all before the new rights reach one.
            account_sessions_end(obj)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    list_display = ("email", "role", "side", "mediation", "created_at", "expires_at", "status")
    list_filter = ("role",)
    search_fields = ("email", "mediation__title")
    readonly_fields = (
        "mediation",
        "email",
        "name",
        "role",
        "side",
        "created_by",
        "created_at",
        "expires_at",
        "redeemed_at",
        "redeemed_by",
        "revoked_at",
        "revoked_by",
        "link_shown",
    )

    def has_add_permission(self, request: object) -> bool:
        # Invitations carry a token that is shown once: create them through the API.
        return False
