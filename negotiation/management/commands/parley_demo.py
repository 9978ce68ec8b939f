"""Create (once) a demo mediation and print a fresh sign-in link for each person in it."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from negotiation.models import Invitation, Lane, Mediation, Participant, Role, Side
from negotiation.services.caucus_content import caucus_message_post
from negotiation.services.invitations import (
    invitation_create,
    invitation_link,
    invitation_revoke,
    invitation_token,
)
from negotiation.services.issues import issue_create, issue_move
from negotiation.services.mediations import mediation_create, participant_join
from negotiation.services.proposals import proposal_create, proposal_respond
from negotiation.services.session import stage_set

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
        base_url, hint = reachable_base_url(base_url)
        with transaction.atomic():
            mediator_participant = self._demo_mediation()
            links = []
            for participant in Participant.objects.filter(
                mediation=mediator_participant.mediation, removed_at__isnull=True
            ).select_related("user", "side"):
                # Links are stored only as hashes: withdraw the old unused ones, make new.
                for old in Invitation.objects.filter(
                    mediation=participant.mediation,
                    email=participant.user.email,
                    redeemed_at__isnull=True,
                    revoked_at__isnull=True,
                ):
                    if old.status == Invitation.Status.PENDING:
                        invitation_revoke(actor=mediator_participant, invitation_id=old.pk)
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
        if hint:
            self.stdout.write(f"\n{hint}")
        self.stdout.write("")

    def _demo_mediation(self) -> Participant:
        mediator = demo_user(MEDIATOR[0], MEDIATOR[1], is_mediator=True)
        mediation = Mediation.objects.filter(title=DEMO_TITLE, created_by=mediator).first()
        if mediation is None:
            mediation = mediation_create(
                creator=mediator, title=DEMO_TITLE, side_names=["Alex", "Sam"]
            )
            for email, name, role, side_name in PEOPLE:
                user = demo_user(email, name)
                side = Side.objects.get(mediation=mediation, name=side_name)
                participant_join(mediation=mediation, user=user, role=role, side=side)
            demo_board(mediation)
        return Participant.objects.select_related("mediation", "user").get(
            mediation=mediation, user=mediator, removed_at__isnull=True
        )


def demo_board(mediation: Mediation) -> None:
    """A session under way, written through the services as the people would: issues in
    several lanes (one parked with its reason, one with a proposal and a counter, one
    agreed by both sides) and a word from the mediator in each private room."""

    def person(role: str, side: str | None = None) -> Participant:
        found = Participant.objects.select_related("mediation", "side", "user").filter(
            mediation=mediation, role=role
        )
        return found.get(side__name=side) if side else found.get()

    maya, alex, sam = person(Role.MEDIATOR), person(Role.PARTY, "Alex"), person(Role.PARTY, "Sam")
    stage_set(actor=maya, stage="joint_discussion")
    issue_create(
        actor=maya,
        title="Repaying the equipment loan",
        description="€38,000 left on the oven and mixer loan; both partners signed for it.",
    )
    lease = issue_create(
        actor=maya,
        title="Who keeps the shop lease",
        description="The lease on the Mill Street shop runs four more years. Sam wants to stay.",
    )
    lease = issue_move(actor=maya, issue_id=lease.pk, version=lease.version,
                       lane=Lane.DISCUSSING)  # fmt: skip
    offer = proposal_create(
        actor=sam, issue_id=lease.pk, amount="30000",
        terms="Sam takes over the lease and pays Alex for half of the shop fit-out.",
    )  # fmt: skip
    proposal_respond(
        actor=alex, proposal_id=offer.pk, answer="counter",
        note="The fit-out cost us more than that.",
        counter_terms="Sam takes over the lease and pays Alex for half of the fit-out, "
        "as the invoices show it.",
        counter_amount="45000",
    )  # fmt: skip
    van = issue_create(actor=maya, title="The delivery van")
    issue_move(
        actor=maya, issue_id=van.pk, version=van.version, lane=Lane.PARKED,
        reason="Waiting for the dealer's valuation",
        condition="When the valuation arrives",
    )  # fmt: skip
    name = issue_create(actor=maya, title="The bakery's name and customer list")
    words = proposal_create(
        actor=maya, issue_id=name.pk,
        terms="Sam keeps the name Rise & Shine; both may write to the customers they served.",
    )  # fmt: skip
    for party in (alex, sam):
        proposal_respond(actor=party, proposal_id=words.pk, answer="accept", informed=True)
    for side, party in (("Alex", alex), ("Sam", sam)):
        caucus_message_post(
            actor=maya,
            side_id=party.side_id,
            body=f"Hello {side}, this is your private room: only your side and I read it. "
            "What matters most to you about the shop lease?",
        )


def demo_user(email: str, name: str, *, is_mediator: bool = False) -> User:
    """The demo person, created without a password. Earlier versions of this command
    stored an empty one, which Django counts as usable: replace it."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return User.objects.create_user(email, name=name, is_mediator=is_mediator)
    if user.password == "":
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def is_unspecified(host: str) -> bool:
    """Whether `host` is a listen-everywhere address (0.0.0.0, ::), which no browser opens."""
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


def machine_address() -> str | None:
    """This machine's address on its network (the one a route to the outside leaves
    by; nothing is sent), or None when there is none."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))
            address = str(probe.getsockname()[0])
    except OSError:
        return None
    ip = ipaddress.ip_address(address)
    return None if ip.is_loopback or ip.is_unspecified else address


def reachable_base_url(base_url: str) -> tuple[str, str]:
    """`base_url` with a listen-everywhere host (0.0.0.0, ::) replaced by an address a
    phone can open, and a hint to print about it ("" when there is nothing to say)."""
    parts = urlsplit(base_url)
    if not is_unspecified(parts.hostname or ""):
        return base_url, ""
    port = f":{parts.port}" if parts.port else ""
    address = machine_address()
    if address is None:
        url = urlunsplit(parts._replace(netloc=f"127.0.0.1{port}"))
        return url, (
            "These links open on this machine only. To open them on a phone, set "
            "PARLEY_BASE_URL to an address of this machine that the phone can reach."
        )
    url = urlunsplit(parts._replace(netloc=f"{address}{port}"))
    return url, f"Links use {address}: devices on the same network can open them."
