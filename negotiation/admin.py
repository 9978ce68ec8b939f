"""Admin for support staff: reading and light fixes. It shows caucus rooms' metadata,
never their content, which lives behind the caucus screens."""

from typing import Any

from django.contrib import admin

from negotiation.models import (
    Comment,
    Criterion,
    Event,
    Interest,
    Issue,
    Mediation,
    Option,
    Participant,
    Position,
    Proposal,
    Response,
    Room,
    Side,
)


class SideInline(admin.TabularInline[Side, Mediation]):
    model = Side
    extra = 0
    fields = ("name", "order")


class ParticipantInline(admin.TabularInline[Participant, Mediation]):
    model = Participant
    extra = 0
    fields = ("user", "role", "side", "joined_at", "access_expires_at", "removed_at")
    raw_id_fields = ("user",)


@admin.register(Mediation)
class MediationAdmin(admin.ModelAdmin[Mediation]):
    list_display = ("title", "stage", "status", "created_by", "created_at")
    list_filter = ("stage", "status")
    search_fields = ("title",)
    readonly_fields = ("id", "created_at", "version")
    inlines = (SideInline, ParticipantInline)


@admin.register(Side)
class SideAdmin(admin.ModelAdmin[Side]):
    list_display = ("name", "mediation", "order")
    search_fields = ("name", "mediation__title")


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin[Participant]):
    list_display = ("user", "mediation", "role", "side", "joined_at", "removed_at")
    list_filter = ("role",)
    search_fields = ("user__email", "mediation__title")
    raw_id_fields = ("user",)


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin[Room]):
    list_display = ("mediation", "kind", "side", "last_seq")
    list_filter = ("kind",)
    readonly_fields = ("mediation", "kind", "side", "last_seq")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin[Event]):
    list_display = ("room", "seq", "name", "created_at")
    list_filter = ("name",)
    readonly_fields = ("room", "seq", "name", "actor", "created_at")
    exclude = ("data",)

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


class BoardItemAdmin(admin.ModelAdmin[Any]):
    """Board content is changed through the board, where every change is recorded as an
    event; the admin only reads it."""

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Issue)
class IssueAdmin(BoardItemAdmin):
    list_display = ("title", "lane", "order", "room", "version", "updated_at")
    list_filter = ("lane",)
    search_fields = ("title",)


@admin.register(Position, Interest, Option, Criterion, Comment)
class IssueContentAdmin(BoardItemAdmin):
    list_display = ("__str__", "issue")


@admin.register(Proposal)
class ProposalAdmin(BoardItemAdmin):
    list_display = ("__str__", "issue", "side", "amount", "status", "created_at")
    list_filter = ("status",)


@admin.register(Response)
class ResponseAdmin(BoardItemAdmin):
    list_display = ("proposal", "side", "answer", "responded_at")
