"""A link its inviter saw never signs in to an account that reaches further than the
invitation: another mediator, staff, someone with a password, or anyone already in a
mediation. Such people get their link by e-mail only."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from rest_framework.test import APIClient

from accounts.models import User
from negotiation.models import Invitation, Participant, Role
from negotiation.services.invitations import invitation_create, invitation_token
from negotiation.services.mediations import mediation_create, participant_join
from tests.conftest import Cast
from tests.factories import UserFactory

ERIN = "erin@example.com"


def invite(client: APIClient, cast: Cast, email: str, **data: object) -> Any:
    payload = {"email": email, "role": "observer"} | data
    return client.post(f"/api/mediations/{cast.mediation.pk}/invitations/", payload, format="json")


def redeem(client: APIClient, token: str) -> Any:
    return client.post("/api/invitations/redeem/", {"token": token})


def signed_in_email(client: APIClient) -> str | None:
    user = client.get("/api/auth/session/").json()["user"]
    return user["email"] if user else None


def emailed_token(to: str) -> str:
    [message] = [m for m in mail.outbox if m.to == [to]][-1:]
    match = re.search(r"/invite#([\w-]+)", str(message.body))
    assert match is not None
    return match.group(1)


@pytest.fixture
def mediator_client(cast: Cast) -> APIClient:
    client = APIClient()
    client.force_login(cast.mediator)
    return client


def other_mediation(cast: Cast) -> Participant:
    """A mediation Maya does not run, mediated by Mia."""
    mia = UserFactory.create(email="mia@example.com", name="Mia", is_mediator=True)
    mediation = mediation_create(creator=mia, title="Other case", side_names=["P", "Q"])
    return Participant.objects.select_related("mediation", "user").get(
        mediation=mediation, user=mia
    )


def join_elsewhere(cast: Cast, user: User) -> None:
    from django.db import transaction

    other = other_mediation(cast)
    with transaction.atomic():
        participant_join(mediation=other.mediation, user=user, role=Role.OBSERVER, side=None)


def set_flag(name: str) -> Callable[[Cast, User], None]:
    def apply(cast: Cast, user: User) -> None:
        setattr(user, name, True)
        user.save()

    return apply


def give_password(cast: Cast, user: User) -> None:
    user.set_password("a long passphrase")
    user.save()


# Each kind of access beyond an invitation an account can have.
GRANTS: dict[str, Callable[[Cast, User], None]] = {
    "staff": set_flag("is_staff"),
    "superuser": set_flag("is_superuser"),
    "mediator": set_flag("is_mediator"),
    "password": give_password,
    "in another mediation": join_elsewhere,
}


@pytest.fixture
def grant(cast: Cast) -> Callable[[str, User], None]:
    def apply(kind: str, user: User) -> None:
        GRANTS[kind](cast, user)

    return apply


@pytest.mark.parametrize("kind", sorted(GRANTS))
def test_it_only_emails_the_link_for_an_account_with_other_access(
    kind: str,
    cast: Cast,
    mediator_client: APIClient,
    grant: Callable[[str, User], None],
    django_capture_on_commit_callbacks: Any,
) -> None:
    grant(kind, UserFactory.create(email=ERIN, name="Erin"))
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(mediator_client, cast, ERIN)
    assert response.status_code == 201
    assert (response.json()["link"], response.json()["link_shown"]) == (None, False)
    assert Invitation.objects.get().link_shown is False
    assert len(mail.outbox) == 1
    assert emailed_token(ERIN) not in str(response.json())


@pytest.mark.parametrize("persona", ["party_a", "party_b", "attorney_a", "observer"])
def test_a_mediator_gets_no_link_for_someone_already_in_the_mediation(
    persona: str, cast: Cast, mediator_client: APIClient
) -> None:
    response = invite(mediator_client, cast, getattr(cast, persona).email)
    assert response.json()["link"] is None


def test_a_mediator_gets_no_link_for_another_mediator(cast: Cast) -> None:
    mia = other_mediation(cast)
    client = APIClient()
    client.force_login(mia.user)
    response = client.post(
        f"/api/mediations/{mia.mediation_id}/invitations/",
        {"email": cast.mediator.email, "role": "observer"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["link"] is None


@pytest.mark.parametrize("kind", sorted(GRANTS))
def test_a_shown_link_cannot_sign_in_to_an_account_that_gained_access_since(
    kind: str, cast: Cast, mediator_client: APIClient, grant: Callable[[str, User], None]
) -> None:
    link = invite(mediator_client, cast, ERIN).json()["link"]
    grant(kind, UserFactory.create(email=ERIN, name="Erin"))
    client = APIClient()
    response = redeem(client, link.split("#", 1)[1])
    assert response.status_code == 403
    assert response.json()["code"] == "invitation_email_only"
    assert signed_in_email(client) is None
    assert Invitation.objects.get().status == Invitation.Status.PENDING
    assert not Participant.objects.filter(mediation=cast.mediation, user__email=ERIN).exists()


def test_a_new_person_joins_by_the_shown_link(cast: Cast, mediator_client: APIClient) -> None:
    link = invite(mediator_client, cast, ERIN).json()["link"]
    client = APIClient()
    assert redeem(client, link.split("#", 1)[1]).status_code == 200
    assert signed_in_email(client) == ERIN


def test_an_existing_person_joins_by_the_emailed_link(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    mia = other_mediation(cast)
    client = APIClient()
    client.force_login(mia.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/api/mediations/{mia.mediation_id}/invitations/",
            {"email": cast.party_a.email, "role": "observer"},
            format="json",
        )
    alex = APIClient()
    assert redeem(alex, emailed_token(cast.party_a.email)).status_code == 200
    assert signed_in_email(alex) == cast.party_a.email
    assert Participant.objects.filter(user=cast.party_a).count() == 2


def test_a_person_already_signed_in_adds_the_place_with_a_shown_link(
    cast: Cast, mediator_client: APIClient, grant: Callable[[str, User], None]
) -> None:
    link = invite(mediator_client, cast, ERIN).json()["link"]
    erin = UserFactory.create(email=ERIN, name="Erin")
    grant("in another mediation", erin)
    client = APIClient()
    client.force_login(erin)
    response = redeem(client, link.split("#", 1)[1])
    assert response.status_code == 200
    assert signed_in_email(client) == ERIN
    assert Participant.objects.filter(user=erin, removed_at__isnull=True).count() == 2


def test_someone_signed_in_as_another_person_is_still_refused(
    cast: Cast, mediator_client: APIClient, grant: Callable[[str, User], None]
) -> None:
    link = invite(mediator_client, cast, ERIN).json()["link"]
    grant("staff", UserFactory.create(email=ERIN, name="Erin"))
    response = redeem(mediator_client, link.split("#", 1)[1])
    assert response.status_code == 403
    assert signed_in_email(mediator_client) == cast.mediator.email


def test_it_ends_a_shown_link_session_before_the_account_gets_more_access(
    cast: Cast, mediator_client: APIClient, django_capture_on_commit_callbacks: Any
) -> None:
    # Maya redeems the link she was shown herself, then Erin is invited elsewhere.
    link = invite(mediator_client, cast, ERIN).json()["link"]
    maya_as_erin = APIClient()
    assert redeem(maya_as_erin, link.split("#", 1)[1]).status_code == 200
    mia = other_mediation(cast)
    with django_capture_on_commit_callbacks(execute=True):
        _, token = invitation_create(actor=mia, email=ERIN, role="observer", side_id=None)
    assert token is None
    erin = APIClient()
    assert redeem(erin, emailed_token(ERIN)).status_code == 200
    assert signed_in_email(erin) == ERIN
    assert signed_in_email(maya_as_erin) is None


def test_the_refused_person_gets_a_fresh_link_by_email(
    cast: Cast,
    mediator_client: APIClient,
    grant: Callable[[str, User], None],
    django_capture_on_commit_callbacks: Any,
) -> None:
    link = invite(mediator_client, cast, ERIN).json()["link"]
    old = link.split("#", 1)[1]
    grant("in another mediation", UserFactory.create(email=ERIN, name="Erin"))
    with django_capture_on_commit_callbacks(execute=True):
        resent = APIClient().post("/api/invitations/resend/", {"token": old})
    assert resent.status_code == 202
    fresh = emailed_token(ERIN)
    assert fresh not in str(resent.json())
    assert redeem(APIClient(), old).json()["code"] == "invitation_revoked"
    client = APIClient()
    assert redeem(client, fresh).status_code == 200
    assert signed_in_email(client) == ERIN


def test_a_fresh_link_says_nothing_about_whether_an_account_exists(
    cast: Cast, mediator_client: APIClient
) -> None:
    to_new = invite(mediator_client, cast, ERIN).json()["link"].split("#", 1)[1]
    UserFactory.create(email="fay@example.com", name="Fay")  # an account, no other access
    to_account = invite(mediator_client, cast, "fay@example.com").json()["link"].split("#", 1)[1]
    new = APIClient().post("/api/invitations/resend/", {"token": to_new})
    account = APIClient().post("/api/invitations/resend/", {"token": to_account})
    assert (new.status_code, new.json()) == (account.status_code, account.json())


def test_fresh_links_are_rate_limited_per_address(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    codes = []
    for _ in range(4):
        invitation = Invitation.objects.filter(email=ERIN, revoked_at__isnull=True).first()
        if invitation is None:
            invitation, _token = invitation_create(
                actor=cast.participants["mediator"],
                email=ERIN,
                role="observer",
                side_id=None,
                send_email=False,
            )
        token = invitation_token(invitation)
        with django_capture_on_commit_callbacks(execute=True):
            codes.append(APIClient().post("/api/invitations/resend/", {"token": token}).status_code)
    assert codes == [202, 202, 202, 429]
    assert len(mail.outbox) == 3


def test_granting_rights_in_the_admin_ends_a_shown_link_session(
    cast: Cast, mediator_client: APIClient
) -> None:
    from django.test import Client

    link = invite(mediator_client, cast, ERIN).json()["link"]
    maya_as_erin = APIClient()
    assert redeem(maya_as_erin, link.split("#", 1)[1]).status_code == 200
    erin = User.objects.get(email=ERIN)
    ops = Client()
    ops.force_login(UserFactory.create(email="ops@example.com", is_staff=True, is_superuser=True))
    response = ops.post(
        f"/admin/accounts/user/{erin.pk}/change/",
        {
            "email": ERIN,
            "name": "Erin",
            "is_active": "on",
            "is_mediator": "on",
            "date_joined_0": "2030-01-01",
            "date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 302
    erin.refresh_from_db()
    assert erin.is_mediator
    assert signed_in_email(maya_as_erin) is None
