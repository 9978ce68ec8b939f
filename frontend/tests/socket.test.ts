import { get } from 'svelte/store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { applyFrame, emptyBoard, type BoardState } from '../src/lib/board';
import { applyCaucusFrame, emptyCaucus, type CaucusState } from '../src/lib/caucus';
import { FakeSocket } from './fakeSocket';
import { accessProbe } from '../src/lib/api';
import { backoffDelay, CommandError, MediationSocket, newCommandId, socketUrl, type SocketOptions } from '../src/lib/socket';

const MEDIATION = '3f2b8c1e-9d4a-4b6f-8e2a-1c5d7f9a0b12';

const SAM = { id: 2, name: 'Sam', role: 'party', side: { id: 4, name: 'Sam' } };
const SAM_ROOMS = { joint: 0, 'caucus:4': 0 };

class MemoryStorage implements Storage {
  private items = new Map<string, string>();
  get length(): number {
    return this.items.size;
  }
  clear(): void {
    this.items.clear();
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

let storage: MemoryStorage;
let ids: number;
let board: BoardState;
let sockets: MediationSocket[];

function create(options: Partial<SocketOptions> = {}): MediationSocket {
  const socket = new MediationSocket({
    mediationId: MEDIATION,
    url: 'ws://test/ws/',
    WebSocket: FakeSocket as unknown as new (url: string) => WebSocket,
    storage,
    random: () => 1,
    uuid: () => `cmd-${++ids}`,
    probe: () => Promise.resolve('ok'),
    rooms: {
      joint: {
        seq: () => board.seq,
        apply: (frame) => {
          const { state, outcome } = applyFrame(board, frame);
          board = state;
          return outcome;
        },
      },
    },
    ...options,
  });
  sockets.push(socket);
  socket.start();
  return socket;
}

const stored = (): unknown => JSON.parse(storage.getItem(`parley:pending:${MEDIATION}`) ?? 'null');

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.all = [];
  storage = new MemoryStorage();
  ids = 0;
  board = emptyBoard();
  sockets = [];
});

afterEach(() => {
  for (const socket of sockets) socket.stop();
  vi.useRealTimers();
});

describe('connecting', () => {
  it('waits for hello, then syncs every room from its last applied seq', () => {
    board = { ...emptyBoard(), seq: 7 };
    const socket = create();
    expect(get(socket.connection).status).toBe('connecting');
    FakeSocket.last.open();
    expect(FakeSocket.last.sent).toEqual([]);

    FakeSocket.last.receive({ type: 'hello', participant: { id: 2, name: 'Sam', role: 'party', side: null }, rooms: { joint: 9, 'caucus:4': 3 } });
    expect(FakeSocket.last.frames('sync')).toEqual([{ type: 'sync', rooms: { joint: 7, 'caucus:4': 0 } }]);
    expect(get(socket.connection).status).toBe('online');
    expect(get(socket.me)?.name).toBe('Sam');
  });

  it('builds the socket address from the page', () => {
    expect(socketUrl(MEDIATION, { protocol: 'https:', host: 'parley.example' } as Location)).toBe(
      `wss://parley.example/ws/mediations/${MEDIATION}/`,
    );
    expect(socketUrl('x', { protocol: 'http:', host: '127.0.0.1:8000' } as Location)).toBe('ws://127.0.0.1:8000/ws/mediations/x/');
  });

  it('makes UUIDs for command ids', () => {
    expect(newCommandId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newCommandId()).not.toBe(newCommandId());
  });

  it('syncs a room again on a gap, once until the answer comes', () => {
    create();
    FakeSocket.last.hello(SAM, SAM_ROOMS);
    FakeSocket.last.receive({ type: 'synced', rooms: { joint: 0, 'caucus:4': 0 } });
    FakeSocket.last.receive({ type: 'event', room: 'joint', seq: 3, name: 'x', data: {} });
    FakeSocket.last.receive({ type: 'event', room: 'joint', seq: 4, name: 'x', data: {} });
    expect(FakeSocket.last.frames('sync').slice(1)).toEqual([{ type: 'sync', rooms: { joint: 0 } }]);
    // the replay fills the gap, then live events go on
    for (const seq of [1, 2, 3]) FakeSocket.last.receive({ type: 'event', room: 'joint', seq, name: 'x', data: {} });
    FakeSocket.last.receive({ type: 'synced', rooms: { joint: 3 } });
    FakeSocket.last.receive({ type: 'event', room: 'joint', seq: 4, name: 'x', data: {} });
    expect(board.seq).toBe(4);
    // rooms nobody keeps state for are followed by seq too
    FakeSocket.last.receive({ type: 'event', room: 'caucus:4', seq: 2, name: 'x', data: {} });
    expect(FakeSocket.last.frames('sync').slice(-1)[0]).toEqual({ type: 'sync', rooms: { 'caucus:4': 0 } });
  });
});

describe('commands', () => {
  it('sends a command with a UUID and resolves with the ack’s result', async () => {
    const onResult = vi.fn();
    const socket = create({ onResult });
    FakeSocket.last.hello(SAM, SAM_ROOMS);
    const promise = socket.command('issue.create', { title: 'House' });
    expect(FakeSocket.last.frames('command')).toEqual([{ type: 'command', id: 'cmd-1', name: 'issue.create', data: { title: 'House' } }]);
    expect(get(socket.connection).pending).toBe(1);

    FakeSocket.last.receive({ type: 'ack', id: 'cmd-1', result: { id: 9, title: 'House' } });
    await expect(promise).resolves.toEqual({ id: 9, title: 'House' });
    expect(onResult).toHaveBeenCalledWith({ id: 'cmd-1', name: 'issue.create', data: { title: 'House' } }, { id: 9, title: 'House' });
    expect(get(socket.connection).pending).toBe(0);
    expect(get(socket.pending)).toEqual([]);
    expect(stored()).toBeNull();
  });

  it('rejects with a structured error on error', async () => {
    const socket = create();
    FakeSocket.last.hello(SAM, SAM_ROOMS);
    const promise = socket.command('issue.update', { issue: 1, version: 1, title: 'X' });
    FakeSocket.last.receive({
      type: 'error',
      id: 'cmd-1',
      code: 'conflict',
      message: 'Someone changed this.',
      details: { current: { id: 1, title: 'Y', version: 2 } },
    });
    const error = (await promise.catch((e: unknown) => e)) as CommandError;
    expect(error).toBeInstanceOf(CommandError);
    expect(error).toMatchObject({ code: 'conflict', message: 'Someone changed this.', details: { current: { title: 'Y' } } });
    expect(get(socket.pending)).toEqual([]);
  });

  it('gives invalid fields by name', () => {
    const error = new CommandError('invalid', 'Fix it', { title: ['Enter the title.'] });
    expect(error.field('title')).toEqual(['Enter the title.']);
    expect(error.field('other')).toEqual([]);
  });

  it('keeps commands made offline in sessionStorage and sends them once online', () => {
    const socket = create();
    void socket.command('option.add', { issue: 1, text: 'Lease' });
    expect(FakeSocket.last.sent).toEqual([]);
    expect(stored()).toEqual([{ id: 'cmd-1', name: 'option.add', data: { issue: 1, text: 'Lease' } }]);
    expect(get(socket.connection)).toMatchObject({ status: 'connecting', pending: 1 });

    FakeSocket.last.hello(SAM, SAM_ROOMS);
    expect(FakeSocket.last.sent.map((f) => f.type)).toEqual(['sync', 'command']);
  });

  it('sends an unanswered command again with the same id after every reconnect, and settles it once', async () => {
    const socket = create();
    FakeSocket.last.hello(SAM, SAM_ROOMS);
    const promise = socket.command('issue.move', { issue: 1, version: 1, lane: 'parked' });
    expect(FakeSocket.last.frames('command')[0]?.id).toBe('cmd-1');

    FakeSocket.last.drop();
    expect(get(socket.connection).status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(500);
    FakeSocket.last.drop(); // the server is still down
    await vi.advanceTimersByTimeAsync(1000);
    FakeSocket.last.hello(SAM, SAM_ROOMS);
    expect(FakeSocket.all).toHaveLength(3);
    expect(FakeSocket.last.frames('command')).toEqual([
      { type: 'command', id: 'cmd-1', name: 'issue.move', data: { issue: 1, version: 1, lane: 'parked' } },
    ]);

    const settled = vi.fn();
    promise.then(settled, settled);
    FakeSocket.last.receive({ type: 'ack', id: 'cmd-1', result: { id: 1, version: 2 } });
    FakeSocket.last.receive({ type: 'ack', id: 'cmd-1', result: { id: 1, version: 2 } }); // a late repeat
    await Promise.resolve();
    expect(settled).toHaveBeenCalledTimes(1);
    expect(stored()).toBeNull();
  });

  it('picks up the queue a reload left behind and reports what happened to it', () => {
    storage.setItem(
      `parley:pending:${MEDIATION}`,
      JSON.stringify([
        { id: 'old-1', name: 'issue.update', data: { issue: 1, version: 1, title: 'Mine' } },
        { id: 'old-2', name: 'comment.add', data: { issue: 1, body: 'Hi' } },
        { nonsense: true },
      ]),
    );
    const onResult = vi.fn();
    const onOrphanError = vi.fn();
    const socket = create({ onResult, onOrphanError });
    expect(get(socket.connection).pending).toBe(2);
    FakeSocket.last.hello(SAM, SAM_ROOMS);
    expect(FakeSocket.last.frames('command').map((f) => f.id)).toEqual(['old-1', 'old-2']);

    FakeSocket.last.receive({ type: 'error', id: 'old-1', code: 'conflict', message: 'Changed', details: { current: { title: 'Theirs' } } });
    FakeSocket.last.receive({ type: 'ack', id: 'old-2', result: { id: 5 } });
    expect(onOrphanError).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'old-1' }),
      expect.objectContaining({ code: 'conflict' }),
    );
    expect(onResult).toHaveBeenCalledWith(expect.objectContaining({ id: 'old-2' }), { id: 5 });
    expect(stored()).toBeNull();
  });

  it('keeps at most 16 commands on the wire, sending more as answers come', () => {
    const socket = create();
    FakeSocket.last.hello(SAM, SAM_ROOMS);
    for (let i = 0; i < 20; i++) void socket.command('comment.add', { issue: 1, body: `c${i}` });
    expect(FakeSocket.last.frames('command')).toHaveLength(16);
    FakeSocket.last.receive({ type: 'ack', id: 'cmd-1', result: {} });
    expect(FakeSocket.last.frames('command')).toHaveLength(17);
  });

  it('sends everything unanswered again after a rate-limit error, which carries no id', async () => {
    const socket = create();
    FakeSocket.last.hello(SAM, SAM_ROOMS);
    void socket.command('comment.add', { issue: 1, body: 'a' });
    FakeSocket.last.receive({ type: 'error', id: null, code: 'rate_limited', message: 'Slow down' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeSocket.last.frames('command').map((f) => f.id)).toEqual(['cmd-1', 'cmd-1']);
  });

  it('keeps a rate-limited command queued, in its place, and sends it again after a pause', async () => {
    const socket = create();
    FakeSocket.last.hello(SAM, SAM_ROOMS);
    const first = socket.command('option.add', { issue: 1, text: 'a' });
    const refused = socket.command('option.add', { issue: 1, text: 'b' });
    void socket.command('option.add', { issue: 1, text: 'c' });
    const settled = vi.fn();
    refused.then(settled, settled);
    FakeSocket.last.receive({ type: 'ack', id: 'cmd-1', result: { id: 1 } });
    FakeSocket.last.receive({ type: 'error', id: 'cmd-2', code: 'rate_limited', message: 'Too many messages; slow down.' });
    FakeSocket.last.receive({ type: 'error', id: 'cmd-3', code: 'rate_limited', message: 'Too many messages; slow down.' });
    await expect(first).resolves.toEqual({ id: 1 });
    await Promise.resolve();
    expect(settled).not.toHaveBeenCalled();
    expect(get(socket.connection).pending).toBe(2);
    expect((stored() as { id: string }[]).map((c) => c.id)).toEqual(['cmd-2', 'cmd-3']);

    // Nothing goes during the pause, not even a command made meanwhile; then all, in order.
    void socket.command('option.add', { issue: 1, text: 'd' });
    const sent = () => FakeSocket.last.frames('command').map((f) => f.id);
    expect(sent()).toEqual(['cmd-1', 'cmd-2', 'cmd-3']);
    await vi.advanceTimersByTimeAsync(999);
    expect(sent()).toEqual(['cmd-1', 'cmd-2', 'cmd-3']);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent()).toEqual(['cmd-1', 'cmd-2', 'cmd-3', 'cmd-2', 'cmd-3', 'cmd-4']);

    FakeSocket.last.receive({ type: 'ack', id: 'cmd-2', result: { id: 2 } });
    await expect(refused).resolves.toEqual({ id: 2 });
  });

  it('keeps an edit refused for a break queued until the break ends, then sends it again', async () => {
    const socket = create();
    FakeSocket.last.hello(SAM, SAM_ROOMS);
    const edit = socket.command('option.add', { issue: 1, text: 'Sell' });
    const settled = vi.fn();
    edit.then(settled, settled);
    FakeSocket.last.receive({ type: 'error', id: 'cmd-1', code: 'on_break', message: 'The mediator has called a break.' });
    const asked = socket.command('break.request', {});
    await vi.advanceTimersByTimeAsync(5_000);
    expect(settled).not.toHaveBeenCalled();
    expect(get(socket.connection).pending).toBe(2);
    // What is not held goes on meanwhile; the held edit waits.
    const sent = () => FakeSocket.last.frames('command').map((f) => f.id);
    expect(sent()).toEqual(['cmd-1', 'cmd-2']);
    FakeSocket.last.receive({ type: 'ack', id: 'cmd-2', result: {} });
    await asked;
    expect(socket.heldCount).toBe(1);
    socket.releaseHeld();
    expect(sent()).toEqual(['cmd-1', 'cmd-2', 'cmd-1']);
    FakeSocket.last.receive({ type: 'ack', id: 'cmd-1', result: { id: 5 } });
    await expect(edit).resolves.toEqual({ id: 5 });
  });

  it('waits as long as the server says before sending a rate-limited command again', async () => {
    const socket = create();
    FakeSocket.last.hello(SAM, SAM_ROOMS);
    void socket.command('comment.add', { issue: 1, body: 'a' });
    FakeSocket.last.receive({ type: 'error', id: 'cmd-1', code: 'rate_limited', message: 'Slow down', details: { retry_after: 5 } });
    await vi.advanceTimersByTimeAsync(4999);
    expect(FakeSocket.last.frames('command')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.last.frames('command').map((f) => f.id)).toEqual(['cmd-1', 'cmd-1']);
  });

  it('pauses longer while refusals go on, and no longer once one is answered', async () => {
    const socket = create();
    FakeSocket.last.hello(SAM, SAM_ROOMS);
    void socket.command('comment.add', { issue: 1, body: 'a' });
    const refuse = () => FakeSocket.last.receive({ type: 'error', id: 'cmd-1', code: 'rate_limited', message: 'Slow down' });
    const count = () => FakeSocket.last.frames('command').length;
    refuse();
    await vi.advanceTimersByTimeAsync(1000);
    expect(count()).toBe(2);
    refuse();
    await vi.advanceTimersByTimeAsync(1999);
    expect(count()).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(count()).toBe(3);
    FakeSocket.last.receive({ type: 'ack', id: 'cmd-1', result: {} });

    void socket.command('comment.add', { issue: 1, body: 'b' });
    FakeSocket.last.receive({ type: 'error', id: 'cmd-2', code: 'rate_limited', message: 'Slow down' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeSocket.last.frames('command').map((f) => f.id).slice(-2)).toEqual(['cmd-2', 'cmd-2']);
  });

  /** Replay 200 commands queued offline against a server with a token bucket of its own,
   *  which reads what arrived every 5 ms, so frames come to it bunched. */
  async function replay(rate: number, burst: number, step = 5) {
    const socket = create();
    const promises = Array.from({ length: 200 }, (_, i) => socket.command('comment.add', { issue: 1, body: `c${i}` }));
    const server = FakeSocket.last;
    server.hello(SAM, SAM_ROOMS);
    let tokens = burst;
    let at = Date.now();
    let read = 0;
    const done: string[] = [];
    let refusals = 0;
    const started = Date.now();
    while (Date.now() - started < 120_000 && done.length < 200) {
      const now = Date.now();
      tokens = Math.min(burst, tokens + ((now - at) / 1000) * rate);
      at = now;
      for (const frame of server.sent.slice(read)) {
        read += 1;
        if (tokens < 1) {
          refusals += 1;
          server.receive({ type: 'error', id: typeof frame.id === 'string' ? frame.id : null, code: 'rate_limited', message: 'Slow down' });
          continue;
        }
        tokens -= 1;
        if (frame.type === 'ping') server.receive({ type: 'pong' });
        if (frame.type === 'command' && typeof frame.id === 'string') {
          if (!done.includes(frame.id)) done.push(frame.id);
          server.receive({ type: 'ack', id: frame.id, result: {} });
        }
      }
      await vi.advanceTimersByTimeAsync(step);
    }
    expect(FakeSocket.all).toHaveLength(1); // the one connection held all along
    const results = await Promise.all(promises);
    return { refusals, done, results, pending: get(socket.connection).pending, seconds: (Date.now() - started) / 1000 };
  }

  const allIds = Array.from({ length: 200 }, (_, i) => `cmd-${i + 1}`);

  it('replays a long offline queue at a pace the server’s limit allows, in order, each once', async () => {
    // The server's own limit: negotiation/consumers.py, 20 a second, bursts of 60.
    const { refusals, done, results, pending } = await replay(20, 60);
    expect(refusals).toBe(0);
    expect(done).toEqual(allIds);
    expect(results).toHaveLength(200);
    expect(pending).toBe(0);
  });

  it('loses nothing to a server stricter than it paces for', async () => {
    const { refusals, done, results, pending, seconds } = await replay(5, 10, 50);
    expect(refusals).toBeGreaterThan(0);
    expect(done).toEqual(allIds);
    expect(seconds).toBeLessThan(60); // 200 at 5 a second: 40 s at best
    expect(results).toHaveLength(200);
    expect(pending).toBe(0);
  });

  it('refuses at once a command too big for the server to read', async () => {
    const socket = create();
    await expect(socket.command('comment.add', { issue: 1, body: 'x'.repeat(70_000) })).rejects.toMatchObject({ code: 'too_large' });
    expect(get(socket.pending)).toEqual([]);
  });
});

describe('reconnecting', () => {
  it('backs off exponentially with jitter, up to a cap', () => {
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, 500, 8000, () => 1))).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
    expect(backoffDelay(3, 500, 8000, () => 0)).toBe(2000);
  });

  it('says reconnecting, then offline after three failures, and is online again after hello', async () => {
    const socket = create();
    FakeSocket.last.hello(SAM, SAM_ROOMS);
    FakeSocket.last.drop();
    expect(get(socket.connection).status).toBe('reconnecting');
    expect(get(socket.connection).retryAt).not.toBeNull();
    await vi.advanceTimersByTimeAsync(500);
    FakeSocket.last.drop();
    await vi.advanceTimersByTimeAsync(1000);
    FakeSocket.last.drop();
    expect(get(socket.connection).status).toBe('offline');
    await vi.advanceTimersByTimeAsync(1999);
    expect(FakeSocket.all).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.all).toHaveLength(4);
    FakeSocket.last.hello(SAM, SAM_ROOMS);
    expect(get(socket.connection)).toMatchObject({ status: 'online', retryAt: null });
  });

  it('connects at once when asked to', () => {
    const socket = create();
    FakeSocket.last.hello(SAM, SAM_ROOMS);
    FakeSocket.last.drop();
    socket.retryNow();
    expect(FakeSocket.all).toHaveLength(2);
  });

  it('syncs a room the heartbeat says it is behind in (its live events were lost), once', async () => {
    create({ heartbeatMs: 15_000 });
    FakeSocket.last.hello(SAM, SAM_ROOMS);
    FakeSocket.last.receive({ type: 'synced', rooms: { joint: 0, 'caucus:4': 0 } });
    FakeSocket.last.receive({ type: 'event', room: 'joint', seq: 1, name: 'x', data: {} });
    await vi.advanceTimersByTimeAsync(15_000);
    FakeSocket.last.receive({ type: 'pong', rooms: { joint: 3, 'caucus:4': 0 } });
    expect(FakeSocket.last.frames('sync').slice(1)).toEqual([{ type: 'sync', rooms: { joint: 1 } }]);
    // Not again while that sync is answered; a room in step is left alone.
    FakeSocket.last.receive({ type: 'pong', rooms: { joint: 3, 'caucus:4': 0, 'caucus:9': 5 } });
    expect(FakeSocket.last.frames('sync')).toHaveLength(2);
    for (const seq of [2, 3]) FakeSocket.last.receive({ type: 'event', room: 'joint', seq, name: 'x', data: {} });
    FakeSocket.last.receive({ type: 'synced', rooms: { joint: 3 } });
    FakeSocket.last.receive({ type: 'pong', rooms: { joint: 3, 'caucus:4': 0 } });
    expect(FakeSocket.last.frames('sync')).toHaveLength(2);
    expect(board.seq).toBe(3);
  });

  it('keeps a command the server could not store now (database away) and sends it again', async () => {
    const socket = create();
    FakeSocket.last.hello(SAM, SAM_ROOMS);
    const edit = socket.command('option.add', { issue: 1, text: 'Sell' });
    FakeSocket.last.receive({ type: 'error', id: 'cmd-1', code: 'unavailable', message: 'Send it again.', details: { retry_after: 1 } });
    await vi.advanceTimersByTimeAsync(999);
    expect(FakeSocket.last.frames('command').map((f) => f.id)).toEqual(['cmd-1']);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.last.frames('command').map((f) => f.id)).toEqual(['cmd-1', 'cmd-1']);
    FakeSocket.last.receive({ type: 'ack', id: 'cmd-1', result: { id: 5 } });
    await expect(edit).resolves.toEqual({ id: 5 });
  });

  it('treats a missing pong as a dead socket', async () => {
    const socket = create({ heartbeatMs: 15_000, pongTimeoutMs: 10_000 });
    FakeSocket.last.hello(SAM, SAM_ROOMS);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(FakeSocket.last.frames('ping')).toHaveLength(1);
    FakeSocket.last.receive({ type: 'pong' });
    await vi.advanceTimersByTimeAsync(15_000);
    expect(FakeSocket.last.frames('ping')).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeSocket.all[0]?.closedWith).toBe(4000);
    expect(get(socket.connection).status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(500);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it('starts over at once when the device goes offline', async () => {
    const socket = create();
    FakeSocket.last.hello(SAM, SAM_ROOMS);
    window.dispatchEvent(new Event('offline'));
    expect(FakeSocket.all[0]?.closedWith).toBe(4000);
    expect(get(socket.connection).status).not.toBe('online');
    window.dispatchEvent(new Event('online'));
    expect(FakeSocket.all).toHaveLength(2);
  });

  it('gives up on a socket that opens but never says hello', async () => {
    create({ pongTimeoutMs: 10_000 });
    FakeSocket.last.open();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeSocket.all[0]?.closedWith).toBe(4000);
  });
});

describe('presence', () => {
  it('sends what this tab views and edits, throttled, and again after a reconnect', async () => {
    const socket = create({ presenceThrottleMs: 300 });
    FakeSocket.last.hello(SAM, SAM_ROOMS);
    socket.setPresence({ viewing: 1, editing: null });
    socket.setPresence({ viewing: 1, editing: { issue: 1, field: 'title' } });
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.last.frames('presence')).toEqual([{ type: 'presence', room: 'joint', viewing: 1, editing: { issue: 1, field: 'title' } }]);
    socket.setPresence({ viewing: 2, editing: null });
    await vi.advanceTimersByTimeAsync(100);
    expect(FakeSocket.last.frames('presence')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(FakeSocket.last.frames('presence')).toHaveLength(2);

    FakeSocket.last.drop();
    await vi.advanceTimersByTimeAsync(500);
    FakeSocket.last.hello(SAM, SAM_ROOMS);
    await vi.advanceTimersByTimeAsync(300);
    expect(FakeSocket.last.frames('presence')).toEqual([{ type: 'presence', room: 'joint', viewing: 2, editing: null }]);
  });

  it('keeps everyone’s presence by room and connection and forgets those that leave', () => {
    const socket = create();
    FakeSocket.last.hello(SAM, SAM_ROOMS);
    FakeSocket.last.receive({ type: 'presence', room: 'joint', connection: 'a', participant: 1, online: true, viewing: 3, editing: null });
    FakeSocket.last.receive({ type: 'presence', room: 'joint', connection: 'b', participant: 5, online: true, viewing: 3, editing: { issue: 3, field: 'title' } });
    FakeSocket.last.receive({ type: 'presence', room: 'caucus:4', connection: 'a', participant: 1, online: true, viewing: null, editing: null });
    expect([...get(socket.presence).values()]).toEqual([
      { room: 'joint', connection: 'a', participant: 1, viewing: 3, editing: null },
      { room: 'joint', connection: 'b', participant: 5, viewing: 3, editing: { issue: 3, field: 'title' } },
      { room: 'caucus:4', connection: 'a', participant: 1, viewing: null, editing: null },
    ]);
    FakeSocket.last.receive({ type: 'presence', room: 'joint', connection: 'a', participant: 1, online: false });
    expect([...get(socket.presence).keys()]).toEqual(['joint b', 'caucus:4 a']);
    FakeSocket.last.receive({ type: 'revoked', room: 'caucus:4' });
    expect([...get(socket.presence).keys()]).toEqual(['joint b']);
    FakeSocket.last.drop();
    expect(get(socket.presence).size).toBe(0);
  });

  it('takes several presence frames of a room at once, in order, and skips what it cannot read', () => {
    const socket = create();
    FakeSocket.last.hello(SAM, SAM_ROOMS);
    const seen: number[] = [];
    const unsubscribe = socket.presence.subscribe((map) => seen.push(map.size));
    FakeSocket.last.receive({
      type: 'presences',
      room: 'joint',
      entries: [
        { type: 'presence', room: 'joint', connection: 'a', participant: 1, online: true, viewing: 3, editing: null },
        { type: 'presence', room: 'joint', connection: 'b', participant: 5, online: true, viewing: null, editing: null },
        'garbage',
        { type: 'presence', room: 'joint', participant: 7, online: true },
        { type: 'presence', room: 'joint', connection: 'a', participant: 1, online: false },
        { type: 'presence', room: 'joint', connection: 'c', participant: 6, online: true, viewing: 2, editing: null },
      ],
    });
    expect([...get(socket.presence).values()]).toEqual([
      { room: 'joint', connection: 'b', participant: 5, viewing: null, editing: null },
      { room: 'joint', connection: 'c', participant: 6, viewing: 2, editing: null },
    ]);
    // One change of the map for the whole frame, after the first value the store had.
    expect(seen).toEqual([0, 2]);
    FakeSocket.last.receive({ type: 'presences', room: 'joint', entries: 'not a list' });
    FakeSocket.last.receive({ type: 'presences', room: 'joint', entries: [{ type: 'presence', room: 'joint', connection: 'x', participant: 9, online: false }] });
    expect(seen).toEqual([0, 2]);
    unsubscribe();
  });
});

describe('rooms that come and go', () => {
  const message = (id: number, body: string) => ({ id, author: 2, body, confidential: false, created_at: 'T' });

  /** A socket whose caucus rooms are made on demand, as the board session makes them. */
  function withCaucusRooms(): { socket: MediationSocket; caucus: Map<string, CaucusState> } {
    const caucus = new Map<string, CaucusState>();
    const socket = create({
      createRoom: (room) => {
        caucus.set(room, emptyCaucus());
        return {
          seq: () => caucus.get(room)?.seq ?? 0,
          apply: (frame) => {
            const { state, outcome } = applyCaucusFrame(caucus.get(room) ?? emptyCaucus(), frame);
            caucus.set(room, state);
            return outcome;
          },
          drop: () => caucus.delete(room),
        };
      },
    });
    return { socket, caucus };
  }

  it('keeps a caucus room’s state from hello on and drops it the moment access is revoked', () => {
    const { socket, caucus } = withCaucusRooms();
    FakeSocket.last.hello(SAM, { joint: 0, 'caucus:4': 1 });
    expect(get(socket.rooms)).toEqual(['joint', 'caucus:4']);
    FakeSocket.last.receive({ type: 'event', room: 'caucus:4', seq: 1, name: 'caucus_message.posted', data: message(1, 'my bottom line') });
    expect(caucus.get('caucus:4')?.messages[1]?.body).toBe('my bottom line');

    FakeSocket.last.receive({ type: 'revoked', room: 'caucus:4' });
    expect(caucus.has('caucus:4')).toBe(false);
    expect(get(socket.rooms)).toEqual(['joint']);
    // A late frame for the room finds nothing to apply to.
    FakeSocket.last.receive({ type: 'event', room: 'caucus:4', seq: 2, name: 'caucus_message.posted', data: message(2, 'late') });
    expect(caucus.has('caucus:4')).toBe(false);
  });

  it('syncs a room granted later from scratch', () => {
    const { socket, caucus } = withCaucusRooms();
    FakeSocket.last.hello(SAM, { joint: 3 });
    FakeSocket.last.sent = [];
    FakeSocket.last.receive({ type: 'rooms', rooms: { 'caucus:9': 12 } });
    expect(FakeSocket.last.frames('sync')).toEqual([{ type: 'sync', rooms: { 'caucus:9': 0 } }]);
    expect(get(socket.rooms)).toEqual(['joint', 'caucus:9']);
    expect(caucus.get('caucus:9')?.seq).toBe(0);
  });

  it('forgets a room the server no longer names after a reconnect', async () => {
    const { caucus } = withCaucusRooms();
    FakeSocket.last.hello(SAM, { joint: 0, 'caucus:4': 0 });
    expect(caucus.has('caucus:4')).toBe(true);
    FakeSocket.last.drop();
    await vi.advanceTimersByTimeAsync(1000);
    FakeSocket.last.hello(SAM, { joint: 0 });
    expect(caucus.has('caucus:4')).toBe(false);
    expect(FakeSocket.last.frames('sync')).toEqual([{ type: 'sync', rooms: { joint: 0 } }]);
  });

  it('hands notification frames on', () => {
    const notifications: unknown[] = [];
    create({ onNotification: (n) => notifications.push(n) });
    FakeSocket.last.hello(SAM, SAM_ROOMS);
    FakeSocket.last.receive({ type: 'notification', id: 5, kind: 'caucus_called', text: 'The mediator asks to meet you privately.', room: 'caucus:4', created_at: 'T', read_at: null });
    expect(notifications).toEqual([{ id: 5, kind: 'caucus_called', text: 'The mediator asks to meet you privately.', room: 'caucus:4', created_at: 'T', read_at: null }]);
  });
});

describe('closed for good', () => {
  it('stops at close 4403, drops every room and the queue, and never reconnects', async () => {
    const dropped: string[] = [];
    const socket = create({
      createRoom: (room) => ({ seq: () => 0, apply: () => 'applied', drop: () => dropped.push(room) }),
    });
    FakeSocket.last.hello(SAM, { joint: 0, 'caucus:4': 0 });
    const sent = socket.command('caucus_message.post', { side: 4, body: 'hello' });
    FakeSocket.last.drop(4403);
    await expect(sent).rejects.toMatchObject({ code: 'access_ended' });
    expect(get(socket.connection).status).toBe('ended');
    expect(dropped).toEqual(['caucus:4']);
    expect(get(socket.pending)).toEqual([]);
    expect(stored()).toBeNull();
    const count = FakeSocket.all.length;
    socket.retryNow();
    window.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all.length).toBe(count);
  });

  it('stops at close 4401 (signed out) too', async () => {
    const socket = create();
    FakeSocket.last.hello(SAM, SAM_ROOMS);
    FakeSocket.last.drop(4401);
    expect(get(socket.connection).status).toBe('signed-out');
    const count = FakeSocket.all.length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all.length).toBe(count);
  });

  it('reconnects after any other close', async () => {
    create();
    FakeSocket.last.hello(SAM, SAM_ROOMS);
    const count = FakeSocket.all.length;
    FakeSocket.last.drop(1011);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeSocket.all.length).toBeGreaterThan(count);
  });
});

describe('a refused handshake', () => {
  it('asks the REST API and ends when access is gone (removed while away)', async () => {
    const probe = vi.fn(() => Promise.resolve('ended' as const));
    const socket = create({ probe });
    const sent = socket.command('issue.update', { issue: 1, version: 1, title: 'x' });
    FakeSocket.last.drop(1006);
    await expect(sent).rejects.toMatchObject({ code: 'access_ended' });
    expect(probe).toHaveBeenCalledTimes(1);
    expect(get(socket.connection).status).toBe('ended');
    expect(stored()).toBeNull();
    const count = FakeSocket.all.length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all.length).toBe(count);
  });

  it('ends as signed out when the session is gone', async () => {
    const socket = create({ probe: () => Promise.resolve('signed-out') });
    FakeSocket.last.drop(1006);
    await vi.advanceTimersByTimeAsync(0);
    expect(get(socket.connection).status).toBe('signed-out');
  });

  it('keeps trying when access stands (a server that is down or restarting)', async () => {
    const socket = create({ probe: () => Promise.resolve('ok') });
    FakeSocket.last.drop(1006);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeSocket.all.length).toBeGreaterThan(1);
    FakeSocket.last.hello(SAM, SAM_ROOMS);
    expect(get(socket.connection).status).toBe('online');
  });

  it('does not ask when an open socket drops, nor act on an answer that comes after a reconnect', async () => {
    let answer: (state: 'ended') => void = () => undefined;
    const probe = vi.fn(() => new Promise<'ended'>((resolve) => (answer = resolve)));
    const socket = create({ probe });
    FakeSocket.last.hello(SAM, SAM_ROOMS);
    FakeSocket.last.drop(1006);
    expect(probe).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1_000);
    FakeSocket.last.drop(1006);
    expect(probe).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(2_000);
    FakeSocket.last.hello(SAM, SAM_ROOMS);
    answer('ended');
    await vi.advanceTimersByTimeAsync(0);
    expect(get(socket.connection).status).toBe('online');
  });
});

describe('accessProbe', () => {
  const answering = (status: number, body: unknown = {}) =>
    vi.fn(() => Promise.resolve(new Response(JSON.stringify(body), { status }))) as unknown as typeof fetch;

  it('reads 404 as access ended and an unauthenticated answer as signed out', async () => {
    expect(await accessProbe(MEDIATION, answering(404))).toBe('ended');
    expect(await accessProbe(MEDIATION, answering(401))).toBe('signed-out');
    expect(await accessProbe(MEDIATION, answering(403, { code: 'not_authenticated' }))).toBe('signed-out');
  });

  it('reads everything else, and no answer at all, as no reason to stop', async () => {
    expect(await accessProbe(MEDIATION, answering(200))).toBe('ok');
    expect(await accessProbe(MEDIATION, answering(403, { code: 'permission_denied' }))).toBe('ok');
    expect(await accessProbe(MEDIATION, answering(502))).toBe('ok');
    const offline = vi.fn(() => Promise.reject(new TypeError('Failed to fetch'))) as unknown as typeof fetch;
    expect(await accessProbe(MEDIATION, offline)).toBe('ok');
  });

  it('asks for this mediation with the session cookie', async () => {
    const fetchImpl = answering(200);
    await accessProbe(MEDIATION, fetchImpl);
    expect(fetchImpl).toHaveBeenCalledWith(`/api/mediations/${MEDIATION}/`, expect.objectContaining({ credentials: 'same-origin' }));
  });
});
