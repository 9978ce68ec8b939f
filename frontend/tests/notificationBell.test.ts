import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import NotificationBell from '../src/components/caucus/NotificationBell.svelte';
import type { WaitingItem } from '../src/lib/api';
import { waitingMayChange } from '../src/lib/boardSession';
import type { Notification } from '../src/lib/notifications';

const T = '2026-03-01T10:00:00Z';

function item(over: Partial<WaitingItem>): WaitingItem {
  return { kind: 'sealed', text: '', room: 'joint', issue: 7, issue_title: 'The house', since: T, ...over };
}

function notice(over: Partial<Notification>): Notification {
  return {
    type: 'notification',
    id: 1,
    kind: 'sealed_asked',
    text: 'The mediator asks your side for a sealed position on an issue.',
    room: 'joint',
    issue: 7,
    created_at: T,
    read_at: null,
    ...over,
  } as Notification;
}

describe('NotificationBell: what the rounds on an issue ask', () => {
  it('shows a sealed ask and a perspective turn in their words, and opens their issue', async () => {
    const onwaiting = vi.fn();
    const onopen = vi.fn();
    const waiting = [
      item({ kind: 'sealed', text: 'The mediator asks your side for a sealed position.' }),
      item({ kind: 'perspective_answer', text: "Your side's turn: is the other side's account of your view right?", issue: 9, issue_title: 'The car' }),
    ];
    const notices = [notice({}), notice({ id: 2, kind: 'perspective_turn', text: "It is your side's turn in a perspective round on an issue.", issue: 9 })];
    render(NotificationBell, { notifications: notices, waiting, onopen, onwaiting, onreadall: () => undefined });
    await fireEvent.click(screen.getByRole('button', { name: /Notifications/ }));
    const sealed = screen.getByText('The mediator asks your side for a sealed position.').closest('button')!;
    expect(sealed.getAttribute('data-waiting-entry')).toBe('sealed');
    expect(sealed.textContent).toContain('The house');
    expect(screen.getByText("It is your side's turn in a perspective round on an issue.")).toBeTruthy();
    await fireEvent.click(screen.getByText(/is the other side's account of your view right/));
    expect(onwaiting).toHaveBeenCalledWith(expect.objectContaining({ kind: 'perspective_answer', issue: 9, room: 'joint' }));
    await fireEvent.click(screen.getByRole('button', { name: /Notifications/ }));
    await fireEvent.click(screen.getByText('The mediator asks your side for a sealed position on an issue.'));
    expect(onopen).toHaveBeenCalledWith(expect.objectContaining({ kind: 'sealed_asked', issue: 7 }));
  });
});

describe('waitingMayChange', () => {
  it('reads the list again after a round is asked, revealed, cancelled or takes a turn', () => {
    for (const name of ['sealed.asked', 'sealed.revealed', 'sealed.cancelled', 'perspective.updated']) {
      expect(waitingMayChange(name, 'event')).toBe(true);
    }
    expect(waitingMayChange('sealed.submit', 'command')).toBe(true);
    expect(waitingMayChange('perspective.answer', 'command')).toBe(true);
    expect(waitingMayChange('comment.added', 'event')).toBe(false);
  });
});
