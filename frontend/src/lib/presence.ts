/** Who else is looking at or editing what, from the socket's presence map. */
import type { SideRef } from './api';
import type { Issue } from './board';
import type { Editing, PresenceEntry } from './socketProtocol';

export interface Watcher {
  participant: number;
  /** The field they edit on this issue, or null when they only look at it. */
  editing: string | null;
}

/**
 * The other people on an issue of the joint board, once each (a person may have it open in two tabs), those
 * editing first. `me` is left out: you know what you are doing.
 */
export function watchersOf(
  presence: ReadonlyMap<string, PresenceEntry>,
  me: number | null,
  issue: number,
): Watcher[] {
  const byPerson = new Map<number, Watcher>();
  for (const entry of presence.values()) {
    if (entry.participant === me || (entry.room ?? 'joint') !== 'joint') continue;
    const editing = entry.editing?.issue === issue ? entry.editing.field : null;
    if (entry.viewing !== issue && editing === null) continue;
    const known = byPerson.get(entry.participant);
    if (!known || (known.editing === null && editing !== null)) {
      byPerson.set(entry.participant, { participant: entry.participant, editing });
    }
  }
  return [...byPerson.values()].sort(
    (a, b) => Number(b.editing !== null) - Number(a.editing !== null) || a.participant - b.participant,
  );
}

/** The other people editing one field of an issue. */
export function editorsOf(
  presence: ReadonlyMap<string, PresenceEntry>,
  me: number | null,
  issue: number,
  field: string,
): number[] {
  return watchersOf(presence, me, issue)
    .filter((w) => w.editing === field)
    .map((w) => w.participant);
}

const ITEM_NOUNS: Record<string, string> = {
  interest: 'interest',
  option: 'option',
  criterion: 'criterion',
  'criterion-source': 'source of the criterion',
};

/**
 * "the title", "the description", "Alex's position", "the option “Sell and split”"
 * (named when the issue holding it is given, else "an option").
 */
export function fieldLabel(field: string, sides: readonly SideRef[], issue?: Pick<Issue, 'interests' | 'options' | 'criteria'>): string {
  if (field === 'title') return 'the title';
  if (field === 'description') return 'the description';
  if (field.startsWith('position:')) {
    const side = sides.find((s) => String(s.id) === field.slice('position:'.length));
    return side ? `${side.name}’s position` : 'a position';
  }
  const item = /^(interest|option|criterion|criterion-source):(\d+)$/.exec(field);
  if (item) {
    const [, kind = '', id] = item;
    const noun = ITEM_NOUNS[kind] ?? kind;
    const list = kind === 'interest' ? issue?.interests : kind === 'option' ? issue?.options : issue?.criteria;
    const found = list?.find((i) => String(i.id) === id);
    if (found) return `the ${noun} “${short(found.text)}”`;
    return kind === 'criterion-source' ? 'the source of a criterion' : `${kind === 'interest' || kind === 'option' ? 'an' : 'a'} ${noun}`;
  }
  return 'this issue';
}

function short(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  // By whole characters: an emoji is never cut in half.
  const chars = [...flat];
  return chars.length > 40 ? `${chars.slice(0, 39).join('')}…` : flat;
}

/** One or two whole characters for an avatar (lib/input). */
export { initials } from './input';

/** "Sam is editing the title" / "Sam and Alex are editing the title". */
export function editingSentence(names: readonly string[], what: string): string {
  if (names.length === 0) return '';
  const who = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `${who} ${names.length === 1 ? 'is' : 'are'} editing ${what}`;
}

/** Someone with the joint board open now, and what they are on. */
export interface OnlinePerson {
  participant: number;
  viewing: number | null;
  editing: Editing | null;
}

/**
 * Everyone with the joint board open, once each however many tabs they have: `me` first
 * (if connected), then the others by id. Of one person's tabs, the one editing tells
 * most, then one viewing an issue.
 */
export function peopleOnline(presence: ReadonlyMap<string, PresenceEntry>, me: number | null): OnlinePerson[] {
  const byPerson = new Map<number, OnlinePerson>();
  const weight = (p: OnlinePerson): number => (p.editing ? 2 : p.viewing !== null ? 1 : 0);
  for (const entry of presence.values()) {
    if ((entry.room ?? 'joint') !== 'joint') continue;
    const person = { participant: entry.participant, viewing: entry.viewing, editing: entry.editing };
    const known = byPerson.get(entry.participant);
    if (!known || weight(person) > weight(known)) byPerson.set(entry.participant, person);
  }
  return [...byPerson.values()].sort(
    (a, b) => Number(b.participant === me) - Number(a.participant === me) || a.participant - b.participant,
  );
}

/** "Mediator", "Party, Alex", "Attorney, Alex": how someone sits at the table. */
export function seatLabel(role: string, side: string | null): string {
  const roles: Record<string, string> = {
    mediator: 'Mediator',
    party: 'Party',
    attorney: 'Attorney',
    expert: 'Expert',
    observer: 'Observer',
  };
  const label = roles[role] ?? role;
  return side ? `${label}, ${side}` : label;
}

/** "editing the title of “House”", "looking at “House”", "on the board". */
export function activityOf(
  person: Pick<OnlinePerson, 'viewing' | 'editing'>,
  titleOf: (issue: number) => string | null,
  sides: readonly SideRef[],
): string {
  const editing = person.editing ? titleOf(person.editing.issue) : null;
  if (person.editing && editing !== null) {
    // Named items stay unnamed here: "an option of “House”" is short enough for a chip.
    return `editing ${fieldLabel(person.editing.field, sides)} of “${editing}”`;
  }
  const viewing = person.viewing === null ? null : titleOf(person.viewing);
  if (viewing !== null) return `looking at “${viewing}”`;
  return 'on the board';
}

/** Who came and who went between two lists of participant ids. */
export function arrivals(before: readonly number[], after: readonly number[]): { joined: number[]; left: number[] } {
  return {
    joined: after.filter((p) => !before.includes(p)),
    left: before.filter((p) => !after.includes(p)),
  };
}

/**
 * The presence map after `presence` frames, in order (keyed by room and connection): someone
 * came or changed what they look at, or went (`online: false`). Frames that say nothing
 * usable leave the map as it was (the same object).
 */
export function presenceApplied(
  map: ReadonlyMap<string, PresenceEntry>,
  frames: readonly Record<string, unknown>[],
): Map<string, PresenceEntry> {
  const current = map as Map<string, PresenceEntry>;
  let next: Map<string, PresenceEntry> | null = null;
  for (const frame of frames) {
    const connection = frame.connection;
    if (typeof connection !== 'string') continue;
    const room = typeof frame.room === 'string' ? frame.room : 'joint';
    const key = `${room} ${connection}`;
    if (frame.online === false) {
      if (!(next ?? current).has(key)) continue;
      next ??= new Map(current);
      next.delete(key);
    } else if (typeof frame.participant === 'number') {
      next ??= new Map(current);
      next.set(key, {
        room,
        connection,
        participant: frame.participant,
        viewing: typeof frame.viewing === 'number' ? frame.viewing : null,
        editing: isEditing(frame.editing) ? frame.editing : null,
      });
    }
  }
  return next ?? current;
}

function isEditing(value: unknown): value is Editing {
  return (
    typeof value === 'object' && value !== null && typeof (value as Editing).issue === 'number' &&
    typeof (value as Editing).field === 'string'
  );
}
