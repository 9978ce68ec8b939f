import type { Role } from './api';

export const ROLES: readonly Role[] = ['party', 'attorney', 'expert', 'observer', 'mediator'];

const ROLE_LABELS: Record<Role, string> = {
  mediator: 'Mediator',
  party: 'Party',
  attorney: 'Attorney',
  expert: 'Expert or advisor',
  observer: 'Observer',
};

export function roleLabel(role: Role): string {
  return ROLE_LABELS[role] ?? role;
}

/** Labels for the invite form's role choice, which say what each role can do. */
export const ROLE_CHOICES: Record<Role, string> = {
  party: 'Party',
  attorney: 'Attorney',
  expert: 'Expert or advisor',
  observer: 'Observer (read only)',
  mediator: 'Co-mediator',
};

/** Whether an invitation for `role` needs a side. */
export function sideRule(role: Role): 'required' | 'optional' | 'hidden' {
  if (role === 'party' || role === 'attorney') return 'required';
  if (role === 'expert') return 'optional';
  return 'hidden';
}

/** "as the party for Alex", "as an observer", … for the invitation landing. */
export function invitationRolePhrase(role: Role, sideName: string | null): string {
  const forSide = sideName ? ` for ${sideName}` : '';
  switch (role) {
    case 'party':
      return `as the party${forSide}`;
    case 'attorney':
      return `as the attorney${forSide}`;
    case 'expert':
      return `as an expert or advisor${forSide}`;
    case 'observer':
      return 'as an observer';
    case 'mediator':
      return 'as a co-mediator';
    default:
      return `as ${String(role)}${forSide}`;
  }
}

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** "14:35": the time of day, for "back at". */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** "9:05" or "1:02:00": what is left of a countdown, never below zero. */
export function formatLeft(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}
