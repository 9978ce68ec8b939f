from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import Cast, run

MODELS = [
    "mediation", "side", "participant", "room", "event", "issue", "proposal", "response",
    "position", "interest", "option", "criterion", "comment", "caucusread",
]  # fmt: skip


@pytest.mark.parametrize("model", MODELS)
def test_every_model_has_an_admin_list(staff: Client, cast: Cast, model: str) -> None:
    run(cast, "mediator", "issue.create", title="House")
    assert staff.get(f"/admin/negotiation/{model}/").status_code == 200


def test_accounts_have_admin_lists(staff: Client, cast: Cast) -> None:
    assert staff.get("/admin/accounts/user/").status_code == 200
    assert staff.get("/admin/negotiation/invitation/").status_code == 200


@pytest.mark.parametrize("model", ["mediation", "side", "participant", "room", "event"])
def test_nothing_is_added_here(staff: Client, cast: Cast, model: str) -> None:
    # A mediation added here would have no rooms, a participant no join event.
    assert staff.get(f"/admin/negotiation/{model}/add/").status_code == 403


def test_a_participant_cannot_be_edited_around_the_services(staff: Client, cast: Cast) -> None:
    alex = cast.participants["party_a"]
    response = staff.post(
        f"/admin/negotiation/participant/{alex.pk}/change/",
        {
            "mediation": cast.mediation.pk,
            "user": cast.party_a.pk,
            "role": "party",
            "side": cast.side_b.pk,
            "joined_at_0": "2030-01-01",
            "joined_at_1": "10:00:00",
            "removed_at_0": "2030-01-01",
            "removed_at_1": "10:00:00",
        },
    )
    alex.refresh_from_db()
    assert response.status_code == 403
    assert (alex.side, alex.removed_at) == (cast.side_a, None)


def test_removing_someone_goes_through_the_service(
    staff: Client, cast: Cast, sent_events, django_capture_on_commit_callbacks
) -> None:
    alex = cast.participants["party_a"]
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            "/admin/negotiation/participant/",
            {"action": "remove", "_selected_action": [alex.pk]},
        )
    alex.refresh_from_db()
    assert response.status_code == 302
    assert alex.removed_at is not None
    revoked = {group for group, _ in sent_events.named("access.revoked")}
    assert revoked == {cast.joint.group_name, cast.caucus(cast.side_a).group_name}


@pytest.mark.parametrize("model", ["mediation", "side", "participant", "room", "event"])
def test_nothing_is_deleted_here(staff: Client, cast: Cast, model: str) -> None:
    from django.apps import apps

    row = apps.get_model("negotiation", model).objects.first()
    assert row is not None
    page = staff.get(f"/admin/negotiation/{model}/{row.pk}/delete/")
    bulk = staff.post(
        f"/admin/negotiation/{model}/",
        {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
    )
    assert page.status_code == 403
    assert bulk.status_code in (200, 302)
    assert apps.get_model("negotiation", model).objects.filter(pk=row.pk).exists()


def test_events_cannot_be_edited(staff: Client, cast: Cast) -> None:
    from negotiation.models import Event

    event = Event.objects.first()
    assert event is not None
    response = staff.post(
        f"/admin/negotiation/event/{event.pk}/change/", {"name": "forged", "seq": event.seq}
    )
    event.refresh_from_db()
    assert response.status_code == 403
    assert event.name != "forged"
