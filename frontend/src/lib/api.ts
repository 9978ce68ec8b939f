/**
 * The one module that talks HTTP to the Parley backend.
 *
 * Components call these functions and never `fetch` themselves, so CSRF,
 * credentials and error parsing live in exactly one place.
 */
import type { Impasse, PerspectiveDraft } from './impasse';
import type { Rights } from './rights';
import type { SealedOwn } from './rounds';
import { newCommandId } from './socket';

export type Role = 'mediator' | 'party' | 'attorney' | 'expert' | 'observer';
export type Id = number | string;

export interface User {
  id: number;
  email: string;
  name: string;
  is_mediator: boolean;
  has_password: boolean;
}

export interface SideRef {
  id: number;
  name: string;
}

export interface MediationRef {
  id: string;
  title: string;
}

export interface Mediation extends MediationRef {
  /** The ISO 4217 code amounts in this mediation are in. */
  currency?: string;
  stage: string;
  stage_display: string;
  status: string;
  confidentiality_rule: 'confidential_unless_released' | 'shareable_unless_marked';
  on_break?: boolean;
  break_ends_at?: string | null;
  break_message?: string;
  joint_paused?: boolean;
  my_role: Role;
  my_side: SideRef | null;
  /** What this participant may do (lib/rights.ts); only on one mediation's own payload. */
  my_rights?: Rights | null;
  sides: SideRef[];
  created_at: string;
}

export interface Participant {
  id: Id;
  name: string;
  role: Role;
  side: SideRef | null;
  /** The confidentiality rule this person accepted ('' for none yet). */
  rule_acknowledged?: string;
  /** Present only when the caller is a mediator. */
  email?: string;
  /** An expert's invited time (mediators only): null for no limit. */
  access_expires_at?: string | null;
  /** The one issue an expert was brought in on (mediators only). */
  scope_issue?: number | null;
}

export type InvitationStatus = 'pending' | 'used' | 'expired' | 'revoked';

export interface Invitation {
  id: Id;
  email: string;
  role: Role;
  side: SideRef | null;
  created_at: string;
  expires_at: string;
  status: InvitationStatus;
  /** The e-mail's way: queued, handed to the mail server, given up on; the link opened. */
  email_queued_at?: string | null;
  email_sent_at?: string | null;
  email_failed_at?: string | null;
  opened_at?: string | null;
}

/**
 * Only the create response carries the link; it is never shown again. It is null when the
 * address already has an account that reaches further: that link goes only by e-mail.
 */
export interface CreatedInvitation extends Invitation {
  link: string | null;
}

export interface InvitationPreview {
  email: string;
  role: Role;
  side: SideRef | null;
  mediation: MediationRef;
  invited_by: string;
  /** The link is for its own inviter: a mediator's own sign-in link, say. */
  invited_by_self?: boolean;
  expires_at: string;
}

export interface NewInvitation {
  email: string;
  role: Role;
  side: number | null;
  name?: string;
  /** An expert in a side's private room: may they read what was said there before? */
  caucus_history?: boolean;
  /** An expert brought in on one issue: they see that issue alone. */
  issue?: number | null;
  /** An expert's access lasts this many minutes from when they join. */
  minutes?: number | null;
}

/** Field messages keyed by a dotted path: `title`, `sides.0`, `side`. */
export type FieldErrors = Record<string, string[]>;

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly fields: FieldErrors;

  constructor(status: number, code: string, detail: string, fields: FieldErrors = {}) {
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.fields = fields;
  }

  /** Messages for one field, or an empty list. */
  field(name: string): string[] {
    return this.fields[name] ?? [];
  }
}

/** True when the error means "you are not signed in" (DRF answers 403 for sessions). */
export function isSignedOutError(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    (error.status === 401 || (error.status === 403 && error.code === 'not_authenticated'))
  );
}

/** A message to show for any thrown value. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  return 'Something unexpected went wrong. Please try again.';
}

const NETWORK_ERROR_DETAIL =
  'Could not reach Parley. Check your connection and try again.';

const DEFAULTS: Record<number, [string, string]> = {
  400: ['invalid', 'Please correct the highlighted fields.'],
  401: ['not_authenticated', 'Please sign in to continue.'],
  403: ['permission_denied', 'You do not have permission to do that.'],
  404: ['not_found', 'We could not find that.'],
  409: ['conflict', 'Someone else changed this at the same time. Reload and try again.'],
  410: ['gone', 'This is no longer available.'],
  429: ['rate_limited', 'Too many attempts. Please wait a moment and try again.'],
};

function defaultsFor(status: number): [string, string] {
  if (status >= 500) {
    return ['server_error', 'Something went wrong on our side. Please try again in a moment.'];
  }
  return DEFAULTS[status] ?? ['error', `The request failed (${status}). Please try again.`];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function addMessages(out: FieldErrors, key: string, value: unknown): void {
  if (typeof value === 'string') {
    (out[key] ??= []).push(value);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => {
      if (typeof item === 'string') {
        (out[key] ??= []).push(item);
      } else if (item !== null && typeof item === 'object') {
        // DRF list-of-objects errors: [{}, {"name": ["..."]}]
        addMessages(out, `${key}.${index}`, item);
      }
    });
  } else if (isRecord(value)) {
    for (const [sub, inner] of Object.entries(value)) {
      addMessages(out, `${key}.${sub}`, inner);
    }
  }
}

/** Turn an error response body (already JSON-decoded, or null) into an ApiError. */
export function parseErrorBody(status: number, body: unknown): ApiError {
  let [code, detail] = defaultsFor(status);
  const fields: FieldErrors = {};
  let explicitDetail = false;

  if (isRecord(body)) {
    if (typeof body.code === 'string' && body.code) code = body.code;
    if (typeof body.detail === 'string' && body.detail) {
      detail = body.detail;
      explicitDetail = true;
    }
    for (const [key, value] of Object.entries(body)) {
      if (key === 'detail' || key === 'code') continue;
      addMessages(fields, key, value);
    }
    const general = fields.non_field_errors;
    if (general && general.length > 0) {
      delete fields.non_field_errors;
      if (!explicitDetail) {
        detail = general.join(' ');
        explicitDetail = true;
      }
    }
  } else if (Array.isArray(body)) {
    const messages = body.filter((item): item is string => typeof item === 'string');
    if (messages.length > 0) detail = messages.join(' ');
  }

  return new ApiError(status, code, detail, fields);
}

/** Read a cookie fresh each time: Django rotates csrftoken when a session starts. */
export function readCookie(name: string): string | null {
  for (const part of document.cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

async function send(method: Method, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    const token = readCookie('csrftoken');
    if (token) headers['X-CSRFToken'] = token;
    if (body !== undefined) init.body = JSON.stringify(body);
  }
  try {
    return await fetch(`/api${path}`, init);
  } catch {
    throw new ApiError(0, 'network_error', NETWORK_ERROR_DETAIL);
  }
}

async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  // The session endpoint guarantees the csrftoken cookie; fetch it first if
  // this tab never did (e.g. a POST right after the cookie was cleared).
  if (method !== 'GET' && readCookie('csrftoken') === null) {
    await send('GET', '/auth/session/').catch(() => undefined);
  }
  const response = await send(method, path, body);
  if (!response.ok) {
    throw parseErrorBody(response.status, await readJson(response));
  }
  if (response.status === 204) return undefined as T;
  return (await readJson(response)) as T;
}

const seg = encodeURIComponent;

// --- auth -------------------------------------------------------------------

export async function getSession(): Promise<User | null> {
  const data = await request<{ user: User | null }>('GET', '/auth/session/');
  return data.user;
}

export async function login(email: string, password: string): Promise<User> {
  const data = await request<{ user: User }>('POST', '/auth/login/', { email, password });
  return data.user;
}

export function logout(): Promise<void> {
  return request<void>('POST', '/auth/logout/');
}

/** Set a password, or change it: changing one needs the current one. */
export function setPassword(password: string, currentPassword?: string): Promise<void> {
  const body = currentPassword === undefined ? { password } : { password, current_password: currentPassword };
  return request<void>('POST', '/auth/password/', body);
}

// --- invitations (public) ---------------------------------------------------
// The token goes in the JSON body, never in a URL: paths end up in access logs.

export function previewInvitation(token: string): Promise<InvitationPreview> {
  return request<InvitationPreview>('POST', '/invitations/preview/', { token });
}

export function redeemInvitation(token: string): Promise<{ user: User; mediation: MediationRef }> {
  return request('POST', '/invitations/redeem/', { token });
}

/** E-mail a fresh link to the invited address; the one given here stops working. */
export function resendInvitation(token: string): Promise<{ detail: string }> {
  return request('POST', '/invitations/resend/', { token });
}

// --- mediations -------------------------------------------------------------

export function listMediations(): Promise<Mediation[]> {
  return request<Mediation[]>('GET', '/mediations/');
}

export function createMediation(title: string, sides: string[], currency = 'EUR'): Promise<Mediation> {
  return request<Mediation>('POST', '/mediations/', { title, sides, currency });
}

export function getMediation(id: string): Promise<Mediation> {
  return request<Mediation>('GET', `/mediations/${seg(id)}/`);
}

export function addSide(mediationId: string, name: string): Promise<SideRef> {
  return request<SideRef>('POST', `/mediations/${seg(mediationId)}/sides/`, { name });
}

export function listParticipants(mediationId: string): Promise<Participant[]> {
  return request<Participant[]>('GET', `/mediations/${seg(mediationId)}/participants/`);
}

export function listInvitations(mediationId: string): Promise<Invitation[]> {
  return request<Invitation[]>('GET', `/mediations/${seg(mediationId)}/invitations/`);
}

export function createInvitation(
  mediationId: string,
  invitation: NewInvitation,
): Promise<CreatedInvitation> {
  return request<CreatedInvitation>(
    'POST',
    `/mediations/${seg(mediationId)}/invitations/`,
    invitation,
  );
}

export function revokeInvitation(mediationId: string, invitationId: Id): Promise<Invitation> {
  return request<Invitation>(
    'POST',
    `/mediations/${seg(mediationId)}/invitations/${seg(String(invitationId))}/revoke/`,
  );
}

// --- notification centre ----------------------------------------------------

export interface NotificationItem {
  id: number;
  kind: string;
  text: string;
  room: string;
  /** The joint board's issue it is about, to open from the notice. */
  issue?: number | null;
  created_at: string;
  read_at: string | null;
}

export function listNotifications(mediationId: string): Promise<NotificationItem[]> {
  return request<NotificationItem[]>('GET', `/mediations/${seg(mediationId)}/notifications/`);
}

/** This side's own sealed submissions to rounds still waiting (empty for anyone else). */
export function listSealedMine(mediationId: string): Promise<SealedOwn[]> {
  return request<SealedOwn[]>('GET', `/mediations/${seg(mediationId)}/sealed/mine/`);
}

/** Something that waits on this person's answer (negotiation/waiting.py). */
export interface WaitingItem {
  kind:
    | 'proposal'
    | 'decision'
    | 'release'
    | 'opening'
    | 'caucus'
    | 'break'
    | 'sealed'
    | 'perspective_write'
    | 'perspective_answer';
  text: string;
  room: string;
  issue: number | null;
  issue_title: string | null;
  since: string;
}

export function listWaiting(mediationId: string): Promise<WaitingItem[]> {
  return request<WaitingItem[]>('GET', `/mediations/${seg(mediationId)}/waiting/`);
}

/** A notice that could not be delivered, after every retry (mediators only). */
export interface FailedDelivery {
  participant: number;
  name: string;
  channel: 'email' | 'sms' | 'push';
  kind: string;
  text: string;
  failed_at: string;
  error: string;
}

export function listFailedDeliveries(mediationId: string): Promise<FailedDelivery[]> {
  return request<FailedDelivery[]>('GET', `/mediations/${seg(mediationId)}/deliveries/failed/`);
}

export interface NoticeSettings {
  email: boolean;
  sms: boolean;
  phone: string;
  push: boolean;
  muted: string[];
}

export interface NoticeSettingsAnswer {
  settings: NoticeSettings;
  kinds: { kind: string; text: string; urgent: boolean }[];
  push_available: boolean;
  push_key: string;
}

export function getNoticeSettings(): Promise<NoticeSettingsAnswer> {
  return request<NoticeSettingsAnswer>('GET', '/me/notifications/');
}

export function updateNoticeSettings(changes: Partial<NoticeSettings>): Promise<NoticeSettingsAnswer> {
  return request<NoticeSettingsAnswer>('PATCH', '/me/notifications/', changes);
}

export function pushSubscribe(subscription: { endpoint: string; keys: { p256dh: string; auth: string } }): Promise<void> {
  return request<void>('POST', '/me/push/', subscription);
}

export function pushUnsubscribe(endpoint: string): Promise<void> {
  return request<void>('POST', '/me/push/forget/', { endpoint });
}

// --- the mediator's balance view ----------------------------------------------

/** One side's figures in the balance view (negotiation/balance.py). */
export interface BalanceSide {
  side: number;
  name: string;
  /** Time in private session up to the answer's `now`. */
  private_seconds: number;
  private_sessions: number;
  /** When the private session running now began, or null. */
  in_private_since: string | null;
  proposals: number;
  /** Acts on the joint board: issues, positions, options, comments, proposals, answers. */
  edits: number;
  last_acted_at: string | null;
  break_requests: number;
}

export interface Balance {
  now: string;
  sides: BalanceSide[];
  first_met: number | null;
  last_met: number | null;
  /** A neutral sentence when one side has had markedly more private time, or null. */
  note: string | null;
  /** Who has opened each document (first openings), and who has not yet. */
  documents?: BalanceDocument[];
}

export interface BalancePerson {
  participant: number;
  name: string;
  role: string;
  side: number | null;
}

export interface BalanceDocument {
  id: number;
  name: string;
  room: string;
  issue: number | null;
  issue_title: string | null;
  shared_at: string;
  opened: (BalancePerson & { opened_at: string })[];
  not_opened: BalancePerson[];
}

/** The mediator's balance view; a 404 for anyone else. */
export function getBalance(mediationId: string): Promise<Balance> {
  return request<Balance>('GET', `/mediations/${seg(mediationId)}/balance/`);
}

// --- the socket's question after a refused handshake ---------------------------

/** What the REST API says of this participant's access after a refused handshake. */
export type AccessState = 'ok' | 'ended' | 'signed-out';

/** Ask the REST API whether the mediation is still there for this session: 404 means
 *  access ended, an unauthenticated answer means signed out; anything else, including no
 *  answer at all, is no reason to stop trying. */
export async function accessProbe(mediationId: string, fetchImpl: typeof fetch = fetch): Promise<AccessState> {
  try {
    const response = await fetchImpl(`/api/mediations/${encodeURIComponent(mediationId)}/`, {
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
    });
    if (response.status === 404) return 'ended';
    if (response.status === 401) return 'signed-out';
    if (response.status === 403) {
      const body = (await response.json().catch(() => null)) as { code?: unknown } | null;
      return body?.code === 'not_authenticated' ? 'signed-out' : 'ok';
    }
    return 'ok';
  } catch {
    return 'ok';
  }
}

// --- the board's history ---------------------------------------------------------

export type SnapshotReason = 'periodic' | 'stage' | 'agreed' | 'session_end' | 'on_demand';

/** A snapshot as listed: a room's board at a seq of its log (negotiation/models/history.py). */
export interface SnapshotItem {
  id: number;
  room: string;
  seq: number;
  reason: SnapshotReason;
  taken_by: number | null;
  created_at: string;
}

/** One thing that changed (negotiation/history.py): `what` names it, e.g. "issue.parked". */
export interface Change {
  what: string;
  issue?: number;
  title?: string;
  field?: string;
  before?: unknown;
  after?: unknown;
  side?: number | null;
  text?: string;
  terms?: string;
  body?: string;
  parked_reason?: string;
  parked_until?: string | null;
  parked_condition?: string;
  fields?: string[];
  [key: string]: unknown;
}

export interface SnapshotChanges {
  before: SnapshotItem;
  after: SnapshotItem;
  changes: Change[];
}

export interface IssueHistoryEntry {
  seq: number;
  at: string;
  event: string;
  actor: number | null;
  actor_name: string;
  actor_role: Role | null;
  actor_side: number | null;
  changes: Change[];
}

export interface SessionSummaryData {
  title: string;
  ended_at: string;
  stage: string | null;
  next_session_at: string | null;
  agreed: { id: number; title: string; terms: string; agreed_by: { side: string; by: string; at: string | null }[] }[];
  parked: { id: number; title: string; reason: string; until: string | null; condition: string }[];
  open: { id: number; title: string; lane: string; open_proposals: number }[];
}

export interface SessionSummary {
  id: number;
  snapshot: number;
  data: SessionSummaryData;
  ended_by: number | null;
  created_at: string;
  built_at: string | null;
}

export function listSnapshots(mediationId: string, room: string): Promise<SnapshotItem[]> {
  return request<SnapshotItem[]>('GET', `/mediations/${seg(mediationId)}/rooms/${seg(room)}/snapshots/`);
}

export function snapshotChanges(mediationId: string, from: number, to: number): Promise<SnapshotChanges> {
  return request<SnapshotChanges>('GET', `/mediations/${seg(mediationId)}/snapshots/${from}/changes/${to}/`);
}

export function issueHistory(mediationId: string, issue: number): Promise<{ issue: number; entries: IssueHistoryEntry[] }> {
  return request('GET', `/mediations/${seg(mediationId)}/issues/${issue}/history/`);
}

export function getSummary(mediationId: string): Promise<SessionSummary> {
  return request<SessionSummary>('GET', `/mediations/${seg(mediationId)}/summary/`);
}

// --- documents ------------------------------------------------------------------------

/** How often an upload whose answer was lost is sent again, with the same key. */
const UPLOAD_TRIES = 3;

/**
 * Share a file with a room ("joint" or "caucus:<side>"), optionally on an issue: REST,
 * multipart (the socket announces it, `document.shared`). Errors name `file`. It goes
 * with an `Idempotency-Key`, as a command goes with its id: when the connection drops
 * before the answer, it is sent again with the same key, and the server answers with
 * the document it took the first time instead of sharing it twice.
 */
export async function shareDocument(
  mediationId: string,
  file: File,
  room: string,
  issue: number | null,
  key: string = newCommandId(),
): Promise<unknown> {
  if (readCookie('csrftoken') === null) await send('GET', '/auth/session/').catch(() => undefined);
  const body = new FormData();
  body.append('file', file);
  body.append('room', room);
  if (issue !== null) body.append('issue', String(issue));
  const headers: Record<string, string> = { Accept: 'application/json', 'Idempotency-Key': key };
  const token = readCookie('csrftoken');
  if (token) headers['X-CSRFToken'] = token;
  let response: Response | null = null;
  for (let tries = 1; response === null; tries += 1) {
    try {
      response = await fetch(`/api/mediations/${seg(mediationId)}/documents/`, {
        method: 'POST',
        headers,
        body,
        credentials: 'same-origin',
      });
    } catch {
      if (tries >= UPLOAD_TRIES) throw new ApiError(0, 'network_error', NETWORK_ERROR_DETAIL);
    }
  }
  if (!response.ok) throw parseErrorBody(response.status, await readJson(response));
  return readJson(response);
}

// --- impasse ------------------------------------------------------------------

/** The mediation's impasses with their causes and what was tried: mediators only. */
export function listImpasses(mediationId: string): Promise<Impasse[]> {
  return request<Impasse[]>('GET', `/mediations/${seg(mediationId)}/impasses/`);
}

/** The caller's own perspective drafts. */
export function listPerspectiveDrafts(mediationId: string): Promise<PerspectiveDraft[]> {
  return request<PerspectiveDraft[]>('GET', `/mediations/${seg(mediationId)}/perspective-drafts/`);
}

/** Set until when an invited expert keeps access (ISO time; null: no limit; now or earlier ends it). */
export function setExpertAccess(mediationId: string, participant: Id, until: string | null): Promise<Participant> {
  return request<Participant>('POST', `/mediations/${seg(mediationId)}/commands/expert.access/`, { participant, until });
}
