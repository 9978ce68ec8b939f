"""REST endpoints of notices: a mediation's notification centre and "Waiting for you"
list, the notices its mediators could not deliver, and each person's channels and web
push subscriptions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import NotificationSettings
from accounts.session import request_user
from config import json_fields
from config.errors import NotFound
from config.rest import validated
from negotiation.delivery import CHANNELS
from negotiation.models import Notification
from negotiation.permissions import access_mediation, can_view_deliveries
from negotiation.serializers import NotificationSerializer
from negotiation.services.deliveries import deliveries_failed
from negotiation.services.notification_settings import (
    notification_settings_of,
    notification_settings_set,
    push_subscribe,
    push_unsubscribe,
)
from negotiation.services.notifications import MUTABLE, URGENT
from negotiation.waiting import waiting_for


class NotificationListApi(APIView):
    @extend_schema(operation_id="notifications_list", responses=NotificationSerializer(many=True))
    def get(self, request: Request, mediation_id: str) -> Response:
        participant = access_mediation(request_user(request), mediation_id)
        notifications = Notification.objects.filter(participant=participant)[:100]
        return Response(NotificationSerializer(notifications, many=True).data)


class WaitingApi(APIView):
    """What waits on the caller's answer in the mediation, oldest first."""

    class OutputSerializer(serializers.Serializer[Any]):
        kind = serializers.ChoiceField(
            choices=("proposal", "decision", "release", "opening", "caucus", "break")
        )
        text = serializers.CharField()
        room = serializers.CharField()
        issue = serializers.IntegerField(allow_null=True)
        issue_title = serializers.CharField(allow_null=True)
        since = serializers.DateTimeField()

    @extend_schema(operation_id="waiting_list", responses=OutputSerializer(many=True))
    def get(self, request: Request, mediation_id: str) -> Response:
        participant = access_mediation(request_user(request), mediation_id)
        return Response(self.OutputSerializer(waiting_for(participant), many=True).data)


class DeliveriesFailedApi(APIView):
    """Notices that could not be delivered (after every retry), for the mediators: 404 for
    everyone else, as for a mediation that does not exist."""

    class OutputSerializer(serializers.Serializer[Any]):
        participant = serializers.IntegerField()
        name = serializers.CharField()
        channel = serializers.CharField()
        kind = serializers.CharField()
        text = serializers.CharField()
        failed_at = serializers.DateTimeField()
        error = serializers.CharField()

    @extend_schema(operation_id="deliveries_failed_list", responses=OutputSerializer(many=True))
    def get(self, request: Request, mediation_id: str) -> Response:
        participant = access_mediation(request_user(request), mediation_id)
        if not can_view_deliveries(participant):
            raise NotFound("No such mediation.")
        rows = deliveries_failed(mediation_id=participant.mediation_id)
        return Response(self.OutputSerializer(rows, many=True).data)


class KindSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    text = serializers.CharField()
    urgent = serializers.BooleanField()


class SettingsSerializer(serializers.ModelSerializer[NotificationSettings]):
    class Meta:
        model = NotificationSettings
        fields = ("email", "sms", "phone", "push", "muted")


class NotificationSettingsApi(APIView):
    """The caller's channels beyond the in-app centre (always on), the kinds they muted,
    and what this installation offers (push needs its VAPID keys)."""

    class InputSerializer(serializers.Serializer[Any]):
        email = json_fields.BooleanField(required=False)
        sms = json_fields.BooleanField(required=False)
        phone = json_fields.CharField(required=False, allow_blank=True, max_length=32)
        push = json_fields.BooleanField(required=False)
        muted = serializers.ListField(
            child=json_fields.CharField(max_length=32), required=False, max_length=64
        )

    class OutputSerializer(serializers.Serializer[Any]):
        settings = SettingsSerializer()
        kinds = KindSerializer(many=True)
        push_available = serializers.BooleanField()
        push_key = serializers.CharField(allow_blank=True)

    def _answer(self, prefs: NotificationSettings) -> Response:
        kinds = [
            {"kind": kind, "text": label, "urgent": kind not in MUTABLE}
            for kind, label in Notification.Kind.choices
            if kind in URGENT or kind in MUTABLE
        ]
        push = CHANNELS["push"].available()
        return Response(
            self.OutputSerializer(
                {
                    "settings": prefs,
                    "kinds": kinds,
                    "push_available": push,
                    "push_key": settings.PARLEY_VAPID_PUBLIC_KEY if push else "",
                }
            ).data
        )

    @extend_schema(operation_id="notification_settings_retrieve", responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        return self._answer(notification_settings_of(request_user(request)))

    @extend_schema(
        operation_id="notification_settings_update",
        request=InputSerializer,
        responses=OutputSerializer,
    )
    def patch(self, request: Request) -> Response:
        changes = validated(self.InputSerializer, request.data)
        return self._answer(notification_settings_set(user=request_user(request), changes=changes))


class PushSubscriptionApi(APIView):
    """Keep this browser's web push subscription (the same endpoint again replaces it)."""

    class InputSerializer(serializers.Serializer[Any]):
        class KeysSerializer(serializers.Serializer[Any]):
            p256dh = json_fields.CharField(max_length=200)
            auth = json_fields.CharField(max_length=100)

        endpoint = json_fields.CharField(max_length=1000)
        keys = KeysSerializer()

    @extend_schema(operation_id="push_subscribe", request=InputSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        push_subscribe(
            user=request_user(request),
            endpoint=data["endpoint"],
            p256dh=data["keys"]["p256dh"],
            auth=data["keys"]["auth"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class PushUnsubscribeApi(APIView):
    """Forget this browser's web push subscription (nothing to forget is no error)."""

    class InputSerializer(serializers.Serializer[Any]):
        endpoint = json_fields.CharField(max_length=1000)

    @extend_schema(operation_id="push_unsubscribe", request=InputSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        push_unsubscribe(user=request_user(request), endpoint=data["endpoint"])
        return Response(status=status.HTTP_204_NO_CONTENT)
