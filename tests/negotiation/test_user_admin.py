"""The user admin never drops someone's places in a mediation around the services."""

from __future__ import annotations

from django.test import Client

from accounts.models import User
from tests.conftest import Cast
from tests.factories import UserFactory


def change_form(user, **changes) -> dict:
    data = {
        "email": user.email,
        "name": user.name,
        "is_active": "on" if user.is_active else "",
        "is_mediator": "on" if user.is_mediator else "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_it_refuses_to_delete_someone_with_a_place_in_a_mediation(
    staff: Client, cast: Cast
) -> None:
    response = staff.post(f"/admin/accounts/user/{cast.party_a.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    alex = cast.participants["party_a"]
    alex.refresh_from_db()
    assert alex.removed_at is None


def test_it_deletes_someone_with_no_place(staff: Client, db: None) -> None:
    stranger = UserFactory.create(email="stray@example.com")
    response = staff.post(f"/admin/accounts/user/{stranger.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=stranger.pk).exists()


def test_deactivating_someone_removes_them_through_the_service(
    staff: Client, cast: Cast, sent_events, django_capture_on_commit_callbacks
) -> None:
    alex = cast.participants["party_a"]
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            f"/admin/accounts/user/{cast.party_a.pk}/change/",
            change_form(cast.party_a, is_active=""),
        )
    alex.refresh_from_db()
    cast.party_a.refresh_from_db()
    assert response.status_code == 302
    assert (cast.party_a.is_active, alex.removed_at is not None) == (False, True)
    revoked = {group for group, _ in sent_events.named("access.revoked")}
    assert revoked == {cast.joint.group_name, cast.caucus(cast.side_a).group_name}


def test_the_last_mediator_stays_active(staff: Client, cast: Cast) -> None:
    response = staff.post(
        f"/admin/accounts/user/{cast.mediator.pk}/change/",
        change_form(cast.mediator, is_active=""),
        follow=True,
    )
    cast.mediator.refresh_from_db()
    assert cast.mediator.is_active
    assert "stays active" in response.content.decode()
