import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ApiError,
  createInvitation,
  createMediation,
  getMediation,
  getSession,
  isSignedOutError,
  login,
  parseErrorBody,
  previewInvitation,
  redeemInvitation,
  revokeInvitation,
  shareDocument,
} from '../src/lib/api';

type FetchMock = ReturnType<typeof vi.fn<typeof fetch>>;

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

function setCookie(value: string): void {
  document.cookie = `csrftoken=${value}; path=/`;
}

function clearCookie(): void {
  document.cookie = 'csrftoken=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT';
}

function headersOf(call: Parameters<typeof fetch>): Record<string, string> {
  return (call[1]?.headers ?? {}) as Record<string, string>;
}

let fetchMock: FetchMock;

beforeEach(() => {
  fetchMock = vi.fn<typeof fetch>();
  vi.stubGlobal('fetch', fetchMock);
  clearCookie();
});

afterEach(() => {
  vi.unstubAllGlobals();
  clearCookie();
});

describe('requests', () => {
  it('sends the csrftoken cookie as X-CSRFToken on POST, with JSON and same-origin credentials', async () => {
    setCookie('token-one');
    fetchMock.mockResolvedValueOnce(json(200, { user: { id: 1, email: 'a@b.c' } }));

    await login('a@b.c', 'secret');

    expect(fetchMock).toHaveBeenCalledTimes(1);
    const call = fetchMock.mock.calls[0]!;
    expect(call[0]).toBe('/api/auth/login/');
    expect(call[1]?.method).toBe('POST');
    expect(call[1]?.credentials).toBe('same-origin');
    expect(headersOf(call)['X-CSRFToken']).toBe('token-one');
    expect(headersOf(call)['Content-Type']).toBe('application/json');
    expect(JSON.parse(String(call[1]?.body))).toEqual({ email: 'a@b.c', password: 'secret' });
  });

  it('reads the cookie again for every request, so a rotated token is used', async () => {
    setCookie('before-redeem');
    fetchMock.mockImplementationOnce(async () => {
      setCookie('after-redeem'); // the server rotates it on sign-in
      return json(200, { user: { id: 2 }, mediation: { id: 'm', title: 'T' } });
    });
    fetchMock.mockResolvedValueOnce(json(200, { id: 7, status: 'revoked' }));

    await redeemInvitation('tok');
    await revokeInvitation('m', 7);

    expect(fetchMock.mock.calls[0]![0]).toBe('/api/invitations/redeem/');
    expect(headersOf(fetchMock.mock.calls[0]!)['X-CSRFToken']).toBe('before-redeem');
    expect(headersOf(fetchMock.mock.calls[1]!)['X-CSRFToken']).toBe('after-redeem');
    expect(fetchMock.mock.calls[1]![0]).toBe('/api/mediations/m/invitations/7/revoke/');
  });

  it('fetches the session first when a POST finds no csrftoken cookie', async () => {
    fetchMock.mockImplementationOnce(async () => {
      setCookie('fresh');
      return json(200, { user: null });
    });
    fetchMock.mockResolvedValueOnce(json(201, { id: 'm', title: 'T', sides: [] }));

    await createMediation('T', ['A', 'B']);

    expect(fetchMock.mock.calls[0]![0]).toBe('/api/auth/session/');
    expect(fetchMock.mock.calls[1]![0]).toBe('/api/mediations/');
    expect(headersOf(fetchMock.mock.calls[1]!)['X-CSRFToken']).toBe('fresh');
  });

  it('sends no CSRF header on GET and returns the parsed body', async () => {
    setCookie('x');
    fetchMock.mockResolvedValueOnce(json(200, { user: null }));
    await expect(getSession()).resolves.toBeNull();
    const call = fetchMock.mock.calls[0]!;
    expect(call[1]?.method).toBe('GET');
    expect(headersOf(call)['X-CSRFToken']).toBeUndefined();
  });

  it('escapes path segments taken from the URL', async () => {
    fetchMock.mockResolvedValueOnce(json(200, {}));
    await getMediation('a/b?c');
    expect(fetchMock.mock.calls[0]![0]).toBe('/api/mediations/a%2Fb%3Fc/');
  });

  it('previews an invitation with a POST that carries the token in the body, not the URL', async () => {
    setCookie('csrf-1');
    fetchMock.mockResolvedValueOnce(json(200, { email: 'a@b.c' }));

    await previewInvitation('abc:1tZ:xyz/?');

    expect(fetchMock).toHaveBeenCalledTimes(1);
    const call = fetchMock.mock.calls[0]!;
    expect(call[0]).toBe('/api/invitations/preview/');
    expect(call[1]?.method).toBe('POST');
    expect(headersOf(call)['X-CSRFToken']).toBe('csrf-1');
    expect(headersOf(call)['Content-Type']).toBe('application/json');
    expect(JSON.parse(String(call[1]?.body))).toEqual({ token: 'abc:1tZ:xyz/?' });
  });

  it('redeems an invitation with the token in the body, not the URL', async () => {
    setCookie('csrf-2');
    fetchMock.mockResolvedValueOnce(json(200, { user: { id: 2 }, mediation: { id: 'm', title: 'T' } }));

    await redeemInvitation('secret-tok');

    const call = fetchMock.mock.calls[0]!;
    expect(call[0]).toBe('/api/invitations/redeem/');
    expect(call[0]).not.toContain('secret-tok');
    expect(call[1]?.method).toBe('POST');
    expect(headersOf(call)['X-CSRFToken']).toBe('csrf-2');
    expect(JSON.parse(String(call[1]?.body))).toEqual({ token: 'secret-tok' });
  });

  it('returns undefined for 204', async () => {
    setCookie('x');
    fetchMock.mockResolvedValueOnce(new Response(null, { status: 204 }));
    await expect(createInvitation('m', { email: 'e@x.y', role: 'observer', side: null })).resolves.toBeUndefined();
  });
});

describe('errors', () => {
  it('throws an ApiError with detail and code from the body', async () => {
    setCookie('x');
    fetchMock.mockResolvedValueOnce(
      json(410, { code: 'invitation_expired', detail: 'This invitation expired on 1 May.' }),
    );
    const error = await previewInvitation('tok').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 410,
      code: 'invitation_expired',
      detail: 'This invitation expired on 1 May.',
      fields: {},
    });
  });

  it('turns DRF field errors, including nested list errors, into dotted fields', async () => {
    setCookie('x');
    fetchMock.mockResolvedValueOnce(
      json(400, {
        title: ['This field is required.'],
        sides: { '1': ['Side names must be different.'] },
        members: [{}, { email: ['Enter a valid email address.'] }],
      }),
    );
    const error = (await createMediation('', ['A', 'A']).catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(400);
    expect(error.code).toBe('invalid');
    expect(error.fields).toEqual({
      title: ['This field is required.'],
      'sides.1': ['Side names must be different.'],
      'members.1.email': ['Enter a valid email address.'],
    });
    expect(error.detail).toBe('Please correct the highlighted fields.');
    expect(error.field('title')).toEqual(['This field is required.']);
    expect(error.field('nothing')).toEqual([]);
  });

  it('uses non_field_errors as the detail', () => {
    const error = parseErrorBody(400, { non_field_errors: ['Passwords do not match.'] });
    expect(error.detail).toBe('Passwords do not match.');
    expect(error.fields).toEqual({});
  });

  it('shows the rate limit message', async () => {
    setCookie('x');
    fetchMock.mockResolvedValueOnce(
      json(429, {
        detail: 'Too many sign-in attempts. Try again in 5 minutes.',
        code: 'rate_limited',
      }),
    );
    await expect(login('a@b.c', 'x')).rejects.toMatchObject({
      status: 429,
      code: 'rate_limited',
      detail: 'Too many sign-in attempts. Try again in 5 minutes.',
    });
  });

  it('gives a readable message for a non-JSON server error', async () => {
    fetchMock.mockResolvedValueOnce(new Response('<h1>Server Error</h1>', { status: 500 }));
    const error = (await getSession().catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(500);
    expect(error.code).toBe('server_error');
    expect(error.detail).toMatch(/went wrong/);
  });

  it('reports a network failure as status 0', async () => {
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    await expect(getSession()).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });

  it('recognises signed-out answers', () => {
    expect(isSignedOutError(parseErrorBody(401, {}))).toBe(true);
    expect(isSignedOutError(parseErrorBody(403, { code: 'not_authenticated', detail: 'x' }))).toBe(true);
    expect(isSignedOutError(parseErrorBody(403, { code: 'permission_denied', detail: 'x' }))).toBe(false);
    expect(isSignedOutError(new Error('x'))).toBe(false);
  });
});

describe('shareDocument', () => {
  const file = new File(['%PDF-1.4'], 'deed.pdf', { type: 'application/pdf' });

  it('sends an Idempotency-Key, a new one for each upload', async () => {
    setCookie('token-one');
    fetchMock.mockImplementation(() => Promise.resolve(json(201, { id: 1 })));
    await shareDocument('m-1', file, 'joint', 7);
    await shareDocument('m-1', file, 'joint', 7);
    const [first, second] = fetchMock.mock.calls.map((call) => headersOf(call)['Idempotency-Key']);
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(second).not.toBe(first);
  });

  it('sends again with the same key when the answer was lost', async () => {
    setCookie('token-one');
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch')).mockResolvedValueOnce(json(201, { id: 4 }));
    await expect(shareDocument('m-1', file, 'joint', null)).resolves.toEqual({ id: 4 });
    const keys = fetchMock.mock.calls.map((call) => headersOf(call)['Idempotency-Key']);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
  });

  it('gives up as a network failure after three tries', async () => {
    setCookie('token-one');
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));
    await expect(shareDocument('m-1', file, 'joint', null)).rejects.toMatchObject({ status: 0, code: 'network_error' });
    expect(fetchMock).toHaveBeenCalledTimes(3);
  });
});
