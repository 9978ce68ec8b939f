"""Admin for support staff: reading, and the few fixes that go through the services.

Nothing here writes to the mediation models directly: a direct write would skip what the
services do (rooms for a new mediation, closing the sockets of someone removed, the
event log), so those models are read-only, the event log cannot be changed or deleted,
and removing someone is an action that calls `participant_remove`. Caucus rooms show
their metadata, never their content, which lives behind the caucus screens."""

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts import admin as accounts_admin
from accounts.models import User
from accounts.services.sessions import account_sessions_end
from config.errors import Invalid, ServiceError
from negotiation.models import (
    BrainstormRound,
    CaucusRead,
    Comment,
    Criterion,
    Document,
    DocumentReceipt,
    Event,
    Impasse,
    Interest,
    Invitation,
    Issue,
    Mediation,
    Option,
    Participant,
    PerspectiveRound,
    PerspectiveStatement,
    Position,
    Proposal,
    Response,
    Room,
    SealedRound,
    SealedSubmission,
    Side,
    StrategyAttempt,
)
from negotiation.services.participants import participant_remove


class NoWrites:
    """Shown, never added, changed or deleted here: the services are the only writers."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReadOnlyAdmin(NoWrites, admin.ModelAdmin[Any]):
    pass


class ReadOnlyInline(NoWrites, admin.TabularInline[Any, Any]):
    extra = 0


class SideInline(ReadOnlyInline):
    model = Side
    fields = ("name", "order")


class ParticipantInline(ReadOnlyInline):
    model = Participant
    fields = ("user", "role", "side", "joined_at", "access_expires_at", "removed_at")


@admin.register(Mediation)
class MediationAdmin(ReadOnlyAdmin):
    """Mediators open mediations in the app, which creates the rooms with them."""

    list_display = ("title", "stage", "status", "created_by", "created_at")
    list_filter = ("stage", "status")
    search_fields = ("title",)
    inlines = (SideInline, ParticipantInline)


@admin.register(Side)
class SideAdmin(ReadOnlyAdmin):
    list_display = ("name", "mediation", "order")
    search_fields = ("name", "mediation__title")


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdmin):
    """People join by invitation; support staff can remove someone, which closes their
    sockets and records the revocation in every room they could see."""

    list_display = ("user", "mediation", "role", "side", "joined_at", "removed_at")
    list_filter = ("role",)
    search_fields = ("user__email", "mediation__title")
    actions = ("remove",)

    def has_remove_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("negotiation.change_participant")

    @admin.action(permissions=["remove"], description="Remove from the mediation")
    def remove(self, request: HttpRequest, queryset: QuerySet[Participant]) -> None:
        removed = 0
        for participant in queryset.filter(removed_at__isnull=True).select_related("user"):
            try:
                participant_remove(actor=None, participant_id=participant.pk)
            except ServiceError as error:
                self.message_user(request, f"{participant}: {error.message}", messages.ERROR)
            else:
                removed += 1
        self.message_user(request, f"Removed {removed} from their mediations.")


@admin.register(Room)
class RoomAdmin(ReadOnlyAdmin):
    list_display = ("mediation", "kind", "side", "last_seq")
    list_filter = ("kind",)


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """The append-only log: never added, edited or deleted. Its payloads are not shown:
    a caucus room's events carry what was said there."""

    list_display = ("room", "seq", "name", "created_at")
    list_filter = ("name",)
    exclude = ("data",)

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # Django lets the list be filtered by any field named in the address, which would
        # let staff test a caucus event's payload for a word (`?data__icontains=`).
        if lookup.split("__")[0] == "data":
            return False
        return super().lookup_allowed(lookup, value, request)


@admin.register(CaucusRead)
class CaucusReadAdmin(ReadOnlyAdmin):
    """The audit log of reads of caucus rooms: who, which room, when, how. The mediator
    exports a mediation's part of it; nobody changes it."""

    list_display = ("at", "reader_email", "role", "room", "via", "mediation")
    list_filter = ("via",)
    search_fields = ("reader_email", "mediation__title")


class BoardItemAdmin(ReadOnlyAdmin):
    """Board content is changed through the board, where every change is recorded as an
    event; the admin only reads it."""


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


class MetadataOnlyAdmin(ReadOnlyAdmin):
    """Rows whose words are the mediators' alone: the list and the page show the `fields`
    named, never the `private` ones, and the list cannot be filtered on those from the
    address (`?note__icontains=`), which would let staff test them for a word."""

    private: tuple[str, ...] = ()

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        if lookup.split("__")[0] in self.private:
            return False
        return super().lookup_allowed(lookup, value, request)


@admin.register(Document)
class DocumentAdmin(MetadataOnlyAdmin):
    """The joint room's documents, as its board is shown; a private room's stay out, as
    its messages do. Shared and withdrawn in the rooms, which record it."""

    list_display = ("name", "room", "issue", "kind", "size", "created_at", "withdrawn_at")
    list_filter = ("kind",)
    exclude = ("stored_as",)
    private = ("stored_as",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Document]:
        return super().get_queryset(request).filter(room__side__isnull=True)


@admin.register(DocumentReceipt)
class DocumentReceiptAdmin(ReadOnlyAdmin):
    """Who first opened which of the joint room's documents, and when."""

    list_display = ("document", "participant", "opened_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[DocumentReceipt]:
        return super().get_queryset(request).filter(document__room__side__isnull=True)


@admin.register(Impasse)
class ImpasseAdmin(MetadataOnlyAdmin):
    """That an issue was at impasse and when; its causes and the mediator's note are the
    mediators' reading of the table."""

    list_display = ("id", "issue", "started_at", "cleared_at")
    fields = ("issue", "started_by", "started_at", "cleared_by", "cleared_at")
    private = ("causes", "note")


@admin.register(StrategyAttempt)
class StrategyAttemptAdmin(MetadataOnlyAdmin):
    list_display = ("id", "impasse_id", "kind", "started_at", "ended_at", "outcome")
    list_filter = ("kind", "outcome")
    fields = ("impasse_id", "kind", "side", "started_by", "started_at", "ended_by", "ended_at",
              "outcome")  # fmt: skip
    readonly_fields = ("impasse_id",)
    private = ("note", "impasse")


@admin.register(PerspectiveRound)
class PerspectiveRoundAdmin(BoardItemAdmin):
    list_display = ("id", "issue", "side_a", "side_b", "status", "started_at", "ended_at")
    list_filter = ("status",)
    exclude = ("attempt",)


@admin.register(PerspectiveStatement)
class PerspectiveStatementAdmin(BoardItemAdmin):
    """A submitted statement is the joint room's, as a comment is."""

    list_display = ("id", "round", "writer_side", "turn", "answer", "written_at")


@admin.register(BrainstormRound)
class BrainstormRoundAdmin(BoardItemAdmin):
    """A round's options have no author anywhere; the round keeps only its times."""

    list_display = ("id", "issue", "status", "started_at", "ended_at")
    list_filter = ("status",)


@admin.register(SealedRound)
class SealedRoundAdmin(BoardItemAdmin):
    """The ask is the joint room's. Not a count of submissions: before the reveal, that
    a side has submitted is that side's alone."""

    list_display = ("id", "issue", "asks", "status", "asked_at", "closed_at")
    list_filter = ("status",)


@admin.register(SealedSubmission)
class SealedSubmissionAdmin(BoardItemAdmin):
    """Listed once its round is revealed, when the joint room read it too; before, not
    even that it exists (and a cancelled round's are deleted, unread)."""

    list_display = ("id", "round", "side", "amount", "text")

    def get_queryset(self, request: HttpRequest) -> QuerySet[SealedSubmission]:
        return super().get_queryset(request).filter(round__status=SealedRound.Status.REVEALED)


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(accounts_admin.UserAdmin):
    """The accounts app's user admin, knowing of places in mediations: an account with
    places is deactivated, never deleted, and deactivating removes its places through
    the service, so their sockets close and each room records it."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting would drop their places without closing their sockets or recording it,
        # and take their words out of other people's records: deactivate instead.
        if obj is not None and obj.participations.exists():
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        deactivated = change and "is_active" in form.changed_data and not obj.is_active
        if not deactivated:
            super().save_model(request, obj, form, change)
            return
        try:
            with transaction.atomic():
                for place in obj.participations.filter(removed_at__isnull=True):
                    participant_remove(actor=None, participant_id=place.pk)
                super().save_model(request, obj, form, change)
                account_sessions_end(obj)
        except Invalid as error:
            obj.is_active = True
            self.message_user(request, f"{obj.email} stays active: {error.message}", messages.ERROR)


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
