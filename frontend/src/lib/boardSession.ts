/**
 * One open mediation: the socket, the joint room's state, the caucus rooms this person
 * may see (caucusRooms.ts), the notification centre, and the commands the screens send.
 * Components get it from context (see boardContext) and never see the socket itself.
 */
import { derived, get, writable, type Readable, type Writable } from 'svelte/store';
import {
  listImpasses,
  listNotifications,
  listPerspectiveDrafts,
  listSealedMine,
  listWaiting,
  shareDocument,
  type SideRef,
  type WaitingItem,
} from './api';
import { withOwn, type SealedAsks, type SealedOwn } from './rounds';
import {
  applyFrame,
  applyResult,
  emptyBoard,
  type Answer,
  type BoardState,
  type ConfidentialityRule,
  type DecisionKind,
  type Lane,
  type MediationState,
  type RoomFrame,
  type Stage,
} from './board';
import { CaucusRooms } from './caucusRooms';
import { mergeImpasse, type Cause, type Impasse, type PerspectiveDraft, type StrategyKind } from './impasse';
import { markRead, mergeNotifications, type Notification } from './notifications';
import { withPending, type PendingCommand } from './pendingOverlay';
import type { Rights } from './rights';
import { CommandError, MediationSocket, type Editing, type HelloParticipant, type SocketOptions } from './socket';

/** Someone's place at the table, as `participant.joined` and `participant.updated` carry it. */
export interface ParticipantPayload {
  id: number;
  name: string;
  role: HelloParticipant['role'];
  side: SideRef | null;
  rule_acknowledged: string;
}

/** What the screens hear about the people at the table (the board's state holds none of it). */
export interface PeopleListener {
  participant?: (participant: ParticipantPayload) => void;
  side?: (side: SideRef) => void;
  /** The joint room was replaced by a snapshot: events about people may have been skipped. */
  reload?: () => void;
}

/** An interest, option or criterion: edited by its own `<kind>.update` command. */
export type ItemKind = 'interest' | 'option' | 'criterion';

/**
 * A field edited in place: an issue's title or description, a side's position, the text
 * of an interest, option or criterion (`<kind>:<id>`), or a criterion's source
 * (`criterion-source:<id>`).
 */
export type EditableField =
  | 'title'
  | 'description'
  | `position:${number}`
  | `${ItemKind}:${number}`
  | `criterion-source:${number}`;

/** The item a field is the text (or source) of, or null for an issue's own fields. */
export function itemOfField(field: string): { kind: ItemKind; id: number; part: 'text' | 'source' } | null {
  const match = /^(interest|option|criterion|criterion-source):(\d+)$/.exec(field);
  if (!match) return null;
  const id = Number(match[2]);
  if (match[1] === 'criterion-source') return { kind: 'criterion', id, part: 'source' };
  return { kind: match[1] as ItemKind, id, part: 'text' };
}

/** A save the server refused because someone changed the text first. */
export interface FieldConflict {
  /** `<issue>:<field>`: one conflict per field at a time. */
  key: string;
  issue: number;
  field: EditableField;
  mine: string;
  theirs: string;
  /** The command to send again, with the current version, to keep mine. */
  name: string;
  data: Record<string, unknown>;
  currentVersion: number;
}

export type SaveOutcome = 'saved' | 'conflict';

/** A parked card's reason and way back: a time (ISO 8601, or null) and a condition. */
export interface Parking {
  reason: string;
  until: string | null;
  condition: string;
}

export function conflictKey(issue: number, field: EditableField): string {
  return `${issue}:${field}`;
}

/**
 * Events of the joint room after which what waits on someone may have changed. A side's
 * sealed submission is no event: only the round's ask, reveal and cancel are.
 */
const WAITING_EVENTS =
  /^(proposal\.|response\.|decision\.|consent\.|issue\.moved|mediation\.updated|caucus\.|sealed\.|perspective\.)/;
/** One's own commands that may answer what waited on one. */
const WAITING_COMMANDS = /^(proposal|decision|release|opening|caucus|sealed|perspective)\./;

/** Whether the waiting list is read again after this joint event or own command. */
export function waitingMayChange(name: string, own: 'event' | 'command'): boolean {
  return (own === 'event' ? WAITING_EVENTS : WAITING_COMMANDS).test(name);
}
const WAITING_RELOAD_MS = 300;
/** Commands whose answer is an impasse as the mediators read it. */
const IMPASSE_COMMANDS = /^(impasse|strategy)\./;

function isImpasse(value: unknown): value is Impasse {
  return typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'number' && Array.isArray((value as { causes?: unknown }).causes);
}

export class BoardSession {
  readonly socket: MediationSocket;
  /** The joint room as the server has it. */
  readonly board: Writable<BoardState>;
  /** The board with this tab's unacknowledged commands shown on top. */
  readonly view: Readable<BoardState>;
  readonly conflicts: Writable<readonly FieldConflict[]>;
  /** Things to tell the person that belong to no form (a change lost across a reload). */
  readonly notices: Writable<readonly string[]>;
  /** The caucus rooms this participant may see now. */
  readonly caucus: CaucusRooms;
  /** True once the joint room has caught up with the server after connecting. */
  readonly jointReady: Writable<boolean>;
  /** Joint editing paused by the mediator: the parties' board is read-only. */
  readonly paused: Readable<boolean>;
  readonly notifications: Writable<readonly Notification[]>;
  /** What waits on this person's answer, read again whenever something may change it. */
  readonly waiting: Writable<readonly WaitingItem[]>;
  /** This side's own sealed submissions, by round: shown to this side alone. */
  readonly sealedMine: Writable<Readonly<Record<number, SealedOwn>>>;
  private waitingTimer: ReturnType<typeof setTimeout> | null = null;
  /** The impasses with their causes and what was tried: filled for mediators alone. */
  readonly impasses: Writable<readonly Impasse[]>;
  /** This person's own perspective drafts, by round. */
  readonly drafts: Writable<Readonly<Record<number, string>>>;

  private readonly meStore: Writable<HelloParticipant | null>;
  private readonly people = new Set<PeopleListener>();
  private viewing: number | null = null;
  private editing: Editing | null = null;

  constructor(
    readonly mediationId: string,
    options: Partial<SocketOptions> & { seenStorage?: Storage | null } = {},
  ) {
    const board = writable<BoardState>(emptyBoard());
    this.board = board;
    this.conflicts = writable([]);
    this.notices = writable([]);
    this.jointReady = writable(false);
    this.notifications = writable([]);
    this.waiting = writable([]);
    this.impasses = writable([]);
    this.drafts = writable({});
    this.sealedMine = writable({});
    this.meStore = writable(null);
    this.caucus = new CaucusRooms(mediationId, this.meStore, options.seenStorage === undefined ? undefined : options.seenStorage);
    this.socket = new MediationSocket({
      ...options,
      mediationId,
      rooms: {
        joint: {
          seq: () => get(board).seq,
          apply: (frame) => {
            const { state, outcome } = applyFrame(get(board), frame);
            if (outcome === 'applied') {
              board.set(state);
              this.jointApplied(frame);
            }
            return outcome;
          },
          drop: () => board.set(emptyBoard()),
        },
      },
      createRoom: (room) => this.caucus.roomStore(room),
      onResult: (command, result) => {
        board.update((state) => applyResult(state, command.name, result));
        this.caucus.result(command, result);
        if (command.name === 'rule.acknowledge') this.meChanged(result);
        if (command.name === 'sealed.submit') this.sealedMine.update((held) => withOwn(held, result));
        if (waitingMayChange(command.name, 'command')) this.waitingChanged();
        if (IMPASSE_COMMANDS.test(command.name) && isImpasse(result)) this.impasseHeard(result);
      },
      onImpasse: (impasse) => {
        if (isImpasse(impasse)) this.impasseHeard(impasse);
      },
      onOrphanError: (command, error) => this.orphanError(command, error),
      onSynced: (rooms) => {
        if (rooms.includes('joint')) this.jointReady.set(true);
      },
      // The session's state now; a replay that follows brings it to the same place, so
      // a board synced from its log (no snapshot) knows its stage from the start.
      onMediation: (state) => board.update((held) => ({ ...held, mediation: state as unknown as MediationState })),
      onSealedMine: (frame) => this.sealedMine.update((held) => withOwn(held, frame)),
      onNotification: (notification) => {
        this.notifications.update((list) => mergeNotifications(list, [notification]));
        this.waitingChanged();
      },
    });
    this.caucus.attach(this.socket);
    this.socket.me.subscribe((me) => this.meStore.set(me));
    // A reconnect may have missed notification frames: read the list again each time.
    let wasOnline = false;
    this.socket.connection.subscribe(({ status }) => {
      if (status === 'online' && !wasOnline) {
        void this.loadNotifications();
        void this.loadImpasses();
        void this.loadDrafts();
        void this.loadSealedMine();
        this.waitingChanged();
      }
      wasOnline = status === 'online';
      if (status === 'ended' || status === 'signed-out') {
        board.set(emptyBoard());
        this.notifications.set([]);
        this.waiting.set([]);
        this.impasses.set([]);
        this.drafts.set({});
        this.sealedMine.set({});
      }
    });
    // Edits refused during a break wait for its end, then go.
    let onBreak = false;
    board.subscribe(($board) => {
      const now = $board.mediation?.on_break ?? false;
      if (onBreak && !now) this.socket.releaseHeld();
      onBreak = now;
    });
    this.paused = derived(board, ($board) => $board.mediation?.joint_paused ?? false);
    this.view = derived([board, this.socket.pending, this.socket.me], ([$board, $pending, $me]) =>
      withPending($board, $pending, {
        participant: $me?.id ?? 0,
        side: $me?.side?.id ?? null,
        role: $me?.role ?? 'observer',
      }),
    );
  }

  /** What this participant may do now, as the server publishes it. */
  get rights(): Readable<Rights | null> {
    return this.socket.rights;
  }

  /** Who this is: `hello.participant`, kept current by later `participant.updated` events. */
  get me(): Readable<HelloParticipant | null> {
    return this.meStore;
  }

  /** Hear of people joining, changing (their rule acknowledged) and sides added. */
  listen(listener: PeopleListener): () => void {
    this.people.add(listener);
    return () => this.people.delete(listener);
  }

  private jointApplied(frame: RoomFrame): void {
    if (frame.type === 'snapshot') {
      for (const listener of this.people) listener.reload?.();
      this.waitingChanged();
      return;
    }
    if (waitingMayChange(frame.name, 'event')) this.waitingChanged();
    const data = frame.data as Record<string, unknown> | null;
    if (typeof data !== 'object' || data === null) return;
    if (frame.name === 'participant.joined' || frame.name === 'participant.updated') {
      const participant = data as unknown as ParticipantPayload;
      if (participant.id === get(this.meStore)?.id) this.meChanged(participant);
      for (const listener of this.people) listener.participant?.(participant);
    } else if (frame.name === 'side.added') {
      for (const listener of this.people) listener.side?.(data as unknown as SideRef);
    }
  }

  private meChanged(payload: unknown): void {
    if (typeof payload !== 'object' || payload === null) return;
    const rule = (payload as { rule_acknowledged?: unknown }).rule_acknowledged;
    if (typeof rule !== 'string') return;
    this.meStore.update((me) => (me && me.id === (payload as { id?: unknown }).id ? { ...me, rule_acknowledged: rule } : me));
  }

  // --- rounds on an issue: a brainstorm without names, sealed positions -------------------

  async loadSealedMine(): Promise<void> {
    try {
      const list = await listSealedMine(this.mediationId);
      this.sealedMine.update((held) => list.reduce((acc, own) => withOwn(acc, own), held));
    } catch {
      // Live frames still come; the list is read again on the next reconnect.
    }
  }

  startBrainstorm(issue: number): Promise<unknown> {
    return this.socket.command('brainstorm.start', { issue });
  }

  /** An option without a name: the answer is the round, never the option. */
  addBrainstormOption(issue: number, text: string): Promise<unknown> {
    return this.socket.command('brainstorm.add', { issue, text });
  }

  endBrainstorm(issue: number): Promise<unknown> {
    return this.socket.command('brainstorm.end', { issue });
  }

  askSealed(issue: number, asks: SealedAsks, prompt: string): Promise<unknown> {
    return this.socket.command('sealed.ask', { issue, asks, ...(prompt ? { prompt } : {}) });
  }

  submitSealed(sealed: number, version: number, amount: string | null, text: string): Promise<unknown> {
    return this.socket.command('sealed.submit', { sealed, version, amount, text });
  }

  cancelSealed(sealed: number): Promise<unknown> {
    return this.socket.command('sealed.cancel', { sealed });
  }

  // --- notifications ---------------------------------------------------------------------

  async loadNotifications(): Promise<void> {
    try {
      const list = await listNotifications(this.mediationId);
      this.notifications.update((held) => mergeNotifications(held, list));
    } catch {
      // Live frames still come; the list is read again on the next reconnect.
    }
  }

  /** Read the waiting list again soon: several changes in a moment make one request. */
  waitingChanged(): void {
    if (this.waitingTimer !== null) return;
    this.waitingTimer = setTimeout(() => {
      this.waitingTimer = null;
      void this.loadWaiting();
    }, WAITING_RELOAD_MS);
  }

  async loadWaiting(): Promise<void> {
    try {
      this.waiting.set(await listWaiting(this.mediationId));
    } catch {
      // Kept as it was; read again on the next change or reconnect.
    }
  }

  /** Mark these notifications read (all, when `ids` is null). */
  readNotifications(ids: readonly number[] | null): Promise<unknown> {
    if (ids !== null && ids.length === 0) return Promise.resolve(null);
    this.notifications.update((list) => markRead(list, ids, new Date().toISOString()));
    return this.socket.command('notifications.read', ids === null ? {} : { ids: [...ids] });
  }

  // --- impasse ----------------------------------------------------------------------------

  private impasseHeard(impasse: Impasse): void {
    this.impasses.update((list) => mergeImpasse(list, impasse));
  }

  /** Read the impasses (causes and what was tried) again: only a mediator may. */
  async loadImpasses(): Promise<void> {
    if (!get(this.socket.rights)?.manage) return;
    try {
      const list = await listImpasses(this.mediationId);
      this.impasses.update((held) => list.reduce((acc, impasse) => mergeImpasse(acc, impasse), [...held]));
    } catch {
      // Live frames still come; read again on the next reconnect.
    }
  }

  async loadDrafts(): Promise<void> {
    try {
      const list: PerspectiveDraft[] = await listPerspectiveDrafts(this.mediationId);
      this.drafts.set(Object.fromEntries(list.map((draft) => [draft.round, draft.text])));
    } catch {
      // Kept as they were.
    }
  }

  markImpasse(issue: number, causes: readonly Cause[]): Promise<unknown> {
    return this.socket.command('impasse.mark', { issue, causes: [...causes] });
  }

  setImpasseCauses(impasse: Impasse, causes: readonly Cause[]): Promise<unknown> {
    return this.socket.command('impasse.causes', { impasse: impasse.id, version: impasse.version, causes: [...causes] });
  }

  clearImpasse(impasse: number): Promise<unknown> {
    return this.socket.command('impasse.clear', { impasse });
  }

  startStrategy(impasse: number, kind: StrategyKind, extra: Record<string, unknown> = {}): Promise<unknown> {
    return this.socket.command('strategy.start', { impasse, kind, ...extra });
  }

  endStrategy(attempt: number, outcome: '' | 'helped' | 'did_not_help', note: string): Promise<unknown> {
    return this.socket.command('strategy.end', { attempt, outcome, note });
  }

  draftPerspective(round: number, text: string): Promise<unknown> {
    this.drafts.update((held) => ({ ...held, [round]: text }));
    return this.socket.command('perspective.draft', { round, text });
  }

  submitPerspective(round: number, text: string): Promise<unknown> {
    return this.socket.command('perspective.submit', { round, text }).then((result) => {
      this.drafts.update((held) => {
        const { [round]: _gone, ...rest } = held;
        return rest;
      });
      return result;
    });
  }

  answerPerspective(statement: number, answer: 'confirm' | 'correct', correction = ''): Promise<unknown> {
    return this.socket.command('perspective.answer', { statement, answer, ...(answer === 'correct' ? { correction } : {}) });
  }

  /** Set until when an expert keeps access (ISO time; now or earlier ends it). */
  setExpertAccess(participant: number, until: string | null): Promise<unknown> {
    return this.socket.command('expert.access', { participant, until });
  }

  // --- running the session (mediators) ----------------------------------------------------

  callCaucus(side: number): Promise<unknown> {
    return this.socket.command('caucus.call', { side });
  }

  openCaucus(caucus: number): Promise<unknown> {
    return this.socket.command('caucus.open', { caucus });
  }

  closeCaucus(caucus: number): Promise<unknown> {
    return this.socket.command('caucus.close', { caucus });
  }

  pauseBoard(paused: boolean): Promise<unknown> {
    return this.socket.command('board.pause', { paused });
  }

  setStage(stage: Stage): Promise<unknown> {
    return this.socket.command('stage.set', { stage });
  }

  startBreak(minutes: number, message: string): Promise<unknown> {
    return this.socket.command('break.start', { minutes, ...(message ? { message } : {}) });
  }

  extendBreak(minutes: number): Promise<unknown> {
    return this.socket.command('break.extend', { minutes });
  }

  endBreak(): Promise<unknown> {
    return this.socket.command('break.end', {});
  }

  /** Take a snapshot of a room's board now ("joint" or "caucus:<side>"). */
  takeSnapshot(room: string): Promise<unknown> {
    return this.socket.command('snapshot.take', { room });
  }

  /** Make an issue (or one field of it) as a snapshot has it: new events, live for everyone. */
  restoreIssue(snapshot: number, issue: number, field: string | null = null): Promise<unknown> {
    return this.socket.command('issue.restore', { snapshot, issue, ...(field ? { field } : {}) });
  }

  /** End the session (its summary goes to everyone); `next` is when the next one is (ISO), or null. */
  endSession(next: string | null): Promise<unknown> {
    return this.socket.command('session.end', { next_session_at: next });
  }

  /** Ask the mediator, privately, for a break. */
  requestBreak(): Promise<unknown> {
    return this.socket.command('break.request', {});
  }

  /** Write a side's opening statement (version 0 for the first) and/or, as its party, say whether it may be shown. */
  setOpening(side: number, version: number, change: { text?: string; ready?: boolean }): Promise<unknown> {
    return this.socket.command('opening.set', { side, version, ...change });
  }

  /** Open the sides' ready statements to everyone. */
  showOpenings(): Promise<unknown> {
    return this.socket.command('openings.show', {});
  }

  /** Say something to everyone in the joint room; empty text takes the last word down. */
  /** Set when the next session is (an ISO time), or clear it with null. */
  scheduleNext(at: string | null): Promise<unknown> {
    return this.socket.command('session.schedule', { at });
  }

  announce(text: string): Promise<unknown> {
    return text ? this.socket.command('announcement.make', { text }) : this.socket.command('announcement.clear', {});
  }

  /**
   * Set the case's rule. The mediator chose it, so accepts it in the same breath: the
   * acceptance is queued right behind, and the rule dialog is not shown to them for it.
   */
  setRule(rule: ConfidentialityRule): Promise<unknown> {
    const set = this.socket.command('rule.set', { rule });
    const accepted = this.acknowledgeRule(rule);
    return Promise.all([set, accepted]).then(([result]) => result);
  }

  /** Share a file with a room, over REST (multipart); its event follows on the socket. */
  shareDocument(file: File, room: string, issue: number | null): Promise<unknown> {
    return shareDocument(this.mediationId, file, room, issue);
  }

  withdrawDocument(document: number): Promise<unknown> {
    return this.socket.command('document.withdraw', { document });
  }

  requireDocuments(issue: number, required: boolean, version: number): Promise<unknown> {
    return this.socket.command('issue.require_documents', { issue, required, version });
  }

  confirmInformation(issue: number): Promise<unknown> {
    return this.socket.command('information.confirm', { issue });
  }

  requestInformation(issue: number, text: string): Promise<unknown> {
    return this.socket.command('information.request', { issue, text });
  }

  checkOverlap(issue: number): Promise<unknown> {
    return this.socket.command('overlap.check', { issue });
  }

  /** Accept the case's confidentiality rule, as it was shown. */
  acknowledgeRule(rule: ConfidentialityRule): Promise<unknown> {
    return this.socket.command('rule.acknowledge', { rule });
  }

  start(): void {
    this.socket.start();
  }

  stop(): void {
    this.socket.stop();
  }

  // --- presence ----------------------------------------------------------------------

  setViewing(issue: number | null): void {
    this.viewing = issue;
    if (issue === null) this.editing = null;
    this.socket.setPresence({ viewing: this.viewing, editing: this.editing });
  }

  /** Start (`on`) or stop editing one field; stopping another field changes nothing. */
  setEditing(issue: number, field: string, on: boolean): void {
    if (on) {
      this.editing = { issue, field };
    } else if (this.editing?.issue === issue && this.editing.field === field) {
      this.editing = null;
    } else {
      return;
    }
    this.socket.setPresence({ viewing: this.viewing, editing: this.editing });
  }

  // --- commands ------------------------------------------------------------------------

  createIssue(title: string, description: string): Promise<unknown> {
    return this.socket.command('issue.create', { title, description });
  }

  moveIssue(issue: number, version: number, lane: Lane, index: number | null, parking: Partial<Parking> = {}): Promise<unknown> {
    const data: Record<string, unknown> = { issue, version, lane };
    if (index !== null) data.index = index;
    if (lane === 'parked') {
      if (parking.reason) data.reason = parking.reason;
      if (parking.until) data.until = parking.until;
      if (parking.condition) data.condition = parking.condition;
    }
    return this.socket.command('issue.move', data);
  }

  /** Change a parked card's reason and way back: every part is set, empty clearing it. */
  editParking(issue: number, version: number, parking: Parking): Promise<unknown> {
    return this.socket.command('issue.park_edit', { issue, version, ...parking });
  }

  /** Bring a parked card back to where it was parked from. */
  unpark(issue: number, version: number): Promise<unknown> {
    return this.socket.command('issue.unpark', { issue, version });
  }

  /** Ask every side for a decision: the mediator's wording of an agreement, or to strike. */
  proposeDecision(issue: number, kind: DecisionKind, terms = ''): Promise<unknown> {
    return this.socket.command('decision.propose', kind === 'agree' ? { issue, kind, terms } : { issue, kind });
  }

  /** Confirm (with, for an agreement, the party's word that they have what they need to
   * decide) or decline a waiting decision. */
  answerDecision(decision: number, answer: 'confirm' | 'decline', informed = false): Promise<unknown> {
    return this.socket.command('decision.answer', answer === 'confirm' ? { decision, answer, informed } : { decision, answer });
  }

  withdrawDecision(decision: number): Promise<unknown> {
    return this.socket.command('decision.withdraw', { decision });
  }

  /**
   * Save a title, description, position, or the text of an interest, option or criterion
   * (or a criterion's source); a conflict is kept for the person to resolve.
   */
  saveField(issue: number, field: EditableField, text: string, version: number): Promise<SaveOutcome> {
    if (field === 'title' || field === 'description') {
      return this.save(issue, field, 'issue.update', { issue, version, [field]: text }, text);
    }
    const item = itemOfField(field);
    if (item) {
      return this.save(issue, field, `${item.kind}.update`, { [item.kind]: item.id, version, [item.part]: text }, text);
    }
    const side = Number(field.slice('position:'.length));
    return this.save(issue, field, 'position.set', { issue, side, text, version }, text);
  }

  /** Keep my text: send it again over the current version. */
  keepMine(conflict: FieldConflict): Promise<SaveOutcome> {
    this.dropConflict(conflict.key);
    return this.save(conflict.issue, conflict.field, conflict.name, { ...conflict.data, version: conflict.currentVersion }, conflict.mine);
  }

  /** Use theirs: forget my text. */
  useTheirs(conflict: FieldConflict): void {
    this.dropConflict(conflict.key);
  }

  addInterest(issue: number, side: number, text: string): Promise<unknown> {
    return this.socket.command('interest.add', { issue, side, text });
  }

  addOption(issue: number, text: string): Promise<unknown> {
    return this.socket.command('option.add', { issue, text });
  }

  addCriterion(issue: number, text: string, source: string): Promise<unknown> {
    return this.socket.command('criterion.add', { issue, text, source });
  }

  /** Strike through (or restore) an interest, option or criterion. */
  setStruck(kind: 'interest' | 'option' | 'criterion', id: number, version: number, struck: boolean): Promise<unknown> {
    return this.socket.command(`${kind}.update`, { [kind]: id, version, struck });
  }

  addComment(issue: number, body: string): Promise<unknown> {
    return this.socket.command('comment.add', { issue, body });
  }

  propose(issue: number, terms: string, amount: string | null): Promise<unknown> {
    const data: Record<string, unknown> = { issue, terms };
    if (amount) data.amount = amount;
    return this.socket.command('proposal.create', data);
  }

  respond(
    proposal: number,
    version: number,
    answer: Answer,
    note: string,
    counter?: { terms: string; amount: string | null },
    informed = false,
  ): Promise<unknown> {
    const data: Record<string, unknown> = { proposal, version, answer, note };
    // An acceptance carries the party's word that they have what they need to decide.
    if (answer === 'accept') data.informed = informed;
    if (answer === 'counter' && counter) {
      data.counter_terms = counter.terms;
      if (counter.amount) data.counter_amount = counter.amount;
    }
    return this.socket.command('proposal.respond', data);
  }

  withdraw(proposal: number, version: number): Promise<unknown> {
    return this.socket.command('proposal.withdraw', { proposal, version });
  }

  dismissNotice(index: number): void {
    this.notices.update((list) => list.filter((_, i) => i !== index));
  }

  // --- conflicts -----------------------------------------------------------------------

  private async save(
    issue: number,
    field: EditableField,
    name: string,
    data: Record<string, unknown>,
    mine: string,
  ): Promise<SaveOutcome> {
    try {
      await this.socket.command(name, data);
      return 'saved';
    } catch (error) {
      const conflict = error instanceof CommandError ? conflictOf(issue, field, name, data, mine, error) : null;
      if (!conflict) throw error;
      this.addConflict(conflict);
      return 'conflict';
    }
  }

  private addConflict(conflict: FieldConflict): void {
    this.conflicts.update((list) => [...list.filter((c) => c.key !== conflict.key), conflict]);
  }

  private dropConflict(key: string): void {
    this.conflicts.update((list) => list.filter((c) => c.key !== key));
  }

  private orphanError(command: PendingCommand, error: CommandError): void {
    const field = fieldOf(command);
    const issue = typeof command.data.issue === 'number' ? command.data.issue : issueOfCurrent(error);
    if (field && typeof issue === 'number') {
      const mine = String(command.data[dataKeyOf(field)]);
      const conflict = conflictOf(issue, field, command.name, command.data, mine, error);
      if (conflict) {
        this.addConflict(conflict);
        return;
      }
    }
    this.notices.update((list) => [...list, `A change made before the page was reloaded was not saved: ${error.message}`]);
  }
}

function fieldOf(command: PendingCommand): EditableField | null {
  if (command.name === 'position.set' && typeof command.data.side === 'number') return `position:${command.data.side}`;
  const [kind, verb] = command.name.split('.');
  if (verb === 'update' && (kind === 'interest' || kind === 'option' || kind === 'criterion')) {
    const id = command.data[kind];
    if (typeof id !== 'number') return null;
    if (typeof command.data.text === 'string') return `${kind}:${id}`;
    if (kind === 'criterion' && typeof command.data.source === 'string') return `criterion-source:${id}`;
    return null; // struck or restored: nothing typed to lose
  }
  if (command.name === 'issue.update') {
    if (typeof command.data.title === 'string') return 'title';
    if (typeof command.data.description === 'string') return 'description';
  }
  return null;
}

/** The conflict to show for a refused save, or null if the error is not a conflict. */
export function conflictOf(
  issue: number,
  field: EditableField,
  name: string,
  data: Record<string, unknown>,
  mine: string,
  error: CommandError,
): FieldConflict | null {
  if (error.code !== 'conflict') return null;
  const details = error.details as { current?: Record<string, unknown> } | undefined;
  const current = details?.current ?? {};
  const theirs = current[dataKeyOf(field)];
  return {
    key: conflictKey(issue, field),
    issue,
    field,
    mine,
    theirs: typeof theirs === 'string' ? theirs : '',
    name,
    data,
    currentVersion: typeof current.version === 'number' ? current.version : 0,
  };
}

/** The key a field's text travels under, in a command's data and in the object. */
function dataKeyOf(field: EditableField): string {
  if (field === 'title' || field === 'description') return field;
  return itemOfField(field)?.part ?? 'text';
}

/** The issue of the object a conflict came back with (an item's command names no issue). */
function issueOfCurrent(error: CommandError): number | null {
  const current = (error.details as { current?: { issue?: unknown } } | undefined)?.current;
  return typeof current?.issue === 'number' ? current.issue : null;
}
