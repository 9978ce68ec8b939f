from django.urls import path

from negotiation.consumers import MediationConsumer

websocket_urlpatterns = [
    path("ws/mediations/<str:mediation_id>/", MediationConsumer.as_asgi()),
]
