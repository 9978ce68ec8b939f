/**
 * What people type, read as they mean it: amounts in the forms people write them, text
 * within its limit (told as one nears it, refused past it, never cut), and the initials
 * of any name, emoji and non-Latin scripts included.
 */

// --- amounts ----------------------------------------------------------------

export type AmountResult = { ok: true; value: string | null } | { ok: false; message: string };

const SPACES = /[\s\u00a0\u202f]/g;

/**
 * An optional money amount as the server takes it ("55000.50"), from what a person
 * types: 55,000 · 55 000 · 55000 · 55000.50 · 55,000.5. A currency sign, a "k" or any
 * other letter is refused with a hint: the amount's currency is the mediation's own.
 */
export function parseAmount(raw: string): AmountResult {
  const text = raw.trim();
  if (text === '') return { ok: true, value: null };
  if (/[^\d\s\u00a0\u202f,.]/.test(text)) {
    const sign = /^-/.test(text) ? 'An amount cannot be below zero.' : null;
    return {
      ok: false,
      message: sign ?? 'Write the amount in figures only, like 55,000 or 55000.50: no currency sign, no “k”.',
    };
  }
  const plain = /^\d+(\.\d+)?$/;
  const commas = /^\d{1,3}(,\d{3})+(\.\d+)?$/;
  const spaced = /^\d{1,3}( \d{3})+(\.\d+)?$/;
  const single = text.replace(SPACES, ' ');
  const shape = plain.test(single) || commas.test(single) || spaced.test(single);
  if (!shape) {
    return { ok: false, message: 'That is not an amount we can read. Write it like 55,000 or 55000.50.' };
  }
  const digits = single.replace(/[ ,]/g, '');
  const [whole = '', cents = ''] = digits.split('.');
  if (cents.length > 2) return { ok: false, message: 'Use at most two decimals, like 55000.50.' };
  const units = whole.replace(/^0+(?=\d)/, '');
  if (units.length > 12) return { ok: false, message: 'That amount is too large: keep it below 1,000,000,000,000.' };
  return { ok: true, value: `${units}.${cents.padEnd(2, '0')}` };
}

/** An amount in the mediation's currency, as people read it: "€120,000", "€120,000.50". */
export function formatMoney(amount: string | number, currency: string, locale?: string): string {
  const value = Number(amount);
  if (!Number.isFinite(value)) return String(amount);
  const whole = Number.isInteger(value);
  try {
    return new Intl.NumberFormat(locale ?? 'en', {
      style: 'currency',
      currency: currency || 'EUR',
      minimumFractionDigits: whole ? 0 : 2,
      maximumFractionDigits: 2,
    }).format(value);
  } catch {
    return `${value.toLocaleString(locale ?? 'en', { minimumFractionDigits: whole ? 0 : 2 })} ${currency}`;
  }
}

// --- limits -------------------------------------------------------------------

/** Characters as the server counts them (Unicode code points, as Python's len). */
export function characters(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/** The share of a limit from which the count is shown. */
export const NEAR = 0.8;

/** What to say under a limited field holding `length` characters; '' while far from it. */
export function limitNote(length: number, max: number): string {
  if (length < Math.floor(max * NEAR)) return '';
  if (length > max) return `${length.toLocaleString('en')} of ${max.toLocaleString('en')} characters: ${(length - max).toLocaleString('en')} too many.`;
  if (length === max) return `${max.toLocaleString('en')} of ${max.toLocaleString('en')} characters: that is the limit.`;
  return `${length.toLocaleString('en')} of ${max.toLocaleString('en')} characters`;
}

/** Why a change was refused: it would have made the text `length` long. */
export function limitRefusal(length: number, max: number): string {
  return `Not added: that would make ${length.toLocaleString('en')} characters, and the limit here is ${max.toLocaleString('en')}. Shorten it first.`;
}

let noteCount = 0;

/**
 * A Svelte action for a text field with a limit: a line under it counts the characters
 * once 80% of the limit is used, and a change that would go past the limit (typing,
 * pasting, dictating) is refused and says so, rather than being cut silently as the
 * browser's maxlength does. The server refuses over-long text too; this is so that no
 * one loses words without being told.
 */
export function limit(node: HTMLInputElement | HTMLTextAreaElement, max: number | undefined) {
  // No limit (a TextField given none): nothing to count, nothing added to the page.
  if (!max) return { update(): void {}, destroy(): void {} };
  let top = max;
  let accepted = node.value;
  let restoring = false;
  const note = document.createElement('p');
  note.className = 'limit-note';
  note.id = `limit-note-${++noteCount}`;
  note.setAttribute('aria-live', 'polite');
  note.dataset.limitNote = '';
  node.insertAdjacentElement('afterend', note);
  const describedBy = node.getAttribute('aria-describedby');
  node.setAttribute('aria-describedby', describedBy ? `${describedBy} ${note.id}` : note.id);

  function show(text: string, refused: boolean): void {
    note.textContent = text;
    note.classList.toggle('refused', refused);
  }

  function onInput(): void {
    if (!top) return;
    const length = characters(node.value);
    if (length > top && length > characters(accepted)) {
      const at = node.selectionStart;
      const grew = node.value.length - accepted.length;
      node.value = accepted;
      if (at !== null) node.setSelectionRange(Math.max(0, at - grew), Math.max(0, at - grew));
      show(limitRefusal(length, top), true);
      // Bound values (Svelte's bind:value) take the refused change back too.
      restoring = true;
      node.dispatchEvent(new Event('input', { bubbles: true }));
      restoring = false;
      return;
    }
    if (restoring) return;
    accepted = node.value;
    show(limitNote(length, top), false);
  }

  function onFocus(): void {
    if (!top) return;
    accepted = node.value;
    show(limitNote(characters(node.value), top), false);
  }

  node.addEventListener('input', onInput);
  node.addEventListener('focus', onFocus);
  return {
    update(next: number): void {
      top = next;
    },
    destroy(): void {
      node.removeEventListener('input', onInput);
      node.removeEventListener('focus', onFocus);
      note.remove();
    },
  };
}

// --- initials -------------------------------------------------------------------

interface GraphemeSegmenter {
  segment(text: string): Iterable<{ segment: string }>;
}
type SegmenterClass = new (locale: undefined, options: { granularity: 'grapheme' }) => GraphemeSegmenter;

function graphemes(text: string): string[] {
  // Intl.Segmenter is in every browser Parley supports; the type library here predates it.
  const Segmenter = (Intl as unknown as { Segmenter?: SegmenterClass }).Segmenter;
  if (Segmenter) return [...new Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].map((s) => s.segment);
  return [...text];
}

const LETTER = /^[\p{L}\p{N}]/u;

/**
 * One or two initials for an avatar, whole characters only: "Dana Reyes 🌻" → "DR",
 * "🌻" → "🌻", "Łukasz Żak" → "ŁŻ", "张伟" → "张", "Ayşe" → "A". Words that start with a
 * letter or digit are preferred; a name of symbols only gives its first.
 */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  const firsts = words.map((word) => graphemes(word)[0] ?? '');
  const lettered = firsts.filter((g) => LETTER.test(g));
  if (lettered.length === 0) return firsts[0] ?? '?';
  const first = lettered[0] ?? '';
  const last = lettered.length > 1 ? (lettered[lettered.length - 1] ?? '') : '';
  // Scripts without case (Chinese, Japanese, Korean) read best as one sign.
  if (!/\p{Lu}|\p{Ll}/u.test(first)) return first;
  return (first + last).toLocaleUpperCase();
}
