/**
 * A tiny history-API router: pure route matching plus pushState navigation
 * and link interception. Django answers every non-API path with index.html,
 * so any of these URLs can also be loaded directly.
 */

export type Route =
  | { name: 'home' }
  | { name: 'signin' }
  | { name: 'password' }
  | { name: 'notice-settings' }
  | { name: 'invite' }
  | { name: 'mediation'; id: string }
  | { name: 'not-found' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Paths the server owns; links to them load a real page. */
const SERVER_PREFIXES = ['/api/', '/admin/', '/static/', '/ws/'];

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

export function matchRoute(pathname: string): Route {
  // Tolerate one trailing slash: /signin/ is /signin.
  const path = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  if (path === '/' || path === '') return { name: 'home' };

  const parts = path.replace(/^\//, '').split('/');
  const [first, second] = parts;

  if (parts.length === 1 && first === 'signin') return { name: 'signin' };
  if (parts.length === 1 && first === 'password') return { name: 'password' };
  if (parts.length === 2 && first === 'settings' && second === 'notifications') return { name: 'notice-settings' };

  // The token travels in the fragment (/invite#<token>), which browsers never send.
  if (parts.length === 1 && first === 'invite') return { name: 'invite' };
  // Links sent before that change: /invite/<token>. The screen moves the token out.
  if (parts.length === 2 && first === 'invite' && legacyInviteToken(path) !== null) {
    return { name: 'invite' };
  }

  if (first === 'mediations' && second && UUID.test(second) && placeOf(parts.slice(2)) !== null) {
    return { name: 'mediation', id: second.toLowerCase() };
  }

  return { name: 'not-found' };
}

// --- places inside a mediation ----------------------------------------------

/**
 * Where one is inside a mediation: the tab, the issue open on the board, the private
 * room the mediator looks at. All of it is in the address, so Back, a reload and a
 * shared link land in the same place:
 *
 *   /mediations/<id>                  the board
 *   /mediations/<id>/issues/<n>       the board with issue n open
 *   /mediations/<id>/<tab>            another tab (private, people, balance, ...)
 *   /mediations/<id>/private/<side>   the mediator in that side's private room
 *
 * Which tabs exist, and whether this person may see them, is the workspace's to say.
 */
export interface Place {
  tab: string;
  issue: number | null;
  room: string | null;
}

const TAB = /^[a-z][a-z-]{0,31}$/;
const NUMBER = /^[1-9][0-9]{0,15}$/;

function placeOf(rest: string[]): Place | null {
  const [a, b] = rest;
  if (rest.length === 0) return { tab: 'board', issue: null, room: null };
  if (rest.length === 2 && a === 'issues' && b && NUMBER.test(b)) return { tab: 'board', issue: Number(b), room: null };
  if (rest.length === 2 && a === 'private' && b && NUMBER.test(b)) return { tab: 'private', issue: null, room: `caucus:${b}` };
  if (rest.length === 1 && a && TAB.test(a) && a !== 'issues' && a !== 'board') return { tab: a, issue: null, room: null };
  return null;
}

/** The place a mediation's address names, or null when it names none. */
export function mediationPlace(pathname: string): Place | null {
  const path = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  const parts = path.replace(/^\//, '').split('/');
  if (parts[0] !== 'mediations' || !parts[1] || !UUID.test(parts[1])) return null;
  return placeOf(parts.slice(2));
}

/** The address of a place in a mediation: mediationPlace turned around. */
export function mediationPath(id: string, place: Partial<Place>): string {
  const base = `/mediations/${id}`;
  const tab = place.tab ?? 'board';
  if (tab === 'board') return place.issue ? `${base}/issues/${place.issue}` : base;
  if (tab === 'private' && place.room?.startsWith('caucus:')) return `${base}/private/${place.room.slice('caucus:'.length)}`;
  return `${base}/${tab}`;
}

/** Screens behind sign-in. */
export function needsSignIn(route: Route): boolean {
  return route.name === 'home' || route.name === 'mediation' || route.name === 'password' || route.name === 'notice-settings';
}

/**
 * A stable key per screen instance, so a new id remounts the screen. The
 * invitation token is not part of the route: the invite screen takes it from
 * the address itself (see takeInvitationToken).
 */
export function routeKey(route: Route): string {
  switch (route.name) {
    case 'mediation':
      return `mediation:${route.id}`;
    default:
      return route.name;
  }
}

export const INVITE_PATH = '/invite';

/** The token in a legacy /invite/<token> path, or null. */
function legacyInviteToken(pathname: string): string | null {
  const match = /^\/invite\/([^/]+)\/?$/.exec(pathname);
  return match?.[1] ? decode(match[1]) || null : null;
}

/**
 * Read the invitation token from the address and remove it from there at once,
 * so it does not stay in the address bar, the history, a screenshot or a shared
 * tab. The token is in the fragment (/invite#<token>); a legacy /invite/<token>
 * path is handled the same way. Returns null when there is no usable token.
 * Does nothing outside the invite screen's paths.
 */
export function takeInvitationToken(): string | null {
  const { pathname, hash } = window.location;
  if (matchRoute(pathname).name !== 'invite') return null;
  const raw = hash.replace(/^#/, '');
  const token = raw ? decode(raw) : legacyInviteToken(pathname);
  if (raw || pathname !== INVITE_PATH) {
    window.history.replaceState(window.history.state, '', INVITE_PATH);
  }
  const trimmed = token?.trim();
  return trimmed ? trimmed : null;
}

/** Only same-site app paths are allowed as a post-sign-in destination. */
export function safeNext(search: string): string {
  const next = new URLSearchParams(search).get('next');
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (SERVER_PREFIXES.some((prefix) => next.startsWith(prefix))) return '/';
  return next;
}

export function signInPath(next: string): string {
  return next && next !== '/' ? `/signin?next=${encodeURIComponent(next)}` : '/signin';
}

// --- navigation -------------------------------------------------------------

type Listener = () => void;
const listeners = new Set<Listener>();

function notify(): void {
  for (const listener of [...listeners]) listener();
}

/**
 * Go to `to`. Every entry this app pushes is marked, so a screen can tell whether
 * the entry before it is its own (then "close" may step back to it: see goBackTo).
 */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = new URL(to, window.location.href);
  const target = url.pathname + url.search + url.hash;
  const current = window.location.pathname + window.location.search + window.location.hash;
  const depth = historyDepth();
  if (options.replace) {
    window.history.replaceState({ parley: depth }, '', target);
  } else if (target !== current) {
    window.history.pushState({ parley: depth + 1 }, '', target);
  }
  notify();
}

function historyDepth(): number {
  const state: unknown = window.history.state;
  const depth = state && typeof state === 'object' ? (state as { parley?: unknown }).parley : undefined;
  return typeof depth === 'number' ? depth : 0;
}

/**
 * Leave the current place for `to`: by stepping back when the entry before this one
 * is this app's own and is `to` (so Back afterwards does not return to what was just
 * closed), else by replacing the current entry. A link opened fresh has no entry of
 * ours behind it, and lands on `to` without leaving the app.
 */
export function goBackTo(to: string, previous: string | null): void {
  if (historyDepth() > 0 && previous === to) {
    window.history.back();
  } else {
    navigate(to, { replace: true });
  }
}

/** Call `listener` after every navigate() and back/forward. Returns an unsubscribe. */
export function onLocationChange(listener: Listener): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

function isServerPath(pathname: string): boolean {
  return SERVER_PREFIXES.some((prefix) => pathname === prefix.slice(0, -1) || pathname.startsWith(prefix));
}

/**
 * Turn plain same-origin <a href> clicks under `root` into pushState
 * navigation. Modified clicks (new tab etc.), downloads, other targets and
 * server-owned paths keep the browser's behaviour.
 */
export function interceptLinks(root: Document | HTMLElement, go: (to: string) => void = navigate): () => void {
  const onClick = (event: Event): void => {
    if (!(event instanceof MouseEvent)) return;
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const start = event.target;
    if (!(start instanceof Element)) return;
    const anchor = start.closest('a');
    if (!anchor || !anchor.hasAttribute('href')) return;
    if (anchor.hasAttribute('download')) return;
    const target = anchor.getAttribute('target');
    if (target && target !== '_self') return;
    if ((anchor.getAttribute('rel') ?? '').split(/\s+/).includes('external')) return;

    const url = new URL(anchor.href, window.location.href);
    if (url.origin !== window.location.origin) return;
    if (isServerPath(url.pathname)) return;
    // In-page anchors such as the skip link keep the browser's behaviour.
    if (url.hash && url.pathname === window.location.pathname && url.search === window.location.search) return;

    event.preventDefault();
    go(url.pathname + url.search + url.hash);
  };
  root.addEventListener('click', onClick);
  return () => root.removeEventListener('click', onClick);
}
