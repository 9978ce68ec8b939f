from django.urls import path

from negotiation.socket.consumer import MediationConsumer

websocket_urlpatterns = [
    path("ws/mediations/<str:mediation_id>/", MediationConsumer.as_asgi()),
]
