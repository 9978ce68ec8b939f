import { describe, expect, it } from 'vitest';
import { invitationRolePhrase, sideRule } from '../src/lib/labels';

describe('labels', () => {
  it('words the invitation for each role', () => {
    expect(invitationRolePhrase('party', 'Alex')).toBe('as the party for Alex');
    expect(invitationRolePhrase('attorney', 'Sam')).toBe('as the attorney for Sam');
    expect(invitationRolePhrase('expert', null)).toBe('as an expert or advisor');
    expect(invitationRolePhrase('observer', null)).toBe('as an observer');
  });

  it('knows when a side is needed', () => {
    expect(sideRule('party')).toBe('required');
    expect(sideRule('attorney')).toBe('required');
    expect(sideRule('expert')).toBe('optional');
    expect(sideRule('observer')).toBe('hidden');
    expect(sideRule('mediator')).toBe('hidden');
  });
});
