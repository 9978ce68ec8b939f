"""Commands of running the session: caucuses, pausing the board, the confidentiality
rule, and who is in the mediation."""

from __future__ import annotations

from rest_framework import serializers

from ..serializers import CaucusSessionSerializer, MediationStateSerializer, ParticipantSerializer
from ..services import caucus, participants, session
from . import fields as f
from .registry import command

command(
    "caucus.call",
    caucus.caucus_call,
    fields={"side": f.id_()},
    output=CaucusSessionSerializer,
    summary="Ask a side to a private meeting (its party and attorney are prompted).",
)
command(
    "caucus.open",
    caucus.caucus_open,
    fields={"caucus": f.id_()},
    output=CaucusSessionSerializer,
    summary="Start a called caucus.",
)
command(
    "caucus.close",
    caucus.caucus_close,
    fields={"caucus": f.id_()},
    output=CaucusSessionSerializer,
    summary="End a caucus (or withdraw a call); invited experts lose access to it.",
)
command(
    "board.pause",
    caucus.joint_pause,
    fields={"paused": f.flag(required=True)},
    output=MediationStateSerializer,
    summary="Pause or resume the parties' editing of the joint board.",
)
command(
    "rule.set",
    participants.rule_set,
    fields={"rule": f.choice()},
    output=MediationStateSerializer,
    summary="Set the case's confidentiality rule; everyone acknowledges it again.",
)
command(
    "rule.acknowledge",
    participants.rule_acknowledge,
    fields={"rule": f.choice()},
    output=ParticipantSerializer,
    summary="Accept the case's confidentiality rule, as shown.",
)
command(
    "participant.remove",
    participants.participant_remove,
    fields={"participant": f.id_()},
    output=ParticipantSerializer,
    summary="End someone's place in the mediation (their sockets are closed).",
)
command(
    "expert.access",
    participants.expert_access_set,
    fields={"participant": f.id_(), "until": serializers.DateTimeField(allow_null=True)},
    output=ParticipantSerializer,
    summary="Set until when an invited expert keeps access (null: no limit; now or earlier: "
    "end it).",
)
command(
    "stage.set",
    session.stage_set,
    fields={"stage": f.choice()},
    output=MediationStateSerializer,
    summary="Move the mediation to a stage: opening, joint_discussion, caucus, "
    "joint_negotiation or closing (and back).",
)
command(
    "break.start",
    session.break_start,
    fields={"minutes": f.minutes(), "message": f.text(required=False)},
    output=MediationStateSerializer,
    summary="Call a break of some minutes (1 to 120): the joint board is read-only for all "
    "but the mediator until it ends.",
)
command(
    "session.schedule",
    session.session_schedule,
    fields={"at": f.when()},
    output=MediationStateSerializer,
    summary="Set when the next session is (null clears it): everyone is reminded the day "
    "before and within the hour before.",
)
command(
    "break.extend",
    session.break_extend,
    fields={"minutes": f.minutes()},
    output=MediationStateSerializer,
    summary="Make the running break longer.",
)
command(
    "break.end",
    session.break_end,
    fields={},
    output=MediationStateSerializer,
    summary="End the break now.",
)
command(
    "break.request",
    session.break_request,
    fields={},
    output=ParticipantSerializer,
    summary="Ask the mediator, privately, for a break (the mediators are notified).",
)
command(
    "announcement.make",
    session.announce,
    fields={"text": f.text()},
    output=MediationStateSerializer,
    summary="Say something to everyone in the joint room (everyone is notified).",
)
command(
    "announcement.clear",
    session.announcement_clear,
    fields={},
    output=MediationStateSerializer,
    summary="Take the announcement down.",
)
command(
    "mediation.close",
    session.mediation_close,
    fields={},
    output=MediationStateSerializer,
    summary="Close the mediation for good: it takes no more commands, and everything in it "
    "is deleted once the retention period has passed.",
)
