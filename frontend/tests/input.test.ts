import { describe, expect, it } from 'vitest';
import { characters, formatMoney, initials, limit, limitNote, limitRefusal, parseAmount } from '../src/lib/input';

describe('parseAmount', () => {
  it('reads the forms people type', () => {
    for (const [typed, value] of [
      ['55,000', '55000.00'],
      ['55 000', '55000.00'],
      ['55\u00a0000', '55000.00'],
      ['55000', '55000.00'],
      ['55000.50', '55000.50'],
      ['55,000.5', '55000.50'],
      ['1,234,567.89', '1234567.89'],
      [' 0 ', '0.00'],
      ['007', '7.00'],
    ]) {
      expect(parseAmount(typed as string), typed).toEqual({ ok: true, value });
    }
  });

  it('takes an empty field as no amount', () => {
    expect(parseAmount('  ')).toEqual({ ok: true, value: null });
  });

  it('refuses a currency sign or a "k" with a hint, and other shapes plainly', () => {
    for (const typed of ['€55k', '55k', '$55,000', '55000 EUR']) {
      const result = parseAmount(typed);
      expect(result.ok, typed).toBe(false);
      if (!result.ok) expect(result.message).toContain('no currency sign');
    }
    for (const typed of ['55,00', '5,5000', '55 00', '55.000.00', '1.2.3', ',5']) {
      expect(parseAmount(typed).ok, typed).toBe(false);
    }
    expect(parseAmount('-5')).toEqual({ ok: false, message: 'An amount cannot be below zero.' });
    expect(parseAmount('5.555')).toEqual({ ok: false, message: 'Use at most two decimals, like 55000.50.' });
    expect(parseAmount('1,000,000,000,000').ok).toBe(false);
  });
});

describe('formatMoney', () => {
  it('writes an amount in the mediation’s currency, without cents when there are none', () => {
    expect(formatMoney('120000.00', 'EUR')).toBe('€120,000');
    expect(formatMoney('120000.50', 'EUR')).toBe('€120,000.50');
    expect(formatMoney('250000', 'USD')).toBe('$250,000');
    expect(formatMoney('99', 'CHF')).toMatch(/^CHF\s?99$/);
  });
});

describe('limits', () => {
  it('counts characters as the server does, an emoji as one', () => {
    expect(characters('ab🌻')).toBe(3);
    expect('ab🌻'.length).toBe(4);
  });

  it('says nothing far from the limit, counts near it, and says when it is reached', () => {
    expect(limitNote(159, 200)).toBe('');
    expect(limitNote(160, 200)).toBe('160 of 200 characters');
    expect(limitNote(200, 200)).toBe('200 of 200 characters: that is the limit.');
    expect(limitRefusal(6000, 5000)).toBe('Not added: that would make 6,000 characters, and the limit here is 5,000. Shorten it first.');
  });
});

describe('initials', () => {
  it('takes whole characters, letters first', () => {
    expect(initials('Dana 🌻')).toBe('D');
    expect(initials('Dana Reyes 🌻')).toBe('DR');
    expect(initials('🌻')).toBe('🌻');
    expect(initials('👩‍👩‍👧 family')).toBe('F');
    expect(initials('łukasz żak')).toBe('ŁŻ');
    expect(initials('张伟')).toBe('张');
    expect(initials('Олена Коваль')).toBe('ОК');
    expect(initials('  ')).toBe('?');
    // No half of a character: encodeURIComponent throws on a lone surrogate.
    for (const name of ['Dana 🌻', '🌻 🌼', '👩‍👩‍👧', '𝒜lex 𝒵']) expect(() => encodeURIComponent(initials(name)), name).not.toThrow();
    expect(() => encodeURIComponent('D\ud83c')).toThrow();
  });
});

describe('the limit action', () => {
  function field(max: number, value = ''): { input: HTMLTextAreaElement; note: () => HTMLElement; stop: () => void } {
    document.body.innerHTML = '<form><textarea></textarea></form>';
    const input = document.querySelector('textarea') as HTMLTextAreaElement;
    input.value = value;
    const action = limit(input, max);
    const note = () => document.getElementById(input.getAttribute('aria-describedby') ?? '') as HTMLElement;
    return { input, note, stop: () => action.destroy() };
  }

  function type(input: HTMLTextAreaElement, value: string): void {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }

  it('counts near the limit and refuses a change past it, keeping what was there', () => {
    const { input, note, stop } = field(10);
    type(input, 'abcdefg');
    expect(note().textContent).toBe('');
    type(input, 'abcdefgh');
    expect(note().textContent).toBe('8 of 10 characters');
    type(input, 'abcdefgh' + 'x'.repeat(20));
    expect(input.value).toBe('abcdefgh');
    expect(note().textContent).toBe(limitRefusal(28, 10));
    expect(note().classList.contains('refused')).toBe(true);
    type(input, 'abcdefghij');
    expect(note().textContent).toBe('10 of 10 characters: that is the limit.');
    stop();
    expect(input.getAttribute('aria-describedby')).toBeTruthy();
    expect(document.querySelector('[data-limit-note]')).toBeNull();
  });

  it('lets text that came in too long be shortened', () => {
    const { input, note } = field(5, 'abcdefgh');
    input.dispatchEvent(new Event('focus'));
    type(input, 'abcdefg');
    expect(input.value).toBe('abcdefg');
    expect(note().textContent).toBe('7 of 5 characters: 2 too many.');
  });
});
