import { render, screen, fireEvent } from '@testing-library/svelte';
import { tick } from 'svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../src/lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/lib/api')>();
  return { ...actual, setPassword: vi.fn() };
});

import { ApiError, setPassword, type User } from '../src/lib/api';
import PasswordScreen from '../src/screens/PasswordScreen.svelte';
import { session } from '../src/lib/session.svelte';

const maya: User = { id: 1, email: 'maya@example.com', name: 'Maya', is_mediator: true, has_password: false };

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await tick();
}

async function type(label: string, value: string): Promise<void> {
  await fireEvent.input(screen.getByLabelText(label), { target: { value } });
}

beforeEach(() => {
  session.user = null;
  session.status = 'ready';
});

describe('PasswordScreen', () => {
  it('sets a first password without asking for a current one', async () => {
    vi.mocked(setPassword).mockResolvedValue(undefined);
    render(PasswordScreen, { user: maya });

    expect(screen.getByRole('heading', { level: 1, name: 'Set a password' })).toBeTruthy();
    expect(screen.queryByLabelText('Current password')).toBeNull();
    await type('New password', 'mediation is patience 42');
    await type('New password again', 'mediation is patience 42');
    await fireEvent.click(screen.getByRole('button', { name: 'Set password' }));
    await settle();

    expect(setPassword).toHaveBeenCalledWith('mediation is patience 42', undefined);
    expect(screen.getByRole('status').textContent).toContain('Your password is set');
    expect(session.user?.has_password).toBe(true);
  });

  it('asks for the current password when there is one, and marks it when wrong', async () => {
    vi.mocked(setPassword).mockRejectedValue(
      new ApiError(400, 'invalid', 'That is not your current password.', {
        current_password: ['That is not your current password.'],
      }),
    );
    render(PasswordScreen, { user: { ...maya, has_password: true } });

    await type('Current password', 'a guess');
    await type('New password', 'mediation is patience 42');
    await type('New password again', 'mediation is patience 42');
    await fireEvent.click(screen.getByRole('button', { name: 'Change password' }));
    await settle();

    expect(setPassword).toHaveBeenCalledWith('mediation is patience 42', 'a guess');
    const field = screen.getByLabelText('Current password');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(field.getAttribute('aria-describedby') ?? '')?.textContent).toContain(
      'That is not your current password.',
    );
  });

  it('checks the two new passwords match before asking the server', async () => {
    render(PasswordScreen, { user: maya });

    await type('New password', 'mediation is patience 42');
    await type('New password again', 'mediation is patience 43');
    await fireEvent.click(screen.getByRole('button', { name: 'Set password' }));
    await settle();

    expect(setPassword).not.toHaveBeenCalled();
    expect(screen.getByLabelText('New password again').getAttribute('aria-invalid')).toBe('true');
  });

  it('tells a party they need no password', () => {
    render(PasswordScreen, { user: { ...maya, is_mediator: false } });

    expect(screen.getByRole('heading', { level: 1, name: 'No password needed' })).toBeTruthy();
    expect(screen.queryByRole('button')).toBeNull();
  });
});
