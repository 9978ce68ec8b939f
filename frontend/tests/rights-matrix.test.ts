/**
 * The screens show exactly the controls the server allows. For every persona (and with
 * the board paused), tests/negotiation/test_rights_browser.py tries each action on the
 * server, then writes what it allowed beside the rights the server publishes and the
 * board and caucus it would show; this renders the proposals and the caucus chat with
 * those rights and compares each control with what the server allowed.
 *
 * The file is PARLEY_RIGHTS_MATRIX; without it (a plain `npm test`) this is skipped.
 */
import { cleanup, render, within } from '@testing-library/svelte';
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import Proposals from '../src/components/board/Proposals.svelte';
import CaucusChat from '../src/components/caucus/CaucusChat.svelte';
import type { Issue } from '../src/lib/board';
import type { CaucusMessage } from '../src/lib/caucus';
import BoardHarness from './BoardHarness.svelte';
import { FakeSocket, fakeSession, stopSessions } from './fakeSocket';

interface Case {
  name: string;
  participant: Record<string, unknown>;
  rights: Record<string, unknown> & { rooms: Record<string, unknown> };
  side: number;
  issue: Issue;
  messages: CaucusMessage[];
  expected: {
    propose: boolean;
    respond: Record<string, boolean>;
    withdraw: Record<string, boolean>;
    keep_confidential: boolean;
    mark: Record<string, boolean>;
  };
}

const source = (import.meta.env as Record<string, string | undefined>).PARLEY_RIGHTS_MATRIX ?? '';
const present = source !== '' && existsSync(source);

beforeEach(() => {
  FakeSocket.all = [];
  vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new Error('no server here')));
});
afterEach(stopSessions);

function shown(one: Case): { proposals: HTMLElement; chat: HTMLElement | null } {
  const session = fakeSession();
  session.start();
  FakeSocket.last.hello(one.participant, { joint: 0 }, one.rights);
  const context = { session, sides: [], nameOf: () => 'someone' };
  const proposals = render(BoardHarness, { props: { context, component: Proposals, props: { issue: one.issue } } });
  let chat: HTMLElement | null = null;
  if (`caucus:${one.side}` in one.rights.rooms) {
    chat = render(BoardHarness, {
      props: {
        context,
        component: CaucusChat,
        props: { room: `caucus:${one.side}`, side: one.side, sideName: 'Alex', messages: one.messages, rule: 'confidential_unless_released', ondraft: () => {} },
      },
    }).container;
  }
  return { proposals: proposals.container, chat };
}

function has(within_: HTMLElement, name: RegExp): boolean {
  return within(within_).queryAllByRole('button', { name }).length > 0;
}

describe('the controls each persona sees', () => {
  it.skipIf(!present)('are exactly what the server allows them', () => {
    const cases = JSON.parse(readFileSync(source, 'utf8')) as Case[];
    expect(cases.length).toBeGreaterThan(0);
    for (const one of cases) {
      const { proposals, chat } = shown(one);
      const seen = {
        propose: has(proposals, /^Make proposal$/),
        respond: Object.fromEntries(
          one.issue.proposals.map((p) => [String(p.id), has(proposals.querySelector(`[data-proposal="${p.id}"]`)!, /^(Answer|Change your answer)/)]),
        ),
        withdraw: Object.fromEntries(
          one.issue.proposals.map((p) => [String(p.id), has(proposals.querySelector(`[data-proposal="${p.id}"]`)!, /^Withdraw/)]),
        ),
        keep_confidential: chat !== null && within(chat).queryByRole('checkbox', { name: 'Keep confidential' }) !== null,
        mark: Object.fromEntries(
          one.messages.map((m) => [String(m.id), chat !== null && has(chat.querySelector(`[data-message="${m.id}"]`)!, /^Keep confidential$/)]),
        ),
      };
      expect(seen, one.name).toEqual(one.expected);
      cleanup();
      stopSessions();
    }
  }, 60_000); // every persona's screens, rendered in turn: seconds, more on a loaded machine
});
