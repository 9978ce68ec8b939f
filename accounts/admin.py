from typing import ClassVar

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import Invitation, User


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
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),
    )
    filter_horizontal: ClassVar = ("groups",)


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
    )

    def has_add_permission(self, request: object) -> bool:
        # Invitations carry a token that is shown once: create them through the API.
        return False
