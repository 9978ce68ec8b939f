import { cleanup, render, screen, fireEvent } from '@testing-library/svelte';
import { tick } from 'svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../src/lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/lib/api')>();
  return { ...actual, previewInvitation: vi.fn(), redeemInvitation: vi.fn(), resendInvitation: vi.fn() };
});

import {
  ApiError,
  previewInvitation,
  redeemInvitation,
  resendInvitation,
  type InvitationPreview,
} from '../src/lib/api';
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

/** Open the invite screen as if from the link in the e-mail. */
function open(url = '/invite#tok'): void {
  window.history.replaceState(null, '', url);
  render(InviteLanding);
}

/** Let pending promises and DOM updates settle. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await tick();
}

beforeEach(() => {
  window.history.replaceState(null, '', '/');
  session.user = null;
  session.status = 'ready';
});

describe('InviteLanding', () => {
  it('reads the token from the fragment and asks for the preview with it', async () => {
    vi.mocked(previewInvitation).mockResolvedValue(preview);

    open('/invite#abc%3A1tZ%3Axyz');

    await screen.findByRole('button', { name: 'Join the mediation' });
    expect(previewInvitation).toHaveBeenCalledTimes(1);
    expect(previewInvitation).toHaveBeenCalledWith('abc:1tZ:xyz');
  });

  it('removes the token from the address before asking the server anything', async () => {
    const seenByPreview: string[] = [];
    vi.mocked(previewInvitation).mockImplementation(() => {
      seenByPreview.push(window.location.href);
      return new Promise<InvitationPreview>(() => undefined); // still loading
    });
    window.history.replaceState({ from: 'mail' }, '', '/invite#secret-token');
    const entries = window.history.length;

    render(InviteLanding);

    // Right after the first render, not after the answer.
    expect(window.location.pathname).toBe('/invite');
    expect(window.location.hash).toBe('');
    expect(window.location.href).not.toContain('secret-token');
    expect(window.history.length).toBe(entries); // replaced, not a new entry
    expect(window.history.state).toEqual({ from: 'mail' });
    await settle();
    expect(seenByPreview).toHaveLength(1);
    expect(seenByPreview[0]).not.toContain('secret-token');
    expect(previewInvitation).toHaveBeenCalledWith('secret-token');
    expect(screen.getByRole('status').textContent).toContain('Opening your invitation');
  });

  it('shows who invites whom to what, and spends nothing until the button is pressed', async () => {
    vi.mocked(previewInvitation).mockResolvedValue(preview);
    vi.mocked(redeemInvitation).mockResolvedValue({ user: alex, mediation: preview.mediation });

    open();

    const button = await screen.findByRole('button', { name: 'Join the mediation' });
    expect(screen.getByRole('heading', { level: 1 })).toBeTruthy();
    const lead = screen.getByText(/invites you to join/);
    expect(lead.textContent?.replace(/\s+/g, ' ').trim()).toBe(
      'Maya Mediator invites you to join Smith v. Jones as the party for Alex.',
    );
    await settle();
    expect(redeemInvitation).not.toHaveBeenCalled();
    expect(session.user).toBeNull();

    await fireEvent.click(button);
    expect(redeemInvitation).toHaveBeenCalledTimes(1);
    expect(redeemInvitation).toHaveBeenCalledWith('tok');
  });

  it('redeems on the button and goes to my mediations, signed in', async () => {
    vi.mocked(previewInvitation).mockResolvedValue(preview);
    vi.mocked(redeemInvitation).mockResolvedValue({ user: alex, mediation: preview.mediation });

    open();
    await fireEvent.click(await screen.findByRole('button', { name: 'Join the mediation' }));

    await vi.waitFor(() => expect(window.location.pathname).toBe('/'));
    expect(redeemInvitation).toHaveBeenCalledWith('tok');
    expect(session.user).toEqual(alex);
  });

  it('shows "Invitation not found" without asking the server when the link has no token', async () => {
    for (const url of ['/invite', '/invite/', '/invite#', '/invite#%E0%A4%A']) {
      open(url);

      await screen.findByRole('heading', { level: 1, name: 'Invitation not found' });
      expect(
        screen.getByText('This invitation link is not valid. Check that you copied the whole link.'),
      ).toBeTruthy();
      expect(screen.getByText(/ask the mediator to send you a new invitation/)).toBeTruthy();
      expect(screen.queryByRole('button', { name: 'Join the mediation' })).toBeNull();
      expect(window.location.pathname + window.location.hash).toBe('/invite');
      cleanup();
    }
    expect(previewInvitation).not.toHaveBeenCalled();
    expect(redeemInvitation).not.toHaveBeenCalled();
  });

  it('moves the token of a legacy /invite/<token> link out of the address too', async () => {
    vi.mocked(previewInvitation).mockResolvedValue(preview);

    open('/invite/legacy-tok');

    expect(window.location.pathname).toBe('/invite');
    await screen.findByRole('button', { name: 'Join the mediation' });
    expect(previewInvitation).toHaveBeenCalledWith('legacy-tok');
  });

  it('follows a second invitation link opened in the same tab', async () => {
    vi.mocked(previewInvitation).mockResolvedValueOnce(preview);
    vi.mocked(previewInvitation).mockResolvedValueOnce({
      ...preview,
      mediation: { id: '9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d', title: 'Lee v. Park' },
    });
    vi.mocked(redeemInvitation).mockResolvedValue({ user: alex, mediation: preview.mediation });

    open('/invite#first');
    await screen.findByText(/Smith v\. Jones/);

    window.history.replaceState(null, '', '/invite#second');
    window.dispatchEvent(new HashChangeEvent('hashchange'));

    await screen.findByText(/Lee v\. Park/);
    expect(window.location.hash).toBe('');
    expect(previewInvitation).toHaveBeenLastCalledWith('second');
    await fireEvent.click(screen.getByRole('button', { name: 'Join the mediation' }));
    expect(redeemInvitation).toHaveBeenCalledWith('second');
  });

  it('shows the expired page', async () => {
    vi.mocked(previewInvitation).mockRejectedValue(
      new ApiError(410, 'invitation_expired', 'This invitation expired on 1 May 2030.'),
    );

    open();

    const heading = await screen.findByRole('heading', { level: 1, name: 'This invitation has expired' });
    expect(heading).toBeTruthy();
    expect(screen.getByText('This invitation expired on 1 May 2030.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Join the mediation' })).toBeNull();
  });

  it('shows the used page with a link to my mediations', async () => {
    vi.mocked(previewInvitation).mockRejectedValue(
      new ApiError(410, 'invitation_used', 'This invitation has already been used.'),
    );

    open();

    await screen.findByRole('heading', { level: 1, name: 'This link has already been used' });
    expect(screen.getByText(/you are probably signed in already/)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Go to my mediations' }).getAttribute('href')).toBe('/');
  });

  it('shows the not-found page with the server message', async () => {
    const detail = 'This invitation link is not valid. Check that you copied the whole link.';
    vi.mocked(previewInvitation).mockRejectedValue(new ApiError(404, 'invitation_not_found', detail));

    open();

    await screen.findByRole('heading', { level: 1, name: 'Invitation not found' });
    expect(screen.getByText(detail)).toBeTruthy();
  });

  it('keeps the token for "Try again" after a failed preview', async () => {
    vi.mocked(previewInvitation).mockRejectedValueOnce(new ApiError(0, 'network_error', 'Could not reach Parley.'));
    vi.mocked(previewInvitation).mockResolvedValueOnce(preview);

    open();
    await fireEvent.click(await screen.findByRole('button', { name: 'Try again' }));

    await screen.findByRole('button', { name: 'Join the mediation' });
    expect(previewInvitation).toHaveBeenCalledTimes(2);
    expect(previewInvitation).toHaveBeenLastCalledWith('tok');
  });

  it('keeps the button and shows the message when redeeming is throttled', async () => {
    vi.mocked(previewInvitation).mockResolvedValue(preview);
    vi.mocked(redeemInvitation).mockRejectedValue(
      new ApiError(429, 'rate_limited', 'Too many attempts. Try again in 5 minutes.'),
    );

    open();
    await fireEvent.click(await screen.findByRole('button', { name: 'Join the mediation' }));

    expect((await screen.findByRole('alert')).textContent).toContain('Too many attempts. Try again in 5 minutes.');
    expect(screen.getByRole('button', { name: 'Join the mediation' })).toBeTruthy();
    expect(window.location.pathname).toBe('/invite');
  });

  it('explains a refused shown link and e-mails a fresh one on request', async () => {
    const detail = 'This address already has a Parley account, and this link was shown to the person who made it.';
    vi.mocked(previewInvitation).mockResolvedValue(preview);
    vi.mocked(redeemInvitation).mockRejectedValue(new ApiError(403, 'invitation_email_only', detail));
    vi.mocked(resendInvitation).mockResolvedValue({ detail: 'We are e-mailing a fresh link.' });

    open();
    await fireEvent.click(await screen.findByRole('button', { name: 'Join the mediation' }));

    await screen.findByRole('heading', { level: 1, name: 'This link cannot sign you in' });
    expect(screen.getByText(detail)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Join the mediation' })).toBeNull();
    expect(session.user).toBeNull();
    expect(window.location.pathname).toBe('/invite');

    await fireEvent.click(screen.getByRole('button', { name: 'E-mail me a fresh link' }));
    expect(resendInvitation).toHaveBeenCalledWith('tok');
    expect((await screen.findByRole('status')).textContent).toContain('We are e-mailing a fresh link.');
    expect(screen.queryByRole('button', { name: 'E-mail me a fresh link' })).toBeNull();
  });

  it('keeps the fresh-link button and says why when asking again is throttled', async () => {
    vi.mocked(previewInvitation).mockResolvedValue(preview);
    vi.mocked(redeemInvitation).mockRejectedValue(new ApiError(403, 'invitation_email_only', 'Refused.'));
    vi.mocked(resendInvitation).mockRejectedValue(
      new ApiError(429, 'rate_limited', 'A fresh link was sent several times already.'),
    );

    open();
    await fireEvent.click(await screen.findByRole('button', { name: 'Join the mediation' }));
    await fireEvent.click(await screen.findByRole('button', { name: 'E-mail me a fresh link' }));

    expect((await screen.findByRole('alert')).textContent).toContain('sent several times already');
    expect(screen.getByRole('button', { name: 'E-mail me a fresh link' })).toBeTruthy();
  });
});
