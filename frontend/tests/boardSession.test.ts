import { get } from 'svelte/store';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BoardSession } from '../src/lib/boardSession';
import { CommandError } from '../src/lib/socket';
import { FakeSocket, fakeSession, stopSessions } from './fakeSocket';

const MEDIATION = '3f2b8c1e-9d4a-4b6f-8e2a-1c5d7f9a0b12';

function session(): BoardSession {
  return new BoardSession(MEDIATION, { storage: null });
}

const conflict = (current: Record<string, unknown>) =>
  new CommandError('conflict', 'Someone changed this while you were editing.', { current });

afterEach(() => {
  vi.restoreAllMocks();
  stopSessions();
});

describe('saving a field', () => {
  it('sends issue.update with the version the edit started from', async () => {
    const board = session();
    const send = vi.spyOn(board.socket, 'command').mockResolvedValue({});
    await expect(board.saveField(1, 'title', 'The house', 4)).resolves.toBe('saved');
    expect(send).toHaveBeenCalledWith('issue.update', { issue: 1, version: 4, title: 'The house' });
    await board.saveField(1, 'position:7', 'Keep it', 0);
    expect(send).toHaveBeenLastCalledWith('position.set', { issue: 1, side: 7, text: 'Keep it', version: 0 });
  });

  it('keeps a conflict with both texts, and "keep mine" sends mine over the current version', async () => {
    const board = session();
    const send = vi
      .spyOn(board.socket, 'command')
      .mockRejectedValueOnce(conflict({ id: 1, title: 'House (family home)', version: 5 }))
      .mockResolvedValueOnce({});
    await expect(board.saveField(1, 'title', 'The house', 4)).resolves.toBe('conflict');
    const [found] = get(board.conflicts);
    expect(found).toMatchObject({ key: '1:title', mine: 'The house', theirs: 'House (family home)', currentVersion: 5 });

    await expect(board.keepMine(found!)).resolves.toBe('saved');
    expect(send).toHaveBeenLastCalledWith('issue.update', { issue: 1, version: 5, title: 'The house' });
    expect(get(board.conflicts)).toEqual([]);
  });

  it('forgets my text on "use theirs", and passes other errors on', async () => {
    const board = session();
    vi.spyOn(board.socket, 'command')
      .mockRejectedValueOnce(conflict({ id: 3, text: 'Sell', version: 2 }))
      .mockRejectedValueOnce(new CommandError('invalid', 'Too long', { text: ['Keep it short.'] }));
    await board.saveField(1, 'position:4', 'Keep', 1);
    const [found] = get(board.conflicts);
    expect(found).toMatchObject({ theirs: 'Sell', currentVersion: 2, name: 'position.set' });
    board.useTheirs(found!);
    expect(get(board.conflicts)).toEqual([]);
    await expect(board.saveField(1, 'description', 'x'.repeat(9), 2)).rejects.toMatchObject({ code: 'invalid' });
    expect(get(board.conflicts)).toEqual([]);
  });

  it('moves with an index only when one is given, and a way back only into Parked', () => {
    const board = session();
    const send = vi.spyOn(board.socket, 'command').mockResolvedValue({});
    void board.moveIssue(1, 2, 'parked', null, { reason: 'Appraisal', until: '2030-01-02T09:00:00.000Z', condition: '' });
    void board.moveIssue(1, 3, 'agenda', 0, { reason: 'ignored', condition: 'ignored' });
    expect(send.mock.calls).toEqual([
      ['issue.move', { issue: 1, version: 2, lane: 'parked', reason: 'Appraisal', until: '2030-01-02T09:00:00.000Z' }],
      ['issue.move', { issue: 1, version: 3, lane: 'agenda', index: 0 }],
    ]);
  });

  it('knows the session’s state from hello, before any room is synced', () => {
    FakeSocket.all = [];
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new Error('no server here')));
    const board = fakeSession();
    board.start();
    FakeSocket.last.hello({ id: 1, name: 'Maya', role: 'mediator', side: null });
    expect(get(board.board).mediation).toBeNull();
    FakeSocket.last.receive({ type: 'hello', participant: { id: 1, name: 'Maya', role: 'mediator', side: null }, rooms: { joint: 0 }, mediation: { id: 'm', stage: 'closing', on_break: false, joint_paused: false, confidentiality_rule: 'confidential_unless_released', status: 'active' } });
    expect(get(board.board).mediation?.stage).toBe('closing');
  });

  it('sends the edits that waited out a break when it ends', () => {
    FakeSocket.all = [];
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new Error('no server here')));
    const board = fakeSession();
    board.start();
    const release = vi.spyOn(board.socket, 'releaseHeld');
    const state = { id: 'm', stage: 'joint_discussion', on_break: true, joint_paused: false, confidentiality_rule: 'confidential_unless_released', status: 'active' };
    FakeSocket.last.receive({ type: 'hello', participant: { id: 2, name: 'Sam', role: 'party', side: { id: 4, name: 'Sam' } }, rooms: { joint: 0 }, mediation: state });
    expect(release).not.toHaveBeenCalled();
    FakeSocket.last.receive({ type: 'event', room: 'joint', seq: 1, name: 'mediation.updated', data: { ...state, on_break: false } });
    expect(release).toHaveBeenCalledTimes(1);
  });

  it('sends the decisions that take every side, and the way back', () => {
    const board = session();
    const send = vi.spyOn(board.socket, 'command').mockResolvedValue({});
    void board.proposeDecision(4, 'agree', 'Alex keeps the car');
    void board.proposeDecision(4, 'strike', 'ignored');
    void board.answerDecision(9, 'confirm', true);
    void board.answerDecision(9, 'decline');
    void board.withdrawDecision(9);
    void board.editParking(4, 5, { reason: 'Later', until: null, condition: 'After the sale' });
    void board.unpark(4, 6);
    expect(send.mock.calls).toEqual([
      ['decision.propose', { issue: 4, kind: 'agree', terms: 'Alex keeps the car' }],
      ['decision.propose', { issue: 4, kind: 'strike' }],
      ['decision.answer', { decision: 9, answer: 'confirm', informed: true }],
      ['decision.answer', { decision: 9, answer: 'decline' }],
      ['decision.withdraw', { decision: 9 }],
      ['issue.park_edit', { issue: 4, version: 5, reason: 'Later', until: null, condition: 'After the sale' }],
      ['issue.unpark', { issue: 4, version: 6 }],
    ]);
  });
});

describe('the session around the board', () => {
  class Wire {
    static last: Wire;
    readyState = 0;
    sent: Record<string, unknown>[] = [];
    onopen: ((e: Event) => void) | null = null;
    onclose: ((e: CloseEvent) => void) | null = null;
    onmessage: ((e: MessageEvent) => void) | null = null;
    onerror: ((e: Event) => void) | null = null;
    constructor() {
      Wire.last = this;
    }
    send(text: string): void {
      this.sent.push(JSON.parse(text) as Record<string, unknown>);
    }
    close(): void {
      this.readyState = 3;
    }
    receive(frame: Record<string, unknown>): void {
      this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(frame) }));
    }
  }

  function connected(): BoardSession {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(new Response('[]', { status: 200 })));
    const board = new BoardSession(MEDIATION, {
      storage: null,
      seenStorage: null,
      url: 'ws://test/',
      WebSocket: Wire as unknown as new (url: string) => WebSocket,
    });
    board.start();
    Wire.last.readyState = 1;
    Wire.last.onopen?.(new Event('open'));
    Wire.last.receive({
      type: 'hello',
      participant: { id: 2, name: 'Alex', role: 'party', side: { id: 3, name: 'Alex' }, rule_acknowledged: '' },
      rooms: { joint: 0, 'caucus:3': 0 },
    });
    return board;
  }

  it('knows the joint room is in step only after its sync', () => {
    const board = connected();
    expect(get(board.jointReady)).toBe(false);
    Wire.last.receive({ type: 'synced', rooms: { joint: 0, 'caucus:3': 0 } });
    expect(get(board.jointReady)).toBe(true);
    board.stop();
  });

  it('keeps my accepted rule current from participant.updated and from the ack', async () => {
    const board = connected();
    Wire.last.receive({
      type: 'event',
      room: 'joint',
      seq: 1,
      name: 'participant.updated',
      data: { id: 2, name: 'Alex', role: 'party', side: { id: 3, name: 'Alex' }, rule_acknowledged: 'shareable_unless_marked' },
    });
    expect(get(board.me)?.rule_acknowledged).toBe('shareable_unless_marked');
    // Someone else's acceptance is not mine.
    Wire.last.receive({ type: 'event', room: 'joint', seq: 2, name: 'participant.updated', data: { id: 5, rule_acknowledged: 'x' } });
    expect(get(board.me)?.rule_acknowledged).toBe('shareable_unless_marked');

    const accepted = board.acknowledgeRule('confidential_unless_released');
    const sent = Wire.last.sent.find((f) => f.type === 'command');
    expect(sent).toMatchObject({ name: 'rule.acknowledge', data: { rule: 'confidential_unless_released' } });
    Wire.last.receive({ type: 'ack', id: sent?.id, result: { id: 2, rule_acknowledged: 'confidential_unless_released' } });
    await accepted;
    expect(get(board.me)?.rule_acknowledged).toBe('confidential_unless_released');
    board.stop();
  });

  it('has the mediator accept the rule they set, queued right behind it', () => {
    const board = connected();
    void board.setRule('shareable_unless_marked').catch(() => undefined);
    const commands = Wire.last.sent.filter((f) => f.type === 'command');
    expect(commands.map((c) => [c.name, c.data])).toEqual([
      ['rule.set', { rule: 'shareable_unless_marked' }],
      ['rule.acknowledge', { rule: 'shareable_unless_marked' }],
    ]);
    board.stop();
  });

  it('tells listeners of people joining and sides added, and keeps none of it on the board', () => {
    const board = connected();
    const heard: unknown[] = [];
    board.listen({ participant: (p) => heard.push(p.id), side: (s) => heard.push(s.name) });
    Wire.last.receive({ type: 'event', room: 'joint', seq: 1, name: 'participant.joined', data: { id: 9, name: 'Erin', role: 'party', side: null, rule_acknowledged: '' } });
    Wire.last.receive({ type: 'event', room: 'joint', seq: 2, name: 'side.added', data: { id: 7, name: 'Kim' } });
    expect(heard).toEqual([9, 'Kim']);
    expect(get(board.board).seq).toBe(2);
    board.stop();
  });

  it('drops the private room the moment it is revoked, and the whole mediation at 4403', () => {
    const board = connected();
    Wire.last.receive({ type: 'event', room: 'caucus:3', seq: 1, name: 'caucus_message.posted', data: { id: 1, author: 2, body: 'secret', confidential: false, created_at: 'T' } });
    expect(get(board.caucus.state)['caucus:3']?.messages[1]?.body).toBe('secret');
    Wire.last.receive({ type: 'revoked', room: 'caucus:3' });
    expect(get(board.caucus.state)).toEqual({});

    Wire.last.receive({ type: 'event', room: 'joint', seq: 1, name: 'issue.created', data: { id: 4, title: 'House', lane: 'agenda', order: 0, version: 1 } });
    expect(Object.keys(get(board.board).issues)).toEqual(['4']);
    Wire.last.readyState = 3;
    Wire.last.onclose?.(new CloseEvent('close', { code: 4403 }));
    expect(get(board.socket.connection).status).toBe('ended');
    expect(get(board.board).issues).toEqual({});
    board.stop();
  });

  it('collects notification frames, newest first, and marks them read', () => {
    const board = connected();
    Wire.last.receive({ type: 'notification', id: 1, kind: 'caucus_called', text: 'The mediator asks to meet you privately.', room: 'caucus:3', created_at: '2030-01-01T10:00:00Z', read_at: null });
    Wire.last.receive({ type: 'notification', id: 2, kind: 'caucus_message', text: 'New message in your private room.', room: 'caucus:3', created_at: '2030-01-01T10:05:00Z', read_at: null });
    expect(get(board.notifications).map((n) => n.id)).toEqual([2, 1]);
    void board.readNotifications([1]);
    expect(get(board.notifications).filter((n) => !n.read_at).map((n) => n.id)).toEqual([2]);
    expect(Wire.last.sent.find((f) => f.type === 'command')).toMatchObject({ name: 'notifications.read', data: { ids: [1] } });
    board.stop();
  });
});
