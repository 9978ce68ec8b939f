/**
 * The shapes of the joint board as the server sends them (docs/protocol.md, "Payloads"):
 * issues and what hangs on them, caucus sessions, the mediation's state, and the frames
 * that carry them.
 */
import type { BrainstormRound, SealedRound } from './rounds';

export type Lane = 'agenda' | 'discussing' | 'parked' | 'agreed' | 'struck';

export const LANES: readonly Lane[] = ['agenda', 'discussing', 'parked', 'agreed', 'struck'];

export const LANE_LABELS: Record<Lane, string> = {
  agenda: 'Agenda',
  discussing: 'Discussing',
  parked: 'Parked',
  agreed: 'Agreed',
  struck: 'Struck',
};

export type Answer = 'accept' | 'reject' | 'counter' | 'considering';

/** Set on objects the client shows before the server has them (see withPending). */
interface MaybePending {
  pending?: true;
}

export type DecisionKind = 'agree' | 'strike';
export type DecisionStatus = 'open' | 'done' | 'declined' | 'withdrawn' | 'reopened';

/** One side's yes to a decision: who gave it for the side, and when. */
export interface Consent {
  side: number;
  given_by: number | null;
  given_at: string;
}

/**
 * A decision on an issue that takes every side: agreeing it (on a proposal every side
 * accepted, or the mediator's wording every side's party confirmed) or striking it.
 */
export interface Decision {
  id: number;
  kind: DecisionKind;
  status: DecisionStatus;
  terms: string;
  /** The proposal every side accepted, for an agreement made that way. */
  proposal: number | null;
  asked_by: number | null;
  created_at: string;
  decided_by: number | null;
  decided_at: string | null;
  closed_by: number | null;
  closed_at: string | null;
  version: number;
  consents: Consent[];
}

export interface IssueCard extends MaybePending {
  id: number;
  title: string;
  description: string;
  lane: Lane;
  order: number;
  parked_reason: string;
  /** The way back from Parked: a time (ISO 8601) and/or a condition in words. */
  parked_until: string | null;
  parked_condition: string;
  /** The lane the card was parked from, where unparking returns it. */
  parked_from_lane: Lane | '';
  /** When everyone was told the parked issue is due back. */
  parked_due_told_at: string | null;
  /** No proposal on it is accepted until every side has opened its documents (lib/documents.ts). */
  documents_required?: boolean;
  /** Since when the mediator has it at impasse: "We are trying another way" (never why). */
  impasse_since?: string | null;
  decisions: Decision[];
  version: number;
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

/** A card's parking fields when it is not parked. */
export const NOT_PARKED = {
  parked_reason: '',
  parked_until: null,
  parked_condition: '',
  parked_from_lane: '',
  parked_due_told_at: null,
} as const satisfies Partial<IssueCard>;

export interface Position extends MaybePending {
  id: number;
  issue: number;
  side: number;
  text: string;
  version: number;
  updated_at: string;
}

export interface Interest extends MaybePending {
  id: number;
  issue: number;
  side: number;
  text: string;
  struck: boolean;
  version: number;
  created_by: number | null;
  created_at: string;
}

export interface Option extends MaybePending {
  id: number;
  issue: number;
  text: string;
  struck: boolean;
  version: number;
  created_by: number | null;
  created_at: string;
}

export interface Criterion extends Option {
  source: string;
}

export interface ProposalResponse extends MaybePending {
  id: number;
  proposal: number;
  side: number;
  answer: Answer;
  note: string;
  counter: number | null;
  responded_by: number | null;
  responded_at: string;
  version: number;
}

export interface Proposal extends MaybePending {
  id: number;
  issue: number;
  /** null: the mediator's proposal. */
  side: number | null;
  terms: string;
  amount: string | null;
  counter_to: number | null;
  status: 'open' | 'withdrawn' | 'accepted';
  created_by: number | null;
  created_at: string;
  version: number;
  responses: ProposalResponse[];
}

export interface Comment extends MaybePending {
  id: number;
  issue: number;
  body: string;
  author: number | null;
  created_at: string;
}

export interface Issue extends IssueCard {
  positions: Position[];
  interests: Interest[];
  options: Option[];
  criteria: Criterion[];
  proposals: Proposal[];
  comments: Comment[];
}

export type CaucusStatus = 'called' | 'open' | 'closed';

/** A private meeting of the mediator with one side. Public: everyone sees a side step out. */
export interface CaucusSession {
  id: number;
  side: number;
  status: CaucusStatus;
  called_at: string;
  opened_at: string | null;
  closed_at: string | null;
}

export type ConfidentialityRule = 'confidential_unless_released' | 'shareable_unless_marked';

/** The session's state everyone at the table shares. */
/** The stages of a mediation, in their usual order (the mediator may go back). */
export type Stage = 'opening' | 'joint_discussion' | 'caucus' | 'joint_negotiation' | 'closing';

export const STAGES: readonly Stage[] = ['opening', 'joint_discussion', 'caucus', 'joint_negotiation', 'closing'];

export const STAGE_LABELS: Record<Stage, string> = {
  opening: 'Opening statements',
  joint_discussion: 'Joint discussion',
  caucus: 'Private caucus',
  joint_negotiation: 'Joint negotiation',
  closing: 'Closing',
};

export interface MediationState {
  id: string;
  /** The ISO 4217 code amounts in this mediation are in. */
  currency?: string;
  stage: Stage;
  on_break: boolean;
  /** When the break ends (ISO), while one is on. */
  break_ends_at?: string | null;
  /** The mediator's word to everyone for the break. */
  break_message?: string;
  /** The mediator's word to everyone in the joint room, and when it was said. */
  announcement?: string;
  announced_at?: string | null;
  /** When the mediator opened the opening statements to everyone. */
  openings_shown_at?: string | null;
  /** When the next session is planned (everyone is reminded a day and an hour ahead),
   * and when the mediator last ended one. */
  next_session_at?: string | null;
  session_ended_at?: string | null;
  joint_paused: boolean;
  /** Paused by itself: every mediator's connection was gone for over a minute. */
  paused_for_absence?: boolean;
  confidentiality_rule: ConfidentialityRule;
  status: string;
}

/** What a party released from a caucus into the joint room, worded and attributed as chosen. */
export interface SharedStatement {
  id: number;
  issue: number | null;
  text: string;
  attribution: 'side' | 'mediator';
  /** The side it is attributed to; null when it comes through the mediator. */
  side: number | null;
  created_at: string;
}

/** One side's statement of the other side's view, and the answer to it. */
export interface PerspectiveStatement {
  id: number;
  writer_side: number;
  about_side: number;
  turn: number;
  text: string;
  written_by: number | null;
  written_at: string;
  answer: '' | 'confirmed' | 'corrected';
  correction: string;
  answered_by: number | null;
  answered_at: string | null;
}

/** A perspective round between two sides on an issue. */
export interface PerspectiveRound {
  id: number;
  issue: number;
  status: 'open' | 'done' | 'ended';
  sides: [number, number];
  started_at: string;
  ended_at: string | null;
  version: number;
  statements: PerspectiveStatement[];
}

export interface BoardState {
  /** The last sequence number of the joint room applied to the state. */
  seq: number;
  issues: Readonly<Record<number, Issue>>;
  /** Null until a snapshot or a `mediation.updated` event said what it is. */
  mediation: MediationState | null;
  caucuses: Readonly<Record<number, CaucusSession>>;
  statements: Readonly<Record<number, SharedStatement>>;
  /** The opening statements everyone sees (by id): none until the mediator opens them. */
  openings: Readonly<Record<number, OpeningStatement>>;
  /** Perspective rounds on the issues (lib/impasse.ts), by id. */
  perspectives: Readonly<Record<number, PerspectiveRound>>;
  /** The brainstorm and sealed rounds on the issues, by id (rounds.ts). */
  brainstorms: Readonly<Record<number, BrainstormRound>>;
  sealed: Readonly<Record<number, SealedRound>>;
  /** The joint room's documents, withdrawn ones included until the page reloads. */
  documents?: Readonly<Record<number, SharedDocument>>;
}

/** A document shared with a room (docs/protocol.md, "Documents and information parity"). */
export interface SharedDocument {
  id: number;
  room: string;
  issue: number | null;
  name: string;
  kind: string;
  content_type: string;
  size: number;
  shared_by: number | null;
  created_at: string;
  withdrawn_at: string | null;
  /** The sides whose party has opened it. */
  opened_sides: number[];
  /** Where it opens; null once withdrawn. */
  url: string | null;
}

/**
 * A side's opening statement. In the side's private room it is the draft; in the joint
 * room, one its party made ready once the mediator opened the statements.
 */
export interface OpeningStatement {
  id: number;
  side: number;
  text: string;
  /** The side's party says it may be shown to everyone. */
  ready: boolean;
  version: number;
  updated_by: number | null;
  updated_at: string;
}

export interface EventFrame {
  type: 'event';
  room: string;
  seq: number;
  name: string;
  data: unknown;
}

/** The joint room's snapshot `data` (a caucus room's has other keys; see caucus.ts). */
export interface JointData {
  mediation?: MediationState | null;
  caucuses?: CaucusSession[];
  issues?: Issue[];
  statements?: SharedStatement[];
  openings?: OpeningStatement[];
  documents?: SharedDocument[];
  perspectives?: PerspectiveRound[];
  brainstorms?: BrainstormRound[];
  sealed?: SealedRound[];
}

export interface SnapshotFrame {
  type: 'snapshot';
  room: string;
  seq: number;
  data: JointData;
}

export type RoomFrame = EventFrame | SnapshotFrame;

/**
 * applied: the state moved on; duplicate: at or below the last seq, ignored;
 * gap: ahead of the last seq + 1, ignored, and the room must be synced again.
 */
export type Outcome = 'applied' | 'duplicate' | 'gap';
