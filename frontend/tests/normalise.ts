/**
 * Boards and snapshots in one comparable form (ids sorted, pending marks dropped), for
 * tests that hold the client's board against the server's.
 */
import type { BoardState, Issue, JointData } from '../src/lib/board';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function normalisedBoard(state: BoardState, keys: readonly (keyof JointData)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (key === 'issues') out.issues = normalisedIssues(state.issues);
    else if (key === 'mediation') out.mediation = normalised(state.mediation);
    else out[key] = normalised(Object.values(state[key] ?? {}));
  }
  return out;
}

/** The same shape from a snapshot's `data`. */
export function normalisedData(data: JointData, keys: readonly (keyof JointData)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    out[key] = key === 'issues' ? normalisedIssues(data.issues ?? []) : normalised(data[key] ?? (key === 'mediation' ? null : []));
  }
  return out;
}

function normalised(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(normalised);
    if (items.every((item) => isRecord(item) && 'id' in item)) {
      items.sort((a, b) => Number((a as { id: number }).id) - Number((b as { id: number }).id));
    }
    return items;
  }
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) if (key !== 'pending') out[key] = normalised(value[key]);
    return out;
  }
  return value;
}

/**
 * Issues and everything on them sorted by id, without client-only marks: two boards
 * compare equal when they hold the same things, whatever order they were listed in.
 */
export function normalisedIssues(issues: Readonly<Record<number, Issue>> | readonly Issue[]): unknown[] {
  const sort = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      const items = value.map(sort);
      if (items.every((item) => isRecord(item) && 'id' in item)) {
        items.sort((a, b) => Number((a as { id: number }).id) - Number((b as { id: number }).id));
      }
      return items;
    }
    if (isRecord(value)) {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value).sort()) out[key] = sort(value[key]);
      return out;
    }
    return value;
  };
  const list = Array.isArray(issues) ? issues : Object.values(issues);
  return sort(list) as unknown[];
}
