import { get } from 'svelte/store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { applyFrame, emptyBoard, type BoardState } from '../src/lib/board';
import { backoffDelay, CommandError, MediationSocket, newCommandId, socketUrl, type SocketOptions } from '../src/lib/socket';

const MEDIATION = '3f2b8c1e-9d4a-4b6f-8e2a-1c5d7f9a0b12';

class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  closedWith: number | undefined;
  onopen: ((e: Event) => void) | null = null;
  onclose: ((e: CloseEvent) => void) | null = null;
  onmessage: ((e: MessageEvent) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }

  static get last(): FakeSocket {
    const socket = FakeSocket.all[FakeSocket.all.length - 1];
    if (!socket) throw new Error('no socket yet');
    return socket;
  }

  send(text: string): void {
    this.sent.push(JSON.parse(text) as Record<string, unknown>);
  }

  close(code?: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }

  // --- the server's side ---
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }

  receive(frame: Record<string, unknown>): void {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(frame) }));
  }

  hello(rooms: Record<string, number> = { joint: 0, 'caucus:4': 0 }): void {
    this.open();
    this.receive({ type: 'hello', participant: { id: 2, name: 'Sam', role: 'party', side: { id: 4, name: 'Sam' } }, rooms });
  }

  drop(): void {
    this.readyState = 3;
    this.onclose?.(new CloseEvent('close', { code: 1006 }));
  }

  frames(type: string): Record<string, unknown>[] {
    return this.sent.filter((f) => f.type === type);
  }
}

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
    board = { seq: 7, issues: {} };
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
    FakeSocket.last.hello();
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
    FakeSocket.last.hello();
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
    FakeSocket.last.hello();
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

    FakeSocket.last.hello();
    expect(FakeSocket.last.sent.map((f) => f.type)).toEqual(['sync', 'command']);
  });

  it('sends an unanswered command again with the same id after every reconnect, and settles it once', async () => {
    const socket = create();
    FakeSocket.last.hello();
    const promise = socket.command('issue.move', { issue: 1, version: 1, lane: 'parked' });
    expect(FakeSocket.last.frames('command')[0]?.id).toBe('cmd-1');

    FakeSocket.last.drop();
    expect(get(socket.connection).status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(500);
    FakeSocket.last.drop(); // the server is still down
    await vi.advanceTimersByTimeAsync(1000);
    FakeSocket.last.hello();
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
    FakeSocket.last.hello();
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
    FakeSocket.last.hello();
    for (let i = 0; i < 20; i++) void socket.command('comment.add', { issue: 1, body: `c${i}` });
    expect(FakeSocket.last.frames('command')).toHaveLength(16);
    FakeSocket.last.receive({ type: 'ack', id: 'cmd-1', result: {} });
    expect(FakeSocket.last.frames('command')).toHaveLength(17);
  });

  it('sends everything unanswered again after a rate-limit error, which carries no id', async () => {
    const socket = create();
    FakeSocket.last.hello();
    void socket.command('comment.add', { issue: 1, body: 'a' });
    FakeSocket.last.receive({ type: 'error', id: null, code: 'rate_limited', message: 'Slow down' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeSocket.last.frames('command').map((f) => f.id)).toEqual(['cmd-1', 'cmd-1']);
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
    FakeSocket.last.hello();
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
    FakeSocket.last.hello();
    expect(get(socket.connection)).toMatchObject({ status: 'online', retryAt: null });
  });

  it('connects at once when asked to', () => {
    const socket = create();
    FakeSocket.last.hello();
    FakeSocket.last.drop();
    socket.retryNow();
    expect(FakeSocket.all).toHaveLength(2);
  });

  it('treats a missing pong as a dead socket', async () => {
    const socket = create({ heartbeatMs: 15_000, pongTimeoutMs: 10_000 });
    FakeSocket.last.hello();
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
    FakeSocket.last.hello();
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
    FakeSocket.last.hello();
    socket.setPresence({ viewing: 1, editing: null });
    socket.setPresence({ viewing: 1, editing: { issue: 1, field: 'title' } });
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.last.frames('presence')).toEqual([{ type: 'presence', viewing: 1, editing: { issue: 1, field: 'title' } }]);
    socket.setPresence({ viewing: 2, editing: null });
    await vi.advanceTimersByTimeAsync(100);
    expect(FakeSocket.last.frames('presence')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(FakeSocket.last.frames('presence')).toHaveLength(2);

    FakeSocket.last.drop();
    await vi.advanceTimersByTimeAsync(500);
    FakeSocket.last.hello();
    await vi.advanceTimersByTimeAsync(300);
    expect(FakeSocket.last.frames('presence')).toEqual([{ type: 'presence', viewing: 2, editing: null }]);
  });

  it('keeps everyone’s presence by connection and forgets those that leave', () => {
    const socket = create();
    FakeSocket.last.hello();
    FakeSocket.last.receive({ type: 'presence', connection: 'a', participant: 1, online: true, viewing: 3, editing: null });
    FakeSocket.last.receive({ type: 'presence', connection: 'b', participant: 5, online: true, viewing: 3, editing: { issue: 3, field: 'title' } });
    expect([...get(socket.presence).values()]).toEqual([
      { connection: 'a', participant: 1, viewing: 3, editing: null },
      { connection: 'b', participant: 5, viewing: 3, editing: { issue: 3, field: 'title' } },
    ]);
    FakeSocket.last.receive({ type: 'presence', connection: 'a', participant: 1, online: false });
    expect([...get(socket.presence).keys()]).toEqual(['b']);
    FakeSocket.last.drop();
    expect(get(socket.presence).size).toBe(0);
  });
});
