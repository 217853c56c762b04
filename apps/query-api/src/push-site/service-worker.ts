/**
 * The service worker a site registers to show FluxNotify's Web Push notifications, served
 * at /push/sw.js (a site that registers its own copy serves these bytes from its origin: a
 * service worker must be same-origin with the pages it controls).
 *
 * Its input is the decrypted payload of CONTRACT §5, JSON: `notificationId`, `eventType`,
 * `title`, `body`, `createdAt`, `data` and, where there is a page to open, `url`. Nothing in it
 * is ever evaluated: it is shown as text by the browser's notification UI, and `url` is only
 * ever opened as an http(s) URL.
 *
 * Plain ES2020 for every browser with Push (no modules: `navigator.serviceWorker.register`
 * without `type: "module"` works everywhere), kept as text so the bundle carries it.
 */
export const SERVICE_WORKER_JS = `"use strict";
/* FluxNotify Web Push service worker (CONTRACT §5 payloads). */

var FALLBACK_TITLE = "New notification";

function text(value, fallback) {
  return typeof value === "string" && value !== "" ? value : fallback;
}

/* The payload as an object; {} when there is none or it is not a JSON object. */
function parsePayload(data) {
  if (!data) return {};
  try {
    var value = JSON.parse(data.text());
    return value !== null && typeof value === "object" && !Array.isArray(value) ? value : {};
  } catch (error) {
    return {};
  }
}

/* http(s) only, relative URLs against this worker's origin; anything else is not opened. */
function openableUrl(raw) {
  if (typeof raw !== "string" || raw === "") return null;
  try {
    var url = new URL(raw, self.location.origin);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch (error) {
    return null;
  }
}

/* What showNotification gets for a payload: tag = notificationId, so a notification sent twice replaces itself. */
function notificationFor(payload) {
  var options = { body: text(payload.body, ""), data: payload };
  if (typeof payload.notificationId === "string" && payload.notificationId !== "") {
    options.tag = payload.notificationId;
  }
  var createdAt = typeof payload.createdAt === "string" ? Date.parse(payload.createdAt) : NaN;
  if (!Number.isNaN(createdAt)) options.timestamp = createdAt;
  return { title: text(payload.title, FALLBACK_TITLE), options: options };
}

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

/* Every push shows a notification (userVisibleOnly), a generic one if the payload is unreadable. */
self.addEventListener("push", function (event) {
  var shown = notificationFor(parsePayload(event.data));
  event.waitUntil(self.registration.showNotification(shown.title, shown.options));
});

/* A window already showing the URL is focused; otherwise the URL opens in a new one. Without a URL, one of ours is focused. */
function focusOrOpen(url) {
  return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
    var i;
    for (i = 0; i < windows.length; i++) {
      if ((url === null || windows[i].url === url) && typeof windows[i].focus === "function") {
        return windows[i].focus();
      }
    }
    return url === null ? undefined : self.clients.openWindow(url);
  });
}

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var data = event.notification.data;
  var url = openableUrl(data !== null && typeof data === "object" ? data.url : undefined);
  event.waitUntil(focusOrOpen(url));
});
`;
