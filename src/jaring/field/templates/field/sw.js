// jaring's field desk service worker (served at /desk/field/sw.js, scope /desk/field/).
// Workbox comes from jaring's own static files, never a CDN. The page and its data are fetched from the
// network first and the last good copy is kept for when there is none; a page that answers with the
// sign-in form (a session that expired) is not kept, so the field desk itself stays on the phone.
importScripts("{{ workbox|escapejs }}");
workbox.setConfig({ modulePathPrefix: "{{ workbox_prefix|escapejs }}", debug: false });
workbox.core.setCacheNameDetails({ prefix: "jaring-field" });

const SHELL = {{ shell|safe }};
const PAGES = "jaring-field-pages";
const keepGoodAnswers = {
  cacheWillUpdate: async ({ response }) => (response && response.ok && !response.redirected ? response : null),
};

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const statics = await caches.open("jaring-field-static");
      await statics.addAll(SHELL);
      const pages = await caches.open(PAGES);
      for (const url of ["/desk/field/", "/desk/field/data.json"]) {
        try {
          const response = await fetch(url, { credentials: "same-origin" });
          if (response.ok && !response.redirected) await pages.put(url, response);
        } catch (error) {
          // offline while installing: the page caches itself on its next load
        }
      }
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

workbox.routing.registerRoute(
  ({ url, request }) =>
    url.origin === self.location.origin &&
    request.method === "GET" &&
    (url.pathname === "/desk/field/" || url.pathname === "/desk/field/data.json"),
  // The page varies by cookie and language; the phone has one user and one language at a time.
  new workbox.strategies.NetworkFirst({
    cacheName: PAGES,
    networkTimeoutSeconds: 5,
    plugins: [keepGoodAnswers],
    matchOptions: { ignoreVary: true },
  }),
);
workbox.routing.registerRoute(
  ({ url }) => url.origin === self.location.origin && url.pathname.startsWith("{{ static_prefix|default:'/static/'|escapejs }}"),
  new workbox.strategies.CacheFirst({ cacheName: "jaring-field-static", plugins: [keepGoodAnswers] }),
);
