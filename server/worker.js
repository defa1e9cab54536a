// Beredskap service worker. It keeps the whole app shell in one cache per
// version, so that the app boots with no network at all, and answers any
// navigation with the cached shell when the network is gone.
const cacheName = "app-" + "{{.Version}}";
const resourcesToCache = {{.ResourcesToCache}};

// Install fills the new cache inside waitUntil: if any file fails to
// download, the install fails, the new cache is dropped and the previous
// worker keeps serving its complete cache.
self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(cacheName);
      try {
        await cache.addAll(
          resourcesToCache.map((url) => new Request(url, { cache: "reload" }))
        );
      } catch (err) {
        await caches.delete(cacheName);
        throw err;
      }
      await self.skipWaiting();
    })()
  );
});

// Activation happens only after a complete install, so old caches can go.
self.addEventListener("activate", async () => {
  const keys = await caches.keys();
  await Promise.all(keys.filter((k) => k !== cacheName).map((k) => caches.delete(k)));
  await self.clients.claim();
});

// The page asks which version this worker serves: go-app announces an
// update whenever a worker activates while the page has a controller, which
// clients.claim() also makes true on the very first install (WebKit nearly
// always, Firefox sometimes). The app compares this answer with the
// version it booted with and shows its banner only when they differ.
self.addEventListener("message", (event) => {
  const msg = event.data;
  if (msg && msg.type === "beredskap:version" && event.ports && event.ports[0]) {
    event.ports[0].postMessage({ version: "{{.Version}}" });
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  // The API and health checks always go to the network and are never
  // cached: they carry health data and must reflect the server.
  if (
    url.origin !== self.location.origin ||
    url.pathname.startsWith("/api/") ||
    url.pathname === "/healthz"
  ) {
    return;
  }
  event.respondWith(fromCache(request));
});

async function fromCache(request) {
  const cached = await caches.match(request, { cacheName });
  if (cached) {
    return cached;
  }
  try {
    return await fetch(request);
  } catch (err) {
    // Offline: any page of the app (a deep link, a reload) gets the shell,
    // and the app routes it itself.
    if (request.mode === "navigate") {
      const shell = await caches.match("/", { cacheName });
      if (shell) {
        return shell;
      }
    }
    throw err;
  }
}
