"""REST endpoints for signing in: the session, sign-in, sign-out, a mediator's password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, login
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.ratelimit import (
    RateLimited,
    client_address,
    lockout_message,
    signin_failed,
    signin_retry_after,
)
from accounts.services.sessions import session_end, session_password_set
from accounts.session import request_user
from config import json_fields
from config.errors import Invalid, NotAllowed
from config.rest import CsrfCheckedApi, validated


class UserSerializer(serializers.ModelSerializer[User]):
    name = serializers.CharField(source="display_name", read_only=True)
    has_password = serializers.BooleanField(source="has_usable_password", read_only=True)

    class Meta:
        model = User
        fields = ("id", "email", "name", "is_mediator", "has_password")


SessionSerializer = inline_serializer("Session", fields={"user": UserSerializer(allow_null=True)})


@method_decorator(ensure_csrf_cookie, name="dispatch")
class SessionApi(APIView):
    """Who is signed in. Also hands the browser its CSRF cookie."""

    permission_classes = (AllowAny,)

    @extend_schema(operation_id="session_retrieve", responses=SessionSerializer)
    def get(self, request: Request) -> Response:
        user = request.user if request.user.is_authenticated else None
        return Response({"user": UserSerializer(user).data if user else None})


class LoginApi(CsrfCheckedApi):
    error_statuses = (429,)  # the sign-in rate limit

    class InputSerializer(serializers.Serializer[Any]):
        email = json_fields.EmailField()
        password = json_fields.CharField(trim_whitespace=False, max_length=4096)

    @extend_schema(
        operation_id="session_login", request=InputSerializer, responses=SessionSerializer
    )
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        email, client = data["email"].lower(), client_address(request._request)
        retry_after = signin_retry_after(email=email, client=client)
        if retry_after is not None:
            response = Response(
                {"detail": lockout_message(retry_after), "code": RateLimited.code},
                status=RateLimited.status,
            )
            response["Retry-After"] = str(retry_after)
            return response
        # The backend counts a failure towards the limit.
        user = authenticate(request._request, username=email, password=data["password"])
        if user is None:
            raise Invalid("That e-mail and password do not match.", code="invalid_credentials")
        login(request._request, user)
        return Response({"user": UserSerializer(user).data})


class LogoutApi(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(operation_id="session_logout", request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        session_end(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordSetApi(APIView):
    """A mediator sets or changes their password. Changing one needs the current one, so a
    session left open on a shared computer cannot take the account; wrong guesses count
    towards the sign-in rate limit."""

    error_statuses = (429,)

    class InputSerializer(serializers.Serializer[Any]):
        password = json_fields.CharField(trim_whitespace=False, max_length=4096)
        current_password = json_fields.CharField(
            trim_whitespace=False, max_length=4096, required=False, allow_blank=True
        )

    @extend_schema(operation_id="password_set", request=InputSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        user = request_user(request)
        if not user.is_mediator:
            raise NotAllowed("Parties sign in with their invitation link; no password needed.")
        data = validated(self.InputSerializer, request.data)
        if user.has_usable_password():
            client = client_address(request._request)
            if signin_retry_after(email=user.email, client=client) is not None:
                raise RateLimited("Too many wrong passwords. Try again in a few minutes.")
            current = data.get("current_password", "")
            if not current:
                raise Invalid(
                    "Enter your current password.",
                    details={"current_password": ["Enter your current password."]},
                )
            if not user.check_password(current):
                signin_failed(email=user.email, client=client)
                raise Invalid(
                    "That is not your current password.",
                    details={"current_password": ["That is not your current password."]},
                )
        try:
            validate_password(data["password"], user)
        except DjangoValidationError as error:
            raise Invalid(
                "Choose a stronger password.", details={"password": list(error.messages)}
            ) from None
        session_password_set(request=request._request, user=user, password=data["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)
