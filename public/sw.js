// Sagascope's service worker: keeps the page working with the network gone.
//
// On install it stores every file of this build (the list and the version below are written by
// scripts/lib/offline.py when the page is built) in a cache of this version's own, and on
// activation it deletes the caches of other versions, so a page is never put together from two
// builds. Files named by their content hash never change: they come from the cache first. The
// page itself (and anything else) comes from the network first, and from the cache when the
// network is gone; a link's query or `#` part does not matter, it is the same page.
const VERSION = 'sagascope-__VERSION__';
const FILES = __FILES__;
const HASHED = /-[0-9a-f]{16}(_bg)?\.(js|wasm|css)$/;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith('sagascope-') && n !== VERSION).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

async function fromCache(request) {
  const cache = await caches.open(VERSION);
  if (request.mode === 'navigate') return cache.match('./', { ignoreSearch: true });
  return cache.match(request, { ignoreSearch: true });
}

async function cacheFirst(request) {
  return (await fromCache(request)) ?? fetch(request);
}

async function networkFirst(request) {
  try {
    return await fetch(request);
  } catch (offline) {
    const cached = await fromCache(request);
    if (cached) return cached;
    throw offline;
  }
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  event.respondWith(HASHED.test(url.pathname) ? cacheFirst(event.request) : networkFirst(event.request));
});
