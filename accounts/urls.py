from django.urls import path

from accounts import api

urlpatterns = [
    path("auth/session/", api.SessionApi.as_view(), name="session"),
    path("auth/login/", api.LoginApi.as_view(), name="login"),
    path("auth/logout/", api.LogoutApi.as_view(), name="logout"),
    path("auth/password/", api.PasswordSetApi.as_view(), name="password-set"),
]
