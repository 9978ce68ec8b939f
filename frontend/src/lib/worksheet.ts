/**
 * The reality-check worksheet as a form: text in, checked values out. Pure, so the rules
 * are tested without a browser; the server checks the same again.
 */
import type { Worksheet } from './caucus';
import { parseAmount as readAmount } from './input';
import type { WorksheetFields } from './caucusRooms';

export interface WorksheetForm {
  best_alternative: string;
  worst_alternative: string;
  likely_court_outcome: string;
  court_cost: string;
  court_months: string;
  confidence: string;
  range_low: string;
  range_high: string;
}

export type WorksheetErrors = Partial<Record<keyof WorksheetForm, string>>;

export function worksheetForm(sheet: Worksheet | null): WorksheetForm {
  const text = (value: string | null | undefined) => value ?? '';
  const number = (value: number | null | undefined) => (value === null || value === undefined ? '' : String(value));
  return {
    best_alternative: text(sheet?.best_alternative),
    worst_alternative: text(sheet?.worst_alternative),
    likely_court_outcome: text(sheet?.likely_court_outcome),
    court_cost: text(sheet?.court_cost),
    court_months: number(sheet?.court_months),
    confidence: number(sheet?.confidence),
    range_low: text(sheet?.range_low),
    range_high: text(sheet?.range_high),
  };
}

/** "12,500" or "12 500.5" → "12500.50"; '' → null; anything else → undefined (invalid).
 * The same reading as every amount (lib/input). */
export function parseAmount(raw: string): string | null | undefined {
  const read = readAmount(raw);
  return read.ok ? read.value : undefined;
}

function parseWhole(raw: string, top: number): number | null | undefined {
  const cleaned = raw.trim();
  if (cleaned === '') return null;
  if (!/^\d+$/.test(cleaned)) return undefined;
  const value = Number(cleaned);
  return value <= top ? value : undefined;
}

/** The values to send, or the messages to show by field. */
export function worksheetFields(form: WorksheetForm): { fields: WorksheetFields } | { errors: WorksheetErrors } {
  const errors: WorksheetErrors = {};
  const amount = (key: 'court_cost' | 'range_low' | 'range_high'): string | null => {
    const read = readAmount(form[key]);
    if (!read.ok) errors[key] = read.message;
    return read.ok ? read.value : null;
  };
  const court_cost = amount('court_cost');
  const range_low = amount('range_low');
  const range_high = amount('range_high');
  const court_months = parseWhole(form.court_months, 600);
  if (court_months === undefined) errors.court_months = 'Enter a whole number of months, up to 600.';
  const confidence = parseWhole(form.confidence, 100);
  if (confidence === undefined) errors.confidence = 'Enter a whole number from 0 to 100.';
  if (range_low !== null && range_high !== null && Number(range_low) > Number(range_high)) {
    errors.range_low = 'The low end must not be above the high end.';
  }
  if (Object.keys(errors).length > 0) return { errors };
  return {
    fields: {
      best_alternative: form.best_alternative.trim(),
      worst_alternative: form.worst_alternative.trim(),
      likely_court_outcome: form.likely_court_outcome.trim(),
      court_cost,
      court_months: court_months ?? null,
      confidence: confidence ?? null,
      range_low,
      range_high,
    },
  };
}
