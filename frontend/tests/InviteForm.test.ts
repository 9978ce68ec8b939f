import { render, screen, fireEvent } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';

vi.mock('../src/lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/lib/api')>();
  return { ...actual, createInvitation: vi.fn() };
});

import { ApiError, createInvitation, type CreatedInvitation } from '../src/lib/api';
import InviteForm from '../src/components/InviteForm.svelte';

const MEDIATION = '3f2b8c1e-9d4a-4b6f-8e2a-1c5d7f9a0b12';
const sides = [
  { id: 3, name: 'Alex' },
  { id: 4, name: 'Sam' },
];

function setup() {
  const oncreated = vi.fn();
  render(InviteForm, { mediationId: MEDIATION, sides, oncreated });
  return {
    oncreated,
    email: screen.getByLabelText('E-mail') as HTMLInputElement,
    role: screen.getByLabelText('Role') as HTMLSelectElement,
    submit: screen.getByRole('button', { name: 'Send invitation' }),
  };
}

describe('InviteForm', () => {
  it('shows the side only for roles that can have one', async () => {
    const { role } = setup();
    expect(screen.getByLabelText('Side')).toBeTruthy(); // party, the default

    await fireEvent.change(role, { target: { value: 'observer' } });
    expect(screen.queryByLabelText(/^Side/)).toBeNull();

    await fireEvent.change(role, { target: { value: 'mediator' } });
    expect(screen.queryByLabelText(/^Side/)).toBeNull();

    await fireEvent.change(role, { target: { value: 'expert' } });
    expect(screen.getByLabelText(/^Side/).textContent).toContain('No side');
  });

  it('requires a side for a party before sending anything', async () => {
    const { email, submit } = setup();
    await fireEvent.input(email, { target: { value: 'alex@example.com' } });
    await fireEvent.click(submit);

    expect(screen.getByText('Choose the side this person belongs to.')).toBeTruthy();
    expect(screen.getByLabelText('Side').getAttribute('aria-invalid')).toBe('true');
    expect(createInvitation).not.toHaveBeenCalled();
  });

  it('sends the side id for a party and null for an observer', async () => {
    const created: CreatedInvitation = {
      id: 1,
      email: 'alex@example.com',
      role: 'party',
      side: sides[0]!,
      created_at: '2030-01-01T00:00:00Z',
      expires_at: '2030-01-08T00:00:00Z',
      status: 'pending',
      link: 'http://host/invite#tok',
    };
    vi.mocked(createInvitation).mockResolvedValue(created);
    const { email, role, submit, oncreated } = setup();

    await fireEvent.input(email, { target: { value: 'alex@example.com' } });
    await fireEvent.change(screen.getByLabelText('Side'), { target: { value: '3' } });
    await fireEvent.click(submit);
    await vi.waitFor(() => expect(oncreated).toHaveBeenCalledWith(created));
    expect(createInvitation).toHaveBeenLastCalledWith(MEDIATION, {
      email: 'alex@example.com',
      role: 'party',
      side: 3,
    });
    expect(email.value).toBe('');

    await fireEvent.change(role, { target: { value: 'observer' } });
    await fireEvent.input(email, { target: { value: 'obs@example.com' } });
    await fireEvent.click(submit);
    await vi.waitFor(() => expect(createInvitation).toHaveBeenCalledTimes(2));
    expect(createInvitation).toHaveBeenLastCalledWith(MEDIATION, {
      email: 'obs@example.com',
      role: 'observer',
      side: null,
    });
  });

  it('shows server field errors next to the field and keeps what was typed', async () => {
    vi.mocked(createInvitation).mockRejectedValue(
      new ApiError(400, 'invalid', 'Please correct the highlighted fields.', {
        email: ['Enter a valid email address.'],
      }),
    );
    const { email, role, submit } = setup();
    await fireEvent.change(role, { target: { value: 'observer' } });
    await fireEvent.input(email, { target: { value: 'not-an-email' } });
    await fireEvent.click(submit);

    const message = await screen.findByText('Enter a valid email address.');
    expect(email.getAttribute('aria-describedby')).toBe(message.id);
    expect(email.getAttribute('aria-invalid')).toBe('true');
    expect(email.value).toBe('not-an-email');
  });

  it("asks whether an expert in a side's private room may read what was said before", async () => {
    vi.mocked(createInvitation).mockResolvedValue({
      id: 2, email: 'eve@example.com', role: 'expert', side: sides[0]!,
      created_at: '2030-01-01T00:00:00Z', expires_at: '2030-01-08T00:00:00Z',
      status: 'pending', link: null,
    });
    const { email, role, submit } = setup();
    await fireEvent.change(role, { target: { value: 'expert' } });
    expect(screen.queryByLabelText(/read what was said/)).toBeNull(); // joint room only

    await fireEvent.change(screen.getByLabelText(/^Side/), { target: { value: '3' } });
    const history = screen.getByLabelText(/read what was said in Alex’s private room/) as HTMLInputElement;
    expect(history.checked).toBe(false);
    await fireEvent.click(history);
    await fireEvent.input(email, { target: { value: 'eve@example.com' } });
    await fireEvent.click(submit);
    await vi.waitFor(() =>
      expect(createInvitation).toHaveBeenLastCalledWith(MEDIATION, {
        email: 'eve@example.com', role: 'expert', side: 3, caucus_history: true,
      }),
    );
  });
});
