import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import RuleDialog from '../src/components/caucus/RuleDialog.svelte';

describe('the confidentiality rule dialog', () => {
  it('says the rule in plain words and accepts exactly the rule shown', async () => {
    const onaccept = vi.fn().mockResolvedValue(undefined);
    render(RuleDialog, { rule: 'shareable_unless_marked', changed: false, onaccept });
    expect(screen.getByRole('heading', { name: 'How confidentiality works here' })).toBeTruthy();
    expect(screen.getByText('The mediator may share what you say privately unless you mark it confidential.')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'I understand and accept' }));
    expect(onaccept).toHaveBeenCalledWith('shareable_unless_marked');
  });

  it('says when the rule changed, and shows a refusal', async () => {
    const onaccept = vi.fn().mockRejectedValue(new Error('The rule has changed; read it again.'));
    render(RuleDialog, { rule: 'confidential_unless_released', changed: true, onaccept });
    expect(screen.getByRole('heading', { name: 'The confidentiality rule has changed' })).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'I understand and accept' }));
    expect(await screen.findByText('The rule has changed; read it again.')).toBeTruthy();
  });
});
