from django.urls import path

from negotiation.api import (
    documents,
    exports,
    history,
    impasse,
    invitations,
    notifications,
    rounds,
    views,
)
from negotiation.commands import COMMANDS

urlpatterns = [
    path("mediations/", views.MediationListCreateApi.as_view(), name="mediations"),
    path("mediations/<str:mediation_id>/", views.MediationDetailApi.as_view(), name="mediation"),
    path("mediations/<str:mediation_id>/sides/", views.SideAddApi.as_view(), name="sides"),
    path(
        "mediations/<str:mediation_id>/participants/",
        views.ParticipantListApi.as_view(),
        name="participants",
    ),
    path("mediations/<str:mediation_id>/board/", views.BoardApi.as_view(), name="board"),
    path(
        "mediations/<str:mediation_id>/rooms/<str:room_key>/",
        views.RoomApi.as_view(),
        name="room",
    ),
    path(
        "mediations/<str:mediation_id>/rooms/<str:room_key>/snapshots/",
        history.SnapshotListApi.as_view(),
        name="snapshots",
    ),
    path(
        "mediations/<str:mediation_id>/snapshots/<int:snapshot_id>/",
        history.SnapshotApi.as_view(),
        name="snapshot",
    ),
    path(
        "mediations/<str:mediation_id>/snapshots/<int:snapshot_id>/changes/<int:other_id>/",
        history.SnapshotChangesApi.as_view(),
        name="snapshot-changes",
    ),
    path(
        "mediations/<str:mediation_id>/issues/<int:issue_id>/history/",
        history.IssueHistoryApi.as_view(),
        name="issue-history",
    ),
    path(
        "mediations/<str:mediation_id>/summary/",
        history.SessionSummaryApi.as_view(),
        name="session-summary",
    ),
    path(
        "mediations/<str:mediation_id>/documents/",
        documents.DocumentShareApi.as_view(),
        name="documents",
    ),
    path(
        "mediations/<str:mediation_id>/documents/<int:document_id>/file/",
        documents.DocumentFileApi.as_view(),
        name="document-file",
    ),
    path(
        "mediations/<str:mediation_id>/sealed/mine/",
        rounds.SealedOwnApi.as_view(),
        name="sealed-own",
    ),
    path("mediations/<str:mediation_id>/balance/", views.BalanceApi.as_view(), name="balance"),
    path(
        "mediations/<str:mediation_id>/impasses/",
        impasse.ImpasseListApi.as_view(),
        name="impasses",
    ),
    path(
        "mediations/<str:mediation_id>/perspective-drafts/",
        impasse.PerspectiveDraftListApi.as_view(),
        name="perspective-drafts",
    ),
    path(
        "mediations/<str:mediation_id>/notifications/",
        notifications.NotificationListApi.as_view(),
        name="notifications",
    ),
    path(
        "mediations/<str:mediation_id>/waiting/",
        notifications.WaitingApi.as_view(),
        name="waiting",
    ),
    path(
        "mediations/<str:mediation_id>/deliveries/failed/",
        notifications.DeliveriesFailedApi.as_view(),
        name="deliveries-failed",
    ),
    path(
        "me/notifications/",
        notifications.NotificationSettingsApi.as_view(),
        name="notification-settings",
    ),
    path("me/push/", notifications.PushSubscriptionApi.as_view(), name="push-subscription"),
    path("me/push/forget/", notifications.PushUnsubscribeApi.as_view(), name="push-forget"),
    path(
        "mediations/<str:mediation_id>/audit/",
        exports.AuditLogApi.as_view(),
        name="audit-log",
    ),
    path("me/data/", exports.PersonalDataApi.as_view(), name="personal-data"),
    path(
        "invitations/preview/",
        invitations.InvitationPreviewApi.as_view(),
        name="invitation-preview",
    ),
    path(
        "invitations/redeem/", invitations.InvitationRedeemApi.as_view(), name="invitation-redeem"
    ),
    path(
        "invitations/resend/", invitations.InvitationResendApi.as_view(), name="invitation-resend"
    ),
    path(
        "mediations/<str:mediation_id>/invitations/",
        invitations.InvitationListCreateApi.as_view(),
        name="invitations",
    ),
    path(
        "mediations/<str:mediation_id>/invitations/<int:invitation_id>/revoke/",
        invitations.InvitationRevokeApi.as_view(),
        name="invitation-revoke",
    ),
    *(
        path(
            f"mediations/<str:mediation_id>/commands/{name}/",
            views.command_api(command).as_view(),
            name=f"command-{name}",
        )
        for name, command in COMMANDS.items()
    ),
]
