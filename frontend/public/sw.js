/*
 * Parley's service worker: it shows web push notices and opens the mediation when one is
 * tapped. A notice carries only a fixed text and a link (never what was said), so a
 * locked phone shows nothing private. It caches nothing.
 */
self.addEventListener('push', (event) => {
  let notice = { title: 'Parley', body: 'Something new in your mediation.', url: '/', tag: 'parley' };
  try {
    notice = { ...notice, ...event.data.json() };
  } catch {
    // A push with no readable payload still tells the person to look.
  }
  event.waitUntil(
    self.registration.showNotification(notice.title, {
      body: notice.body,
      tag: notice.tag,
      data: { url: notice.url },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = new URL(event.notification.data?.url || '/', self.location.origin);
  if (url.origin !== self.location.origin) return;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if (new URL(client.url).pathname === url.pathname && 'focus' in client) return client.focus();
      }
      return self.clients.openWindow(url.href);
    }),
  );
});
