from django.urls import path

from negotiation.api import views
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
        "mediations/<str:mediation_id>/notifications/",
        views.NotificationListApi.as_view(),
        name="notifications",
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
