import { BoardSession } from '../src/lib/boardSession';

/** A websocket the test plays the server of: it records what the client sends. */
export class FakeSocket {
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

  hello(
    participant: Record<string, unknown>,
    rooms: Record<string, number> = { joint: 0 },
    rights: Record<string, unknown> | null = null,
  ): void {
    this.open();
    this.receive({ type: 'hello', participant, rooms, ...(rights ? { rights } : {}) });
  }

  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.(new CloseEvent('close', { code }));
  }

  frames(type: string): Record<string, unknown>[] {
    return this.sent.filter((f) => f.type === type);
  }
}

export const asWebSocket = FakeSocket as unknown as new (url: string) => WebSocket;

export const MEDIATION = '3f2b8c1e-9d4a-4b6f-8e2a-1c5d7f9a0b12';

const sessions: BoardSession[] = [];

/** A board session whose socket is a FakeSocket, with no storage and no server to ask;
 * `stopSessions` (after each test) stops every one made. */
export function fakeSession(storage: Storage | null = null): BoardSession {
  const session = new BoardSession(MEDIATION, {
    storage,
    seenStorage: null,
    url: 'ws://test/',
    WebSocket: asWebSocket,
    probe: () => Promise.resolve('ok'),
  });
  sessions.push(session);
  return session;
}

export function stopSessions(): void {
  for (const session of sessions.splice(0)) session.stop();
}
