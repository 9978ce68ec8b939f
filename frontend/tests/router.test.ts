import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  goBackTo,
  interceptLinks,
  matchRoute,
  mediationPath,
  mediationPlace,
  navigate,
  needsSignIn,
  onLocationChange,
  routeKey,
  safeNext,
  signInPath,
  takeInvitationToken,
} from '../src/lib/router';

const UUID = '3f2b8c1e-9d4a-4b6f-8e2a-1c5d7f9a0b12';

describe('matchRoute', () => {
  it('matches the notification settings, behind sign-in', () => {
    expect(matchRoute('/settings/notifications')).toEqual({ name: 'notice-settings' });
    expect(matchRoute('/settings')).toEqual({ name: 'not-found' });
    expect(needsSignIn({ name: 'notice-settings' })).toBe(true);
  });

  it('matches the home and sign-in screens', () => {
    expect(matchRoute('/')).toEqual({ name: 'home' });
    expect(matchRoute('/signin')).toEqual({ name: 'signin' });
    expect(matchRoute('/signin/')).toEqual({ name: 'signin' });
  });

  it('matches the invitation screen, whose token is in the fragment and not the path', () => {
    expect(matchRoute('/invite')).toEqual({ name: 'invite' });
    expect(matchRoute('/invite/')).toEqual({ name: 'invite' });
  });

  it('still opens the invitation screen for a legacy /invite/<token> link', () => {
    expect(matchRoute('/invite/abc_DEF-123')).toEqual({ name: 'invite' });
    expect(matchRoute('/invite/abc:1tZ:xyz/')).toEqual({ name: 'invite' });
  });

  it('does not match an invitation path with extra segments', () => {
    expect(matchRoute('/invite/abc/redeem')).toEqual({ name: 'not-found' });
    expect(matchRoute('/invitex')).toEqual({ name: 'not-found' });
  });

  it('matches a mediation by uuid', () => {
    expect(matchRoute(`/mediations/${UUID}`)).toEqual({ name: 'mediation', id: UUID });
    expect(matchRoute(`/mediations/${UUID.toUpperCase()}/`)).toEqual({ name: 'mediation', id: UUID });
  });

  it('treats a mediation path without a uuid as unknown', () => {
    expect(matchRoute('/mediations/42')).toEqual({ name: 'not-found' });
    expect(matchRoute('/mediations')).toEqual({ name: 'not-found' });
  });

  it('answers not-found for unknown paths', () => {
    expect(matchRoute('/nope')).toEqual({ name: 'not-found' });
    expect(matchRoute('/signin/extra')).toEqual({ name: 'not-found' });
    expect(matchRoute('/invite/%E0%A4%A')).toEqual({ name: 'not-found' });
  });

  it('knows which screens need sign-in', () => {
    expect(needsSignIn(matchRoute('/'))).toBe(true);
    expect(needsSignIn(matchRoute(`/mediations/${UUID}`))).toBe(true);
    expect(needsSignIn(matchRoute('/invite'))).toBe(false);
    expect(needsSignIn(matchRoute('/signin'))).toBe(false);
  });
});

describe('routeKey', () => {
  it('keys the screen by name, and a mediation by its id', () => {
    expect(routeKey(matchRoute('/invite'))).toBe('invite');
    expect(routeKey(matchRoute('/invite/abc'))).toBe('invite');
    expect(routeKey(matchRoute(`/mediations/${UUID}`))).toBe(`mediation:${UUID}`);
    expect(routeKey(matchRoute('/signin'))).toBe('signin');
  });
});

describe('takeInvitationToken', () => {
  beforeEach(() => window.history.replaceState(null, '', '/'));

  it('returns the decoded fragment and replaces the address with /invite', () => {
    window.history.replaceState({ keep: 1 }, '', '/invite#abc%3A1tZ%3Axyz');
    const entries = window.history.length;
    expect(takeInvitationToken()).toBe('abc:1tZ:xyz');
    expect(window.location.pathname).toBe('/invite');
    expect(window.location.hash).toBe('');
    expect(window.location.href).not.toContain('xyz');
    expect(window.history.length).toBe(entries);
    expect(window.history.state).toEqual({ keep: 1 });
  });

  it('takes a legacy path token and drops a trailing slash or query', () => {
    window.history.replaceState(null, '', '/invite/legacy-tok/');
    expect(takeInvitationToken()).toBe('legacy-tok');
    expect(window.location.pathname).toBe('/invite');

    window.history.replaceState(null, '', '/invite/?utm=mail#tok');
    expect(takeInvitationToken()).toBe('tok');
    expect(window.location.pathname + window.location.search + window.location.hash).toBe('/invite');
  });

  it('prefers the fragment over a legacy path', () => {
    window.history.replaceState(null, '', '/invite/old#new');
    expect(takeInvitationToken()).toBe('new');
    expect(window.location.pathname).toBe('/invite');
  });

  it('returns null, and still clears the address, for an empty or malformed fragment', () => {
    for (const url of ['/invite', '/invite#', '/invite#%20', '/invite#%E0%A4%A']) {
      window.history.replaceState(null, '', url);
      expect(takeInvitationToken()).toBeNull();
      expect(window.location.pathname + window.location.hash).toBe('/invite');
    }
  });

  it('leaves other screens alone', () => {
    window.history.replaceState(null, '', '/signin#main');
    expect(takeInvitationToken()).toBeNull();
    expect(window.location.pathname + window.location.hash).toBe('/signin#main');
  });
});

describe('safeNext and signInPath', () => {
  it('keeps local app paths and refuses others', () => {
    expect(safeNext(`?next=${encodeURIComponent(`/mediations/${UUID}`)}`)).toBe(`/mediations/${UUID}`);
    expect(safeNext('?next=//evil.example')).toBe('/');
    expect(safeNext('?next=https://evil.example/')).toBe('/');
    expect(safeNext('?next=/api/auth/logout/')).toBe('/');
    expect(safeNext('')).toBe('/');
  });

  it('round-trips through signInPath', () => {
    const path = signInPath(`/mediations/${UUID}`);
    expect(path).toBe(`/signin?next=%2Fmediations%2F${UUID}`);
    expect(safeNext(path.slice(path.indexOf('?')))).toBe(`/mediations/${UUID}`);
    expect(signInPath('/')).toBe('/signin');
  });
});

describe('navigation', () => {
  let stop: () => void = () => undefined;

  beforeEach(() => {
    window.history.replaceState(null, '', '/');
    document.body.innerHTML = '';
  });

  afterEach(() => stop());

  it('pushes history entries and tells listeners', () => {
    const listener = vi.fn();
    stop = onLocationChange(listener);
    const before = window.history.length;
    navigate('/signin');
    expect(window.location.pathname).toBe('/signin');
    expect(window.history.length).toBe(before + 1);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('replaces the entry when asked', () => {
    const before = window.history.length;
    navigate('/signin', { replace: true });
    expect(window.location.pathname).toBe('/signin');
    expect(window.history.length).toBe(before);
  });

  function clickLink(href: string, init: MouseEventInit = {}, attrs: Record<string, string> = {}): MouseEvent {
    const link = document.createElement('a');
    link.href = href;
    link.textContent = 'go';
    for (const [key, value] of Object.entries(attrs)) link.setAttribute(key, value);
    document.body.append(link);
    const event = new MouseEvent('click', { bubbles: true, cancelable: true, button: 0, ...init });
    link.dispatchEvent(event);
    return event;
  }

  it('intercepts plain clicks on app links', () => {
    const go = vi.fn();
    stop = interceptLinks(document, go);
    const event = clickLink(`/mediations/${UUID}`);
    expect(event.defaultPrevented).toBe(true);
    expect(go).toHaveBeenCalledWith(`/mediations/${UUID}`);
  });

  it('leaves modified clicks, other targets, server paths and other origins alone', () => {
    const go = vi.fn();
    stop = interceptLinks(document, go);
    // Keep jsdom from attempting a real navigation for the links we let through.
    const swallow = (event: Event): void => event.preventDefault();
    document.addEventListener('click', swallow);
    try {
      clickLink('/signin', { ctrlKey: true });
      clickLink('/signin', {}, { target: '_blank' });
      clickLink('/signin', {}, { download: '' });
      clickLink('/admin/');
      clickLink('/api/auth/session/');
      clickLink('https://example.org/elsewhere');
      clickLink('#main');
    } finally {
      document.removeEventListener('click', swallow);
    }
    expect(go).not.toHaveBeenCalled();
  });
});

describe('places in a mediation', () => {
  it('reads the tab, the open issue and the private room from the address', () => {
    expect(mediationPlace(`/mediations/${UUID}`)).toEqual({ tab: 'board', issue: null, room: null });
    expect(mediationPlace(`/mediations/${UUID}/issues/12`)).toEqual({ tab: 'board', issue: 12, room: null });
    expect(mediationPlace(`/mediations/${UUID}/private`)).toEqual({ tab: 'private', issue: null, room: null });
    expect(mediationPlace(`/mediations/${UUID}/private/3/`)).toEqual({ tab: 'private', issue: null, room: 'caucus:3' });
    expect(mediationPlace(`/mediations/${UUID}/people`)).toEqual({ tab: 'people', issue: null, room: null });
  });

  it('keeps one screen for every place of a mediation, and refuses addresses that name none', () => {
    expect(matchRoute(`/mediations/${UUID}/issues/12`)).toEqual({ name: 'mediation', id: UUID });
    expect(routeKey(matchRoute(`/mediations/${UUID}/private/3`))).toBe(`mediation:${UUID}`);
    for (const bad of ['issues', 'issues/0', 'issues/x', 'private/x', 'board', 'people/2', 'Private', 'a/b/c']) {
      expect(matchRoute(`/mediations/${UUID}/${bad}`)).toEqual({ name: 'not-found' });
    }
  });

  it('writes the address of a place as it reads it', () => {
    const places = [
      { tab: 'board', issue: null, room: null },
      { tab: 'board', issue: 7, room: null },
      { tab: 'private', issue: null, room: 'caucus:4' },
      { tab: 'private', issue: null, room: null },
      { tab: 'balance', issue: null, room: null },
    ];
    for (const place of places) expect(mediationPlace(mediationPath(UUID, place))).toEqual(place);
  });
});

describe('goBackTo', () => {
  beforeEach(() => window.history.replaceState(null, '', '/'));

  it('steps back to the entry this app pushed, so Back does not reopen what was closed', () => {
    navigate(`/mediations/${UUID}`);
    navigate(`/mediations/${UUID}/issues/3`);
    const back = vi.spyOn(window.history, 'back').mockImplementation(() => undefined);
    goBackTo(`/mediations/${UUID}`, `/mediations/${UUID}`);
    expect(back).toHaveBeenCalledOnce();
    back.mockRestore();
  });

  it('replaces the entry when the place was opened from a link, staying in the app', () => {
    window.history.replaceState(null, '', `/mediations/${UUID}/issues/3`);
    const back = vi.spyOn(window.history, 'back');
    const length = window.history.length;
    goBackTo(`/mediations/${UUID}`, null);
    expect(back).not.toHaveBeenCalled();
    expect(window.location.pathname).toBe(`/mediations/${UUID}`);
    expect(window.history.length).toBe(length);
    back.mockRestore();
  });
});
