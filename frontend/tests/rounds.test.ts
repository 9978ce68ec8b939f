import { describe, expect, it } from 'vitest';
import { applyFrame, emptyBoard } from '../src/lib/board';
import { latestSealed, openBrainstorm, withOwn, type SealedRound } from '../src/lib/rounds';

const T = '2030-01-01T10:00:00Z';

function sealed(over: Partial<SealedRound> = {}): SealedRound {
  return { id: 5, issue: 7, asks: 'figure', prompt: '', status: 'waiting', asked_at: T, closed_at: null, submissions: [], ...over };
}

describe('the rounds on an issue', () => {
  it('follow their events, and a round never moves back', () => {
    let state = emptyBoard();
    const event = (seq: number, name: string, data: unknown) =>
      (state = applyFrame(state, { type: 'event', room: 'joint', seq, name, data }).state);
    event(1, 'brainstorm.started', { id: 2, issue: 7, status: 'open', started_at: T, ended_at: null });
    expect(openBrainstorm(state.brainstorms, 7)?.id).toBe(2);
    event(2, 'brainstorm.ended', { id: 2, issue: 7, status: 'ended', started_at: T, ended_at: T });
    expect(openBrainstorm(state.brainstorms, 7)).toBeNull();

    event(3, 'sealed.asked', sealed());
    const revealed = sealed({ status: 'revealed', submissions: [{ side: 1, amount: '10.00', text: '' }] });
    event(4, 'sealed.revealed', revealed);
    expect(latestSealed(state.sealed, 7)).toEqual(revealed);
    // A late copy of the asking does not hide what was revealed.
    event(5, 'sealed.asked', sealed());
    expect(latestSealed(state.sealed, 7)?.status).toBe('revealed');
  });

  it('come from the snapshot', () => {
    const { state } = applyFrame(emptyBoard(), {
      type: 'snapshot', room: 'joint', seq: 9, data: { brainstorms: [], sealed: [sealed({ id: 3 }), sealed({ id: 8 })] },
    });
    expect(latestSealed(state.sealed, 7)?.id).toBe(8);
  });

  it('keep the newest of this side’s own answers', () => {
    const first = withOwn({}, { round: 5, side: 1, amount: '1.00', text: '', version: 2 });
    expect(withOwn(first, { round: 5, side: 1, amount: '9.00', text: '', version: 1 })[5]?.amount).toBe('1.00');
    expect(withOwn(first, { round: 5, side: 1, amount: null, text: 'Words', version: 3 })[5]?.text).toBe('Words');
    expect(withOwn(first, { type: 'sealed.mine' })).toBe(first);
  });
});
