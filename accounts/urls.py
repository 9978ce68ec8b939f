from django.urls import path

from accounts import api

urlpatterns = [
    path("auth/session/", api.SessionApi.as_view(), name="session"),
    path("auth/login/", api.LoginApi.as_view(), name="login"),
    path("auth/logout/", api.LogoutApi.as_view(), name="logout"),
    path("auth/password/", api.PasswordSetApi.as_view(), name="password-set"),
    path("invitations/preview/", api.InvitationPreviewApi.as_view(), name="invitation-preview"),
    path("invitations/redeem/", api.InvitationRedeemApi.as_view(), name="invitation-redeem"),
    path("invitations/resend/", api.InvitationResendApi.as_view(), name="invitation-resend"),
    path(
        "mediations/<str:mediation_id>/invitations/",
        api.InvitationListCreateApi.as_view(),
        name="invitations",
    ),
    path(
        "mediations/<str:mediation_id>/invitations/<int:invitation_id>/revoke/",
        api.InvitationRevokeApi.as_view(),
        name="invitation-revoke",
    ),
]
