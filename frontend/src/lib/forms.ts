import { tick } from 'svelte';
import { ApiError, messageOf, type FieldErrors } from './api';

/** What a form shows after a failed submit: a message on top and messages per field. */
export interface FormFeedback {
  message: string;
  fields: FieldErrors;
}

/** The aria-describedby value for an input, from the ids that exist. */
export function describedBy(...ids: (string | false | null | undefined)[]): string | undefined {
  const present = ids.filter((id): id is string => typeof id === 'string' && id !== '');
  return present.length > 0 ? present.join(' ') : undefined;
}

/** Split a failed submit into a form-level message and per-field messages. */
export function formErrors(error: unknown): FormFeedback {
  if (error instanceof ApiError) {
    return { message: error.detail, fields: error.fields };
  }
  return { message: messageOf(error), fields: {} };
}

/** Move focus to the first field that has an error, after the DOM shows it. */
export function focusFirstInvalid(form: HTMLFormElement | undefined): void {
  const first = form?.querySelector<HTMLElement>('[aria-invalid="true"]');
  first?.focus();
}

/**
 * The one way a form shows what went wrong: `show` puts the feedback into the
 * component's state, then, once the DOM has the messages, focus moves to the
 * first invalid field so a screen reader reads it out with its message.
 *
 *   catch (error) { await showErrors(form, formErrors(error), show); }
 *   if (hasErrors(local)) { await showErrors(form, { message: '', fields: local }, show); }
 */
export async function showErrors(
  form: HTMLFormElement | undefined,
  feedback: FormFeedback,
  show: (feedback: FormFeedback) => void,
): Promise<void> {
  show(feedback);
  await tick();
  focusFirstInvalid(form);
}

/** True when at least one field has a message. */
export function hasErrors(fields: FieldErrors): boolean {
  return Object.values(fields).some((messages) => messages.length > 0);
}
