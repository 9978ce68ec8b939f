import { getSession, messageOf, type User } from './api';

/** Who is signed in in this tab. Screens read it; only these functions write it. */
export const session = $state<{
  status: 'loading' | 'ready' | 'error';
  user: User | null;
  error: string;
}>({ status: 'loading', user: null, error: '' });

export async function loadSession(): Promise<void> {
  session.status = 'loading';
  try {
    session.user = await getSession();
    session.error = '';
    session.status = 'ready';
  } catch (error) {
    session.error = messageOf(error);
    session.status = 'error';
  }
}

export function signedIn(user: User): void {
  session.user = user;
  session.error = '';
  session.status = 'ready';
}

export function signedOut(): void {
  session.user = null;
  session.status = 'ready';
}
