"""Create (once) a demo mediation and print a fresh sign-in link for each person in it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Invitation, User
from accounts.services.invitations import invitation_create, invitation_link, invitation_token
from negotiation.models import Mediation, Participant, Role, Side
from negotiation.services.mediations import mediation_create, participant_join

DEMO_TITLE = "Alex & Sam: winding up the bakery partnership"
MEDIATOR = ("maya@parley.example", "Maya Okafor")
PEOPLE = [
    # e-mail, name, role, side
    ("alex@parley.example", "Alex Rivera", Role.PARTY, "Alex"),
    ("sam@parley.example", "Sam Chen", Role.PARTY, "Sam"),
    ("jordan@parley.example", "Jordan Blake", Role.ATTORNEY, "Alex"),
]


class Command(BaseCommand):
    help = "Create the demo mediation if it is missing and print one sign-in link per person."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--base-url", default=settings.PARLEY_BASE_URL, help="Where Parley is served."
        )

    def handle(self, *args: Any, base_url: str, **options: Any) -> None:
        with transaction.atomic():
            mediator_participant = self._demo_mediation()
            links = []
            for participant in Participant.objects.filter(
                mediation=mediator_participant.mediation, removed_at__isnull=True
            ).select_related("user", "side"):
                # Links are stored only as hashes: withdraw the old unused ones, make new.
                Invitation.objects.filter(
                    mediation=participant.mediation,
                    email=participant.user.email,
                    redeemed_at__isnull=True,
                    revoked_at__isnull=True,
                ).update(revoked_at=timezone.now(), revoked_by=mediator_participant.user)
                invitation, token = invitation_create(
                    actor=mediator_participant,
                    email=participant.user.email,
                    role=participant.role,
                    side_id=participant.side_id,
                    send_email=False,
                )
                # These people have accounts, so their links are for e-mail only; whoever
                # runs this command can read the database anyway and hands them over.
                token = token or invitation_token(invitation)
                label = Role(participant.role).label
                if participant.side:
                    label += f" for {participant.side.name}"
                links.append((participant.user.display_name, label, token))
        self.stdout.write(self.style.SUCCESS(f"\nDemo mediation: {DEMO_TITLE}"))
        self.stdout.write("Open one link per person (each works once; a private window per")
        self.stdout.write("person keeps their sessions apart):\n")
        for name, label, token in links:
            self.stdout.write(
                f"  {name:<14} {label:<20} {invitation_link(token, base_url=base_url)}"
            )
        self.stdout.write("")

    def _demo_mediation(self) -> Participant:
        mediator, _ = User.objects.get_or_create(
            email=MEDIATOR[0], defaults={"name": MEDIATOR[1], "is_mediator": True}
        )
        mediation = Mediation.objects.filter(title=DEMO_TITLE, created_by=mediator).first()
        if mediation is None:
            mediation = mediation_create(
                creator=mediator, title=DEMO_TITLE, side_names=["Alex", "Sam"]
            )
            for email, name, role, side_name in PEOPLE:
                user, _ = User.objects.get_or_create(email=email, defaults={"name": name})
                side = Side.objects.get(mediation=mediation, name=side_name)
                participant_join(mediation=mediation, user=user, role=role, side=side)
        return Participant.objects.select_related("mediation", "user").get(
            mediation=mediation, user=mediator, removed_at__isnull=True
        )
