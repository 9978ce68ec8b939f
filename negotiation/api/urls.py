from django.urls import path

from negotiation.api import views

urlpatterns = [
    path("mediations/", views.MediationListCreateApi.as_view(), name="mediations"),
    path("mediations/<str:mediation_id>/", views.MediationDetailApi.as_view(), name="mediation"),
    path("mediations/<str:mediation_id>/sides/", views.SideAddApi.as_view(), name="sides"),
    path(
        "mediations/<str:mediation_id>/participants/",
        views.ParticipantListApi.as_view(),
        name="participants",
    ),
]
