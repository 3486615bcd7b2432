{% load static %}/* The check-in page's service worker: the page reloads without the network.
 * Its scope is the check-in page of one call.  Pages and files are taken from the
 * network first and kept; without the network the kept copy is served.  Check-ins
 * are POSTed by checkin.js, never through this worker's cache. */
"use strict";
const CACHE = "kembar-check-in-{{ opportunity.pk }}-v1";
const PAGE = "{% url 'opportunities:check-in' opportunity.pk %}";
const FILES = [
  PAGE,
  "{% static 'kembar/kembar.css' %}",
  "{% static 'kembar/staff.css' %}",
  "{% static 'participation/checkin.css' %}",
  "{% static 'participation/checkin.js' %}",
  "{% static 'vendor/htmx/htmx.min.js' %}",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => Promise.all(FILES.map((url) => cache.add(url).catch(() => null))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) {
    return;
  }
  const keep = request.mode === "navigate" ? PAGE : request;
  event.respondWith(
    fetch(request)
      .then((response) => {
        // Not a sign-in page the request was redirected to (an expired session).
        if (response.ok && !response.redirected && (request.mode !== "navigate" || url.pathname === PAGE)) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(keep, copy));
        }
        return response;
      })
      .catch(() => caches.match(keep).then((kept) => kept || Response.error()))
  );
});
