// Trellis collection screen service worker (scope {{ scope }}).
// Pages of the screen: network first (fresh data when there is a network), the cached copy when
// there is none or it is too slow. Static files: the cached copy at once, refreshed behind.
// Writes (the sync POST) are never touched: the page handles them and keeps what fails.
const CACHE = "trellis-collect-v1";
const SCOPE = {{ scope_json|safe }};
const STATIC = {{ static_json|safe }};
const LOGIN = {{ login_json|safe }};
const NETWORK_WAIT_MS = 4000;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.startsWith(SCOPE)) {
    event.respondWith(networkFirst(request));
  } else if (url.pathname.startsWith(STATIC)) {
    event.respondWith(cacheFirst(request, event));
  }
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await withTimeout(fetch(request), NETWORK_WAIT_MS);
    // A redirect (to sign-in) or an error page is passed on, never kept as the screen.
    if (response.ok && !response.redirected) await cache.put(request.url, response.clone());
    // Signed out: the pages kept for offline use hold learners' records; a shared tablet must
    // not keep showing them. Static files stay, and so do waiting events (IndexedDB).
    // (A navigation's redirect is opaque here; the screen's pages redirect only to sign-in.)
    if (response.type === "opaqueredirect" || (response.redirected && new URL(response.url).pathname.startsWith(LOGIN))) {
      await forgetPages(cache);
    }
    return response;
  } catch {
    const cached = await cache.match(request.url);
    if (cached) return cached;
    return new Response(
      "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
        "<title>Offline · Trellis</title><h1>No network</h1>" +
        "<p>This page was not opened on this device while online, so it is not available offline. " +
        "Events already recorded are safe on this device; go back to the collection screen.</p>",
      { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } },
    );
  }
}

async function forgetPages(cache) {
  for (const request of await cache.keys()) {
    if (!new URL(request.url).pathname.startsWith(STATIC)) await cache.delete(request);
  }
}

async function cacheFirst(request, event) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreVary: true });
  const refresh = fetch(request)
    .then((response) => {
      if (response.ok) return cache.put(request, response.clone()).then(() => response);
      return response;
    })
    .catch(() => null);
  if (cached) {
    event.waitUntil(refresh);
    return cached;
  }
  const response = await refresh;
  return response || new Response("", { status: 504 });
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
