import { describe, expect, it } from 'vitest';
import type { PerspectiveRound, PerspectiveStatement } from './boardTypes';
import { mergeImpasse, openImpasseOf, strategiesInOrder, turnOf, type Impasse } from './impasse';

function statement(over: Partial<PerspectiveStatement>): PerspectiveStatement {
  return {
    id: 1, writer_side: 1, about_side: 2, turn: 1, text: 'x', written_by: 1, written_at: '2026-01-01T00:00:00Z',
    answer: '', correction: '', answered_by: null, answered_at: null, ...over,
  };
}

function round(statements: PerspectiveStatement[]): PerspectiveRound {
  return { id: 1, issue: 5, status: 'open', sides: [1, 2], started_at: '2026-01-01T00:00:00Z', ended_at: null, version: 1, statements };
}

function impasse(over: Partial<Impasse>): Impasse {
  return {
    id: 1, issue: 5, causes: ['lack_of_trust'], note: '', suggestions: ['criteria', 'professional'], started_by: 1,
    started_at: '2026-01-01T00:00:00Z', cleared_by: null, cleared_at: null, version: 1, attempts: [], ...over,
  };
}

describe('turnOf', () => {
  it('asks a side to write first', () => {
    expect(turnOf(round([]), 1)).toEqual({ step: 'write', turn: 1, last: null });
  });

  it('waits for the other side to answer', () => {
    expect(turnOf(round([statement({})]), 1).step).toBe('answer');
  });

  it('gives the turn back after a correction', () => {
    const state = turnOf(round([statement({ answer: 'corrected', correction: 'No' })]), 1);
    expect(state.step === 'write' && state.turn).toBe(2);
  });

  it('is done once confirmed, reading the latest turn', () => {
    const state = turnOf(round([statement({ answer: 'corrected' }), statement({ id: 2, turn: 2, answer: 'confirmed' })]), 1);
    expect(state.step).toBe('confirmed');
  });
});

describe('impasses', () => {
  it('puts the suggested strategies first', () => {
    const kinds = strategiesInOrder(impasse({}));
    expect(kinds.slice(0, 2)).toEqual([{ kind: 'criteria', suggested: true }, { kind: 'professional', suggested: true }]);
    expect(kinds).toHaveLength(7);
  });

  it('finds the open impasse of an issue', () => {
    const list = [impasse({ cleared_at: '2026-01-02T00:00:00Z' }), impasse({ id: 2 })];
    expect(openImpasseOf(list, 5)?.id).toBe(2);
    expect(openImpasseOf(list, 6)).toBeNull();
  });

  it('keeps a newer version held', () => {
    const held = [impasse({ version: 3 })];
    expect(mergeImpasse(held, impasse({ version: 2, causes: [] }))[0]?.version).toBe(3);
    expect(mergeImpasse(held, impasse({ version: 4 }))[0]?.version).toBe(4);
  });
});
