import { render, screen, fireEvent } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';

vi.mock('../src/lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/lib/api')>();
  return { ...actual, login: vi.fn(), createMediation: vi.fn(), addSide: vi.fn() };
});

import { addSide, ApiError, createMediation, login } from '../src/lib/api';
import AddSideForm from '../src/components/AddSideForm.svelte';
import NewMediationForm from '../src/components/NewMediationForm.svelte';
import TextField from '../src/components/TextField.svelte';
import { formErrors, hasErrors, showErrors } from '../src/lib/forms';
import { session } from '../src/lib/session.svelte';
import SignIn from '../src/screens/SignIn.svelte';

const MEDIATION = '3f2b8c1e-9d4a-4b6f-8e2a-1c5d7f9a0b12';

/** The element an input's aria-describedby names, as one text. */
function description(input: HTMLElement): string {
  return (input.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .filter(Boolean)
    .map((id) => {
      const element = document.getElementById(id);
      if (!element) throw new Error(`aria-describedby names a missing id: ${id}`);
      return element.textContent?.trim();
    })
    .join(' | ');
}

describe('TextField', () => {
  it('labels the input and wires the hint and the errors to it', async () => {
    const { rerender } = render(TextField, {
      id: 'guest-name',
      label: 'Name',
      optional: true,
      hint: 'How others see them.',
      errors: undefined,
    });
    const input = screen.getByLabelText('Name (optional)') as HTMLInputElement;
    expect(input.id).toBe('guest-name');
    expect(input.type).toBe('text');
    expect(input.getAttribute('autocomplete')).toBe('off');
    expect(input.hasAttribute('aria-invalid')).toBe(false);
    expect(description(input)).toBe('How others see them.');

    await rerender({ errors: ['Too long.', 'Use letters.'] });
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(input.getAttribute('aria-describedby')).toBe('guest-name-hint guest-name-error');
    expect(description(input)).toBe('How others see them. | Too long. Use letters.');

    await rerender({ errors: [] });
    expect(input.hasAttribute('aria-invalid')).toBe(false);
    expect(document.getElementById('guest-name-error')).toBeNull();
  });

  it('passes type, name, autocomplete, inputmode and spellcheck through', () => {
    render(TextField, {
      id: 'e',
      label: 'E-mail',
      type: 'email',
      name: 'email',
      autocomplete: 'username',
      inputmode: 'email',
      spellcheck: false,
    });
    const input = screen.getByLabelText('E-mail');
    expect(input.getAttribute('type')).toBe('email');
    expect(input.getAttribute('name')).toBe('email');
    expect(input.getAttribute('autocomplete')).toBe('username');
    expect(input.getAttribute('inputmode')).toBe('email');
    expect(input.getAttribute('spellcheck')).toBe('false');
    expect(input.hasAttribute('aria-describedby')).toBe(false);
  });
});

describe('form helpers', () => {
  it('splits errors and knows when there are any', () => {
    expect(formErrors(new ApiError(400, 'invalid', 'Fix it.', { title: ['Required.'] }))).toEqual({
      message: 'Fix it.',
      fields: { title: ['Required.'] },
    });
    expect(formErrors(new Error('boom')).message).toMatch(/unexpected/);
    expect(hasErrors({})).toBe(false);
    expect(hasErrors({ title: [] })).toBe(false);
    expect(hasErrors({ title: ['Required.'] })).toBe(true);
  });

  it('shows the feedback, then focuses the first invalid field once the DOM has it', async () => {
    const form = document.createElement('form');
    const first = document.createElement('input');
    const second = document.createElement('input');
    form.append(first, second);
    document.body.append(form);
    const feedback = { message: 'Fix it.', fields: { b: ['Bad.'] } };

    const shown = vi.fn(() => second.setAttribute('aria-invalid', 'true'));
    const done = showErrors(form, feedback, shown);
    expect(shown).toHaveBeenCalledWith(feedback);
    await done;
    expect(document.activeElement).toBe(second);
    form.remove();
  });
});

describe('SignIn', () => {
  it('checks both fields before sending, and focuses the first with its message', async () => {
    session.status = 'ready';
    session.user = null;
    render(SignIn);

    await fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    const email = screen.getByLabelText('E-mail');
    const password = screen.getByLabelText('Password');
    await vi.waitFor(() => expect(document.activeElement).toBe(email));
    expect(email.getAttribute('aria-invalid')).toBe('true');
    expect(description(email)).toBe('Enter your e-mail address.');
    expect(description(password)).toBe('Enter your password.');
    expect(email.getAttribute('autocomplete')).toBe('username');
    expect(password.getAttribute('autocomplete')).toBe('current-password');
    expect(login).not.toHaveBeenCalled();
  });

  it('announces a refusal from the server and clears the field errors', async () => {
    session.status = 'ready';
    session.user = null;
    vi.mocked(login).mockRejectedValue(new ApiError(400, 'invalid_credentials', 'E-mail or password is wrong.'));
    render(SignIn);
    await fireEvent.click(screen.getByRole('button', { name: 'Sign in' })); // local errors first
    await fireEvent.input(screen.getByLabelText('E-mail'), { target: { value: 'a@b.c' } });
    await fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'nope' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    await vi.waitFor(() => expect(screen.getByRole('alert').textContent).toContain('E-mail or password is wrong.'));
    expect(login).toHaveBeenCalledWith('a@b.c', 'nope');
    expect(screen.getByLabelText('E-mail').hasAttribute('aria-invalid')).toBe(false);
    expect(screen.getByLabelText('Password').hasAttribute('aria-invalid')).toBe(false);
  });
});

describe('NewMediationForm', () => {
  it('puts a server message on the side it is about and focuses that input', async () => {
    vi.mocked(createMediation).mockRejectedValue(
      new ApiError(400, 'invalid', 'Please correct the highlighted fields.', {
        'sides.1': ['Side names must be different.'],
      }),
    );
    render(NewMediationForm, { oncreated: vi.fn() });
    await fireEvent.input(screen.getByLabelText('Title'), { target: { value: 'Smith v. Jones' } });
    await fireEvent.input(screen.getByLabelText('Side 1 name'), { target: { value: 'Alex' } });
    await fireEvent.input(screen.getByLabelText('Side 2 name'), { target: { value: 'Alex' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Create mediation' }));

    const second = screen.getByLabelText('Side 2 name');
    await vi.waitFor(() => expect(document.activeElement).toBe(second));
    expect(second.getAttribute('aria-invalid')).toBe('true');
    expect(description(second)).toBe('Side names must be different.');
    expect(screen.getByLabelText('Side 1 name').hasAttribute('aria-invalid')).toBe(false);
    expect(screen.getByRole('alert').textContent).toContain('Please correct the highlighted fields.');
    expect(createMediation).toHaveBeenCalledWith('Smith v. Jones', ['Alex', 'Alex'], 'EUR');
  });

  it('offers a remove button beside each side only above two sides, with unique ids', async () => {
    render(NewMediationForm, { oncreated: vi.fn() });
    expect(screen.queryByRole('button', { name: /^Remove side/ })).toBeNull();

    await fireEvent.click(screen.getByRole('button', { name: 'Add a side' }));
    const third = screen.getByLabelText('Side 3 name');
    expect(document.activeElement).toBe(third);
    expect(screen.getAllByRole('button', { name: /^Remove side/ })).toHaveLength(3);

    await fireEvent.click(screen.getByRole('button', { name: 'Create mediation' }));
    await vi.waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Title')));
    expect(description(third)).toBe('Enter a name for this side, or remove it.');
    const ids = [...document.querySelectorAll('[id]')].map((element) => element.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(createMediation).not.toHaveBeenCalled();
  });
});

describe('AddSideForm', () => {
  it('shows any failure next to its only input and focuses it', async () => {
    vi.mocked(addSide).mockRejectedValue(new ApiError(403, 'permission_denied', 'Only the mediator can add sides.'));
    const onadded = vi.fn();
    render(AddSideForm, { mediationId: MEDIATION, onadded });
    const input = screen.getByLabelText('New side name');

    await fireEvent.click(screen.getByRole('button', { name: 'Add side' }));
    await vi.waitFor(() => expect(document.activeElement).toBe(input));
    expect(description(input)).toBe('Enter a name for the new side.');
    expect(addSide).not.toHaveBeenCalled();

    await fireEvent.input(input, { target: { value: 'Carol' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Add side' }));
    await vi.waitFor(() => expect(description(input)).toBe('Only the mediator can add sides.'));
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(addSide).toHaveBeenCalledWith(MEDIATION, 'Carol');
    expect(onadded).not.toHaveBeenCalled();
  });

  it('clears the input after adding', async () => {
    vi.mocked(addSide).mockResolvedValue({ id: 5, name: 'Carol' });
    const onadded = vi.fn();
    render(AddSideForm, { mediationId: MEDIATION, onadded });
    const input = screen.getByLabelText('New side name') as HTMLInputElement;

    await fireEvent.input(input, { target: { value: '  Carol ' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Add side' }));

    await vi.waitFor(() => expect(onadded).toHaveBeenCalledWith({ id: 5, name: 'Carol' }));
    expect(input.value).toBe('');
    expect(input.hasAttribute('aria-invalid')).toBe(false);
  });
});
