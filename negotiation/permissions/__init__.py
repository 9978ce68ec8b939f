"""Who may see and do what. The one place that decides; views, consumers, services,
tasks and exports all ask here.

- `predicates`: pure `can_<verb>_<thing>` questions about a participant;
- `rooms`: which rooms a participant sees, who is in a room (rooms are the unit of
  visibility);
- `lookups`: `access_<thing>` fetches that raise NotFound both when a thing does not
  exist and when the caller may not see it;
- `audiences`: who receives a room's notifications and events;
- `rights`: all of one participant's rights at once, published to their browser.
"""

from .audiences import (
    active_members,
    called_to_caucus,
    experts_of,
    mediators_of,
    parties_of,
)
from .lookups import (
    access_balance,
    access_caucus_room,
    access_in_rooms,
    access_issue,
    access_mediation,
    active_participations,
)
from .predicates import (
    can_add_side,
    can_answer_release,
    can_comment,
    can_create_mediation,
    can_draft_release,
    can_edit_board,
    can_invite,
    can_lower_mark,
    can_manage_caucus,
    can_manage_mediation,
    can_propose,
    can_raise_mark,
    can_request_break,
    can_respond,
    can_set_access_time,
    can_share_unmarked,
    can_speak_for_side,
    can_view_balance,
    can_view_contact_details,
    can_view_invitations,
    can_withdraw,
    can_write_in_caucus,
    is_last_mediator,
    is_own_side_proposal,
    joint_closed,
    party_answer_binds,
    proposing_side,
    reads_caucus_history,
)
from .rights import rights_of
from .rooms import (
    can_view_room,
    caucus_frame_for,
    caucus_items_from,
    is_caucus_member,
    room_for,
    room_members,
    visible_rooms,
)

__all__ = [
    "access_balance",
    "access_caucus_room",
    "access_in_rooms",
    "access_issue",
    "access_mediation",
    "active_members",
    "active_participations",
    "called_to_caucus",
    "can_add_side",
    "can_answer_release",
    "can_comment",
    "can_create_mediation",
    "can_draft_release",
    "can_edit_board",
    "can_invite",
    "can_lower_mark",
    "can_manage_caucus",
    "can_manage_mediation",
    "can_propose",
    "can_raise_mark",
    "can_request_break",
    "can_respond",
    "can_set_access_time",
    "can_share_unmarked",
    "can_speak_for_side",
    "can_view_balance",
    "can_view_contact_details",
    "can_view_invitations",
    "can_view_room",
    "can_withdraw",
    "can_write_in_caucus",
    "caucus_frame_for",
    "caucus_items_from",
    "experts_of",
    "is_caucus_member",
    "is_last_mediator",
    "is_own_side_proposal",
    "joint_closed",
    "mediators_of",
    "parties_of",
    "party_answer_binds",
    "proposing_side",
    "reads_caucus_history",
    "rights_of",
    "room_for",
    "room_members",
    "visible_rooms",
]
