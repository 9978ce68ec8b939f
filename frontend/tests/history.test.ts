import { describe, expect, it } from 'vitest';
import { byIssue, changeText, snapshotLabel } from '../src/lib/history';

const sideName = (side: number | null | undefined) => (side === 3 ? 'Alex' : side === 4 ? 'Sam' : 'A side');

describe('the board history in words', () => {
  it('says where an issue was parked and its way back', () => {
    const text = changeText(
      { what: 'issue.parked', issue: 1, parked_reason: 'After the valuation', parked_condition: 'When the appraisal is in' },
      sideName,
    );
    expect(text).toBe('Parked: After the valuation (back: When the appraisal is in).');
  });

  it('names the side of a position and what it was', () => {
    expect(changeText({ what: 'position.set', side: 3, before: 'Keep it', after: 'Sell it' }, sideName)).toBe(
      'Alex’s position: “Sell it” (was “Keep it”).',
    );
  });

  it('groups changes by issue, the board-wide ones first', () => {
    const groups = byIssue([
      { what: 'issue.added', issue: 1, title: 'House' },
      { what: 'stage.changed', before: 'opening', after: 'caucus' },
      { what: 'option.added', issue: 1, title: 'House', text: 'Lease' },
    ]);
    expect(groups.map((g) => [g.issue, g.changes.length])).toEqual([
      [null, 1],
      [1, 2],
    ]);
  });
});

describe('a snapshot in the picker', () => {
  it('puts its place in the log before its reason, so two of one minute differ on a phone', () => {
    const label = snapshotLabel({ id: 1, room: 'joint', seq: 12, reason: 'session_end', taken_by: null, created_at: '2026-12-01T22:00:00Z' });
    expect(label).toMatch(/ · #12 · Session ended$/);
  });
});
