"""REST endpoints for signing in and for invitations."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, login
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.models import Invitation, User
from accounts.ratelimit import (
    RateLimited,
    client_address,
    lockout_message,
    signin_failed,
    signin_retry_after,
)
from accounts.services.invitations import (
    invitation_by_token,
    invitation_check_usable,
    invitation_create,
    invitation_link,
    invitation_redeem,
    invitation_resend,
    invitation_revoke,
)
from accounts.services.sessions import session_end, session_password_set
from accounts.session import request_user
from negotiation.api.views import validated
from negotiation.errors import Invalid, NotAllowed
from negotiation.permissions import access_mediation, can_view_invitations
from negotiation.serializers import SideSerializer


class UserSerializer(serializers.ModelSerializer[User]):
    name = serializers.CharField(source="display_name", read_only=True)
    has_password = serializers.BooleanField(source="has_usable_password", read_only=True)

    class Meta:
        model = User
        fields = ("id", "email", "name", "is_mediator", "has_password")


class InvitationSerializer(serializers.ModelSerializer[Invitation]):
    side = SideSerializer(read_only=True, allow_null=True)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Invitation
        fields: tuple[str, ...] = (
            "id",
            "email",
            "name",
            "role",
            "side",
            "created_at",
            "expires_at",
            "status",
            "link_shown",
            "caucus_history",
        )


SessionSerializer = inline_serializer("Session", fields={"user": UserSerializer(allow_null=True)})


class CsrfCheckedApi(APIView):
    """For endpoints open to signed-out callers that sign someone in: DRF checks CSRF only
    for signed-in sessions, and a forged sign-in is an attack too."""

    permission_classes = (AllowAny,)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            SessionAuthentication().enforce_csrf(request)


@method_decorator(ensure_csrf_cookie, name="dispatch")
class SessionApi(APIView):
    """Who is signed in. Also hands the browser its CSRF cookie."""

    permission_classes = (AllowAny,)

    @extend_schema(operation_id="session_retrieve", responses=SessionSerializer)
    def get(self, request: Request) -> Response:
        user = request.user if request.user.is_authenticated else None
        return Response({"user": UserSerializer(user).data if user else None})


class LoginApi(CsrfCheckedApi):
    class InputSerializer(serializers.Serializer[Any]):
        email = serializers.EmailField()
        password = serializers.CharField(trim_whitespace=False, max_length=4096)

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

    class InputSerializer(serializers.Serializer[Any]):
        password = serializers.CharField(trim_whitespace=False, max_length=4096)
        current_password = serializers.CharField(
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


class TokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(max_length=200)


InvitationMediationSerializer = inline_serializer(
    "InvitationMediation",
    fields={"id": serializers.UUIDField(), "title": serializers.CharField()},
)


class InvitationPreviewApi(CsrfCheckedApi):
    """What an invitation link offers. Spends nothing: only the redeem call does.

    The token travels in the body, never in a URL, so no access log or proxy records it;
    the link itself carries it after a `#`, which browsers do not send.
    """

    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = "invitation"

    @extend_schema(
        operation_id="invitation_preview",
        request=TokenSerializer,
        responses=inline_serializer(
            "InvitationPreview",
            fields={
                "email": serializers.EmailField(),
                "role": serializers.CharField(),
                "side": SideSerializer(allow_null=True),
                "mediation": InvitationMediationSerializer,
                "invited_by": serializers.CharField(),
                "expires_at": serializers.DateTimeField(),
            },
        ),
    )
    def post(self, request: Request) -> Response:
        invitation = invitation_by_token(validated(TokenSerializer, request.data)["token"])
        invitation_check_usable(invitation)
        return Response(
            {
                "email": invitation.email,
                "role": invitation.role,
                "side": SideSerializer(invitation.side).data if invitation.side else None,
                "mediation": {
                    "id": str(invitation.mediation_id),
                    "title": invitation.mediation.title,
                },
                "invited_by": invitation.created_by.display_name,
                "expires_at": invitation.expires_at,
            }
        )


class InvitationRedeemApi(CsrfCheckedApi):
    """Spend an invitation link: join the mediation and sign in, no password needed."""

    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = "invitation"

    @extend_schema(
        operation_id="invitation_redeem",
        request=TokenSerializer,
        responses=inline_serializer(
            "InvitationRedeemed",
            fields={"user": UserSerializer(), "mediation": InvitationMediationSerializer},
        ),
    )
    def post(self, request: Request) -> Response:
        token = validated(TokenSerializer, request.data)["token"]
        signed_in = request.user if isinstance(request.user, User) else None
        user, participant = invitation_redeem(token=token, signed_in=signed_in)
        # Also when already signed in as them: their sessions may just have been ended.
        login(request._request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
        return Response(
            {
                "user": UserSerializer(user).data,
                "mediation": {
                    "id": str(participant.mediation_id),
                    "title": participant.mediation.title,
                },
            }
        )


class InvitationResendApi(CsrfCheckedApi):
    """E-mail a fresh link to the invited address, for a person whose link was refused
    because the inviter saw it. Says the same whether or not the address has an account."""

    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = "invitation"

    @extend_schema(
        operation_id="invitation_resend",
        request=TokenSerializer,
        responses={
            202: inline_serializer("InvitationResent", fields={"detail": serializers.CharField()})
        },
    )
    def post(self, request: Request) -> Response:
        invitation_resend(token=validated(TokenSerializer, request.data)["token"])
        return Response(
            {
                "detail": "We are e-mailing a fresh link to the invited address. It can take "
                "a few minutes to arrive; the link you opened no longer works."
            },
            status=status.HTTP_202_ACCEPTED,
        )


class InvitationListCreateApi(APIView):
    class InputSerializer(serializers.Serializer[Any]):
        email = serializers.EmailField()
        role = serializers.CharField(max_length=16)
        side = serializers.IntegerField(required=False, allow_null=True, min_value=1)
        name = serializers.CharField(max_length=150, required=False, allow_blank=True)
        caucus_history = serializers.BooleanField(
            required=False,
            default=False,
            help_text="An expert invited into a side's private room: may they read what was "
            "said there before they joined? By default they read only what is said from then.",
        )

    class CreatedSerializer(InvitationSerializer):
        link = serializers.CharField(
            read_only=True,
            allow_null=True,
            help_text="Shown once; null when the address has an account with other access, "
            "whose link goes only by e-mail.",
        )

        class Meta(InvitationSerializer.Meta):
            fields = (*InvitationSerializer.Meta.fields, "link")

    @extend_schema(operation_id="invitations_list", responses=InvitationSerializer(many=True))
    def get(self, request: Request, mediation_id: str) -> Response:
        participant = access_mediation(request_user(request), mediation_id)
        if not can_view_invitations(participant):
            raise NotAllowed("Only the mediator sees the invitations.")
        invitations = participant.mediation.invitations.select_related("side")
        return Response(InvitationSerializer(invitations, many=True).data)

    @extend_schema(
        operation_id="invitations_create",
        request=InputSerializer,
        responses={201: CreatedSerializer},
    )
    def post(self, request: Request, mediation_id: str) -> Response:
        participant = access_mediation(request_user(request), mediation_id)
        data = validated(self.InputSerializer, request.data)
        invitation, token = invitation_create(
            actor=participant,
            email=data["email"],
            role=data["role"],
            side_id=data.get("side"),
            name=data.get("name", ""),
            caucus_history=data["caucus_history"],
        )
        body = dict(InvitationSerializer(invitation).data)
        body["link"] = (
            invitation_link(token, base_url=request.build_absolute_uri("/")) if token else None
        )
        return Response(body, status=status.HTTP_201_CREATED)


class InvitationRevokeApi(APIView):
    @extend_schema(operation_id="invitations_revoke", request=None, responses=InvitationSerializer)
    def post(self, request: Request, mediation_id: str, invitation_id: int) -> Response:
        participant = access_mediation(request_user(request), mediation_id)
        invitation = invitation_revoke(actor=participant, invitation_id=invitation_id)
        return Response(InvitationSerializer(invitation).data)
