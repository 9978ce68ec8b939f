import { getContext, setContext } from 'svelte';
import type { Participant, SideRef } from './api';
import type { BoardSession } from './boardSession';

/** What every part of an open board needs: the session and who is who. */
export interface BoardContext {
  session: BoardSession;
  readonly sides: readonly SideRef[];
  /** A participant's display name, by participant id. */
  nameOf(participant: number | null): string;
  /** Who a participant is (name, role, side), if the list has them yet. */
  personOf?(participant: number): Pick<Participant, 'id' | 'name' | 'role' | 'side'> | undefined;
}

const KEY = Symbol('board');

export function setBoardContext(context: BoardContext): void {
  setContext(KEY, context);
}

export function boardContext(): BoardContext {
  const context = getContext<BoardContext | undefined>(KEY);
  if (!context) throw new Error('boardContext() outside a board');
  return context;
}
