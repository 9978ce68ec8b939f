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

  if (parts.length === 2 && first === 'mediations' && second && UUID.test(second)) {
    return { name: 'mediation', id: second.toLowerCase() };
  }

  return { name: 'not-found' };
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

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = new URL(to, window.location.href);
  const target = url.pathname + url.search + url.hash;
  const current = window.location.pathname + window.location.search + window.location.hash;
  if (options.replace) {
    window.history.replaceState(null, '', target);
  } else if (target !== current) {
    window.history.pushState(null, '', target);
  }
  notify();
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
