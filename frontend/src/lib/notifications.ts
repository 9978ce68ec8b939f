/**
 * The notification centre of one mediation: the list from
 * `GET /api/mediations/<id>/notifications/`, live `notification` frames on top, and
 * marking read with the `notifications.read` command. A notification shows only its
 * fixed `text`; nothing said in a room ever reaches one.
 */
import type { NotificationFrame } from './socket';

export type Notification = NotificationFrame;

/** Newest first, each once: a live frame and the reloaded list may both carry one. */
export function mergeNotifications(held: readonly Notification[], incoming: readonly Notification[]): Notification[] {
  const byId = new Map<number, Notification>();
  for (const n of held) byId.set(n.id, n);
  for (const n of incoming) {
    const known = byId.get(n.id);
    // Read stays read: a stale copy does not make it unread again.
    byId.set(n.id, known?.read_at && !n.read_at ? { ...n, read_at: known.read_at } : n);
  }
  return [...byId.values()].sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id);
}

export function unreadNotifications(list: readonly Notification[]): number {
  return list.filter((n) => !n.read_at).length;
}

/** Mark these ids (or all, when `ids` is null) read at `when`. */
export function markRead(list: readonly Notification[], ids: readonly number[] | null, when: string): Notification[] {
  return list.map((n) => (!n.read_at && (ids === null || ids.includes(n.id)) ? { ...n, read_at: when } : n));
}

/** The unread ones that lead to `room`: read once the person is there. */
export function unreadFor(list: readonly Notification[], room: string): number[] {
  return list.filter((n) => !n.read_at && n.room === room).map((n) => n.id);
}
