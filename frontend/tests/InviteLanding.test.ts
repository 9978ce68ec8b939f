import { render, screen, fireEvent } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../src/lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/lib/api')>();
  return { ...actual, previewInvitation: vi.fn(), redeemInvitation: vi.fn() };
});

import { ApiError, previewInvitation, redeemInvitation, type InvitationPreview } from '../src/lib/api';
import InviteLanding from '../src/screens/InviteLanding.svelte';
import { session } from '../src/lib/session.svelte';

const preview: InvitationPreview = {
  email: 'alex@example.com',
  role: 'party',
  side: { id: 3, name: 'Alex' },
  mediation: { id: '3f2b8c1e-9d4a-4b6f-8e2a-1c5d7f9a0b12', title: 'Smith v. Jones' },
  invited_by: 'Maya Mediator',
  expires_at: '2030-05-01T12:00:00Z',
};

const alex = { id: 9, email: 'alex@example.com', name: 'Alex', is_mediator: false, has_password: false };

beforeEach(() => {
  window.history.replaceState(null, '', '/invite/tok');
  session.user = null;
  session.status = 'ready';
});

describe('InviteLanding', () => {
  it('shows who invites whom to what, and spends nothing until the button is pressed', async () => {
    vi.mocked(previewInvitation).mockResolvedValue(preview);

    render(InviteLanding, { token: 'tok' });

    await screen.findByRole('button', { name: 'Join the mediation' });
    expect(screen.getByRole('heading', { level: 1 })).toBeTruthy();
    const lead = screen.getByText(/invites you to join/);
    expect(lead.textContent?.replace(/\s+/g, ' ').trim()).toBe(
      'Maya Mediator invites you to join Smith v. Jones as the party for Alex.',
    );
    expect(previewInvitation).toHaveBeenCalledWith('tok');
    expect(redeemInvitation).not.toHaveBeenCalled();
  });

  it('redeems on the button and goes to my mediations, signed in', async () => {
    vi.mocked(previewInvitation).mockResolvedValue(preview);
    vi.mocked(redeemInvitation).mockResolvedValue({ user: alex, mediation: preview.mediation });

    render(InviteLanding, { token: 'tok' });
    await fireEvent.click(await screen.findByRole('button', { name: 'Join the mediation' }));

    await vi.waitFor(() => expect(window.location.pathname).toBe('/'));
    expect(redeemInvitation).toHaveBeenCalledWith('tok');
    expect(session.user).toEqual(alex);
  });

  it('shows the expired page', async () => {
    vi.mocked(previewInvitation).mockRejectedValue(
      new ApiError(410, 'invitation_expired', 'This invitation expired on 1 May 2030.'),
    );

    render(InviteLanding, { token: 'tok' });

    const heading = await screen.findByRole('heading', { level: 1, name: 'This invitation has expired' });
    expect(heading).toBeTruthy();
    expect(screen.getByText('This invitation expired on 1 May 2030.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Join the mediation' })).toBeNull();
  });

  it('shows the used page with a link to my mediations', async () => {
    vi.mocked(previewInvitation).mockRejectedValue(
      new ApiError(410, 'invitation_used', 'This invitation has already been used.'),
    );

    render(InviteLanding, { token: 'tok' });

    await screen.findByRole('heading', { level: 1, name: 'This link has already been used' });
    expect(screen.getByText(/you are probably signed in already/)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Go to my mediations' }).getAttribute('href')).toBe('/');
  });

  it('shows the not-found page with the server message', async () => {
    const detail = 'This invitation link is not valid. Check that you copied the whole link.';
    vi.mocked(previewInvitation).mockRejectedValue(new ApiError(404, 'invitation_not_found', detail));

    render(InviteLanding, { token: 'tok' });

    await screen.findByRole('heading', { level: 1, name: 'Invitation not found' });
    expect(screen.getByText(detail)).toBeTruthy();
  });

  it('keeps the button and shows the message when redeeming is throttled', async () => {
    vi.mocked(previewInvitation).mockResolvedValue(preview);
    vi.mocked(redeemInvitation).mockRejectedValue(
      new ApiError(429, 'rate_limited', 'Too many attempts. Try again in 5 minutes.'),
    );

    render(InviteLanding, { token: 'tok' });
    await fireEvent.click(await screen.findByRole('button', { name: 'Join the mediation' }));

    expect((await screen.findByRole('alert')).textContent).toContain('Too many attempts. Try again in 5 minutes.');
    expect(screen.getByRole('button', { name: 'Join the mediation' })).toBeTruthy();
    expect(window.location.pathname).toBe('/invite/tok');
  });
});
