"""The rights of one participant, published to their browser (in the socket's `hello`,
a `rights` frame whenever they change, and the REST mediation payload), so that the
browser shows exactly the controls the server allows and holds no rules of its own.

Everything here is computed from the predicates; what depends on one item (a proposal's
side, a message's author and mark, the rule an item was written under) is published as
the participant's half of the question, and the item's half is its own data.
"""

from __future__ import annotations

from typing import Any

from ..models import ConfidentialityRule, Participant, Room, Side
from .documents import can_check_information, can_require_documents, can_share_document
from .impasse import can_handle_impasse, can_state_perspective
from .predicates import (
    can_answer_release,
    can_ask_strike,
    can_comment,
    can_consent_for,
    can_draft_release,
    can_edit_board,
    can_end_session,
    can_lower_mark,
    can_manage_mediation,
    can_mark_agreed,
    can_propose,
    can_raise_mark,
    can_ready_opening,
    can_reopen,
    can_request_break,
    can_respond,
    can_restore,
    can_share_unmarked,
    can_speak_for_side,
    can_strike_alone,
    can_take_snapshot,
    can_view_balance,
    can_view_history,
    can_withdraw,
    can_write_in_caucus,
    can_write_opening,
    mediation_closed,
)
from .rooms import visible_rooms
from .rounds import can_add_brainstorm_option, can_run_rounds, can_submit_sealed, sealed_side_of


def rights_of(participant: Participant, rooms: list[Room] | None = None) -> dict[str, Any]:
    """What `participant` may do now (`rooms`: their visible_rooms, when just read). Keys:

    - `manage`: run the session (stages, breaks, caucuses, the board's pause, the rule,
      people);
    - `request_break`: ask the mediator, privately, for a break;
    - `view_balance`: see the balance view (private time and activity per side);
    - `edit_board`, `propose`, `comment`;
    - `speak_for`: the sides whose position and interests they may state;
    - `answer_for`: the side whose answers to proposals they give (never to that side's
      own proposals), or null;
    - `withdraw_for`: the proposals they may withdraw, by the proposal's side (null for
      the mediator's own proposals);
    - `mark_agreed`: word an agreement on an issue for every side to confirm;
    - `strike`: `"now"` (strike an issue at once), `"ask"` (ask every side, for one's
      own), or null;
    - `consent_for`: the side they confirm or decline decisions for, or null;
    - `reopen`: move an issue out of Agreed or Struck;
    - `history`: read the snapshots, their differences and the issues' histories (of the
      rooms they see); `snapshot`: take a snapshot on demand; `restore`: restore an
      issue or a field of it from a snapshot; `end_session`: end the session (its
      summary goes to everyone);
    - `share_documents`: the keys of the rooms they may share a document in;
      `withdraw_documents`: `"any"` document or their `"own"` (permissions.documents);
      `require_documents`: set an issue's documents rule; `check_information`: say
      they have the information they need on an issue, or ask for more;
    - `impasse`: mark an issue at impasse, name its causes, run its strategies (the
      mediator); `perspective_for`: the side whose statements they write and answer in a
      perspective round, or null;
    - `rooms`: per caucus room they see, `write`, `mark` (mark an item confidential),
      `unmark_any` (take anyone's mark off), `unmark_own` (take off a mark they set on
      their own item), `draft_release`, `answer_release`, and `share_unmarked` (share an
      unmarked item written under the rule that allows it, that the party did not hold
      back: the server checks the last part), `write_opening` (write the side's opening
      statement) and `ready_opening` (say it may be shown to everyone);
    - `rounds`: start and end brainstorm rounds, ask for and cancel sealed positions;
      `brainstorm`: add options to an open brainstorm round; `sealed_submit`: submit
      one's side's sealed figure or position; `sealed_reads`: the side whose sealed
      submissions they read before the reveal, or null.
    """
    sides = list(Side.objects.filter(mediation_id=participant.mediation_id).order_by("order"))
    proposal_sides: list[int | None] = [None, *(side.pk for side in sides)]
    visible = list(visible_rooms(participant)) if rooms is None else rooms
    caucuses = [room for room in visible if room.kind == Room.Kind.CAUCUS]
    rights = {
        "manage": can_manage_mediation(participant) and participant.is_active,
        "request_break": can_request_break(participant),
        "view_balance": can_view_balance(participant),
        "edit_board": can_edit_board(participant),
        "propose": can_propose(participant),
        "comment": can_comment(participant),
        "speak_for": [side.pk for side in sides if can_speak_for_side(participant, side.pk)],
        "answer_for": participant.side_id
        if can_respond(participant, participant.side_id)
        else None,
        "withdraw_for": [side for side in proposal_sides if can_withdraw(participant, side)],
        "mark_agreed": can_mark_agreed(participant),
        "strike": "now"
        if can_strike_alone(participant)
        else "ask"
        if can_ask_strike(participant) and len(sides) >= 2
        else None,
        "consent_for": participant.side_id
        if can_consent_for(participant, participant.side_id)
        else None,
        "reopen": can_reopen(participant),
        "history": can_view_history(participant),
        "snapshot": can_take_snapshot(participant),
        "restore": can_restore(participant),
        "end_session": can_end_session(participant),
        "share_documents": [room.key for room in visible if can_share_document(participant, room)],
        "withdraw_documents": "any"
        if can_manage_mediation(participant) and participant.is_active
        else "own"
        if participant.is_active
        else None,
        "require_documents": can_require_documents(participant),
        "check_information": can_check_information(participant),
        "impasse": can_handle_impasse(participant),
        "perspective_for": participant.side_id
        if participant.side_id is not None
        and can_state_perspective(participant, participant.side_id)
        else None,
        "rooms": {room.key: _room_rights(participant, room) for room in caucuses},
        "rounds": can_run_rounds(participant),
        "brainstorm": can_add_brainstorm_option(participant),
        "sealed_submit": can_submit_sealed(participant),
        "sealed_reads": sealed_side_of(participant),
    }
    # A closed mediation takes no more commands: no control to show.
    return _none_of(rights) if mediation_closed(participant) else rights


def _none_of(rights: dict[str, Any]) -> dict[str, Any]:
    def off(value: Any) -> Any:
        if isinstance(value, bool):
            return False
        if isinstance(value, list):
            return []
        if isinstance(value, dict):
            return {key: off(inner) for key, inner in value.items()}
        return None

    return {key: off(value) for key, value in rights.items()}


def _room_rights(participant: Participant, room: Room) -> dict[str, bool]:
    rule = participant.mediation.confidentiality_rule
    permissive = ConfidentialityRule.SHAREABLE_UNLESS_MARKED
    return {
        "write": can_write_in_caucus(participant, room),
        "mark": can_raise_mark(participant, room),
        "unmark_any": can_lower_mark(participant, room, author_id=None, marked_by_id=None),
        "unmark_own": can_lower_mark(
            participant, room, author_id=participant.pk, marked_by_id=participant.pk
        ),
        "draft_release": can_draft_release(participant, room),
        "answer_release": can_answer_release(participant, room),
        "write_opening": can_write_opening(participant, room),
        "ready_opening": can_ready_opening(participant, room),
        "share_unmarked": can_share_unmarked(
            participant, rule=rule, item_rule=permissive, confidential=False, refused=False
        ),
    }
