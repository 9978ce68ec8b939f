import { ApiError, messageOf, type FieldErrors } from './api';

/** The aria-describedby value for an input, from the ids that exist. */
export function describedBy(...ids: (string | false | null | undefined)[]): string | undefined {
  const present = ids.filter((id): id is string => typeof id === 'string' && id !== '');
  return present.length > 0 ? present.join(' ') : undefined;
}

/** Split a failed submit into a form-level message and per-field messages. */
export function formErrors(error: unknown): { message: string; fields: FieldErrors } {
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
