"""REST endpoints for invitations: the mediator invites and revokes; the invitee
previews, redeems (joining and signing in, no password), or asks for a fresh link."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import login
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.api import UserSerializer
from accounts.models import User
from accounts.session import request_user
from config import json_fields
from config.errors import NotAllowed
from config.rest import CsrfCheckedApi, validated
from negotiation.models import Invitation
from negotiation.permissions import access_mediation, can_view_invitations
from negotiation.serializers import SideSerializer
from negotiation.services.invitations import (
    invitation_by_token,
    invitation_check_usable,
    invitation_create,
    invitation_link,
    invitation_opened,
    invitation_redeem,
    invitation_resend,
    invitation_revoke,
)


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
            "scope_issue",
            "access_minutes",
            "email_queued_at",
            "email_sent_at",
            "email_failed_at",
            "opened_at",
        )


class TokenSerializer(serializers.Serializer[Any]):
    token = json_fields.CharField(max_length=200)


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
    error_statuses = (410,)  # a spent, expired or revoked link

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
                "invited_by_self": serializers.BooleanField(
                    help_text="The link is for its own inviter: a mediator's own sign-in link."
                ),
                "expires_at": serializers.DateTimeField(),
            },
        ),
    )
    def post(self, request: Request) -> Response:
        invitation = invitation_by_token(validated(TokenSerializer, request.data)["token"])
        invitation_check_usable(invitation)
        invitation_opened(invitation)
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
                "invited_by_self": invitation.created_by.email.casefold()
                == invitation.email.casefold(),
                "expires_at": invitation.expires_at,
            }
        )


class InvitationRedeemApi(CsrfCheckedApi):
    """Spend an invitation link: join the mediation and sign in, no password needed."""

    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = "invitation"
    error_statuses = (410,)  # a spent, expired or revoked link

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
    error_statuses = (410,)  # a spent, expired or revoked link

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
        email = json_fields.EmailField()
        role = json_fields.CharField(max_length=16)
        side = json_fields.IntegerField(required=False, allow_null=True, min_value=1)
        name = json_fields.CharField(max_length=150, required=False, allow_blank=True)
        caucus_history = json_fields.BooleanField(
            required=False,
            default=False,
            help_text="An expert invited into a side's private room: may they read what was "
            "said there before they joined? By default they read only what is said from then.",
        )
        issue = json_fields.IntegerField(
            required=False,
            allow_null=True,
            min_value=1,
            help_text="An expert brought in on one issue: they see that issue alone.",
        )
        minutes = json_fields.IntegerField(
            required=False,
            allow_null=True,
            min_value=1,
            help_text="An expert's access lasts this many minutes from when they join.",
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
            scope_issue_id=data.get("issue"),
            access_minutes=data.get("minutes"),
        )
        body = dict(InvitationSerializer(invitation).data)
        body["link"] = (
            invitation_link(token, base_url=request.build_absolute_uri("/")) if token else None
        )
        return Response(body, status=status.HTTP_201_CREATED)


class InvitationRevokeApi(APIView):
    error_statuses = (410,)  # already spent

    @extend_schema(operation_id="invitations_revoke", request=None, responses=InvitationSerializer)
    def post(self, request: Request, mediation_id: str, invitation_id: int) -> Response:
        participant = access_mediation(request_user(request), mediation_id)
        invitation = invitation_revoke(actor=participant, invitation_id=invitation_id)
        return Response(InvitationSerializer(invitation).data)
