/**
 * Web push for this browser: register the service worker (/sw.js), subscribe with the
 * server's VAPID key and hand the subscription to the server, or undo both. The server
 * sends only a notice's fixed text and a link.
 */
import { pushSubscribe, pushUnsubscribe } from './api';

export function pushSupported(): boolean {
  return typeof window !== 'undefined' && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

/** The VAPID key as the Push API takes it. */
export function keyBytes(base64url: string): Uint8Array {
  const padded = (base64url + '='.repeat((4 - (base64url.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(padded);
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

function encode(buffer: ArrayBuffer | null): string {
  if (!buffer) return '';
  const bytes = String.fromCharCode(...new Uint8Array(buffer));
  return btoa(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Ask the person's permission, subscribe, and tell the server. Throws with a sentence. */
export async function pushEnable(vapidKey: string): Promise<void> {
  if (!pushSupported()) throw new Error('This browser cannot show notifications from Parley.');
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') {
    throw new Error('Notifications are blocked for Parley in this browser. Allow them in its settings, then try again.');
  }
  const registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  await navigator.serviceWorker.ready;
  const subscription =
    (await registration.pushManager.getSubscription()) ??
    (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(vapidKey) as BufferSource }));
  await pushSubscribe({
    endpoint: subscription.endpoint,
    keys: { p256dh: encode(subscription.getKey('p256dh')), auth: encode(subscription.getKey('auth')) },
  });
}

/** Forget this browser's subscription, here and on the server. */
export async function pushDisable(): Promise<void> {
  if (!pushSupported()) return;
  const registration = await navigator.serviceWorker.getRegistration('/');
  const subscription = await registration?.pushManager.getSubscription();
  if (!subscription) return;
  await pushUnsubscribe(subscription.endpoint).catch(() => undefined);
  await subscription.unsubscribe();
}
