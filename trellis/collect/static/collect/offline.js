// Makes the screen open with no network after the first visit: registers the service worker
// and puts this page and every script and stylesheet it loaded into the worker's cache now,
// since the first page load happens before the worker controls anything.

export const CACHE = "trellis-collect-v1";

export async function keepOffline(workerUrl, scope, staticUrl, pages = []) {
  if (!("serviceWorker" in navigator) || !("caches" in window)) return;
  try {
    await navigator.serviceWorker.register(workerUrl, { scope });
  } catch {
    return; // e.g. not a secure origin: the screen still works, just not after a reload offline
  }
  const files = performance
    .getEntriesByType("resource")
    .map((entry) => new URL(entry.name))
    .filter((url) => url.origin === location.origin && url.pathname.startsWith(staticUrl))
    .map((url) => url.pathname + url.search);
  const cache = await caches.open(CACHE);
  const wanted = [...new Set(files)];
  // A page served by the worker is already cached fresh; a first visit is not.
  if (!navigator.serviceWorker.controller || !(await cache.match(location.href))) {
    wanted.push(location.pathname + location.search);
  }
  wanted.push(...pages);
  await navigator.serviceWorker.ready;
  await Promise.all(
    wanted.map(async (url) => {
      if (url.startsWith(staticUrl) && (await cache.match(url))) return;
      try {
        const response = await fetch(url, { credentials: "same-origin" });
        if (response.ok && !response.redirected) await cache.put(url, response);
      } catch {
        // offline already: whatever is cached stays
      }
    }),
  );
  // Tests and the benchmark wait for this before they cut the network.
  document.documentElement.dataset.offlineReady = "true";
}
