import { sameOriginPageCsp } from "@fluxnotify/shared/http";

/**
 * The example page at /push/: how a site subscribes a browser to FluxNotify's Web Push and
 * manages the caller's devices through the API (docs/push-integration.md). Plain HTML, one
 * stylesheet and one script of this origin: no inline script or style, nothing from a CDN, so
 * the page runs under PAGE_CSP. Everything that comes from the API or the browser is written
 * with textContent, never parsed as HTML.
 */

export const PUSH_SITE_PATH = "/push/";

/** Like /docs: files of this origin only; fetches to this origin; the worker from this origin. */
export const PAGE_CSP = sameOriginPageCsp("worker-src 'self'");

export const PAGE_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>FluxNotify · push notifications</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="${PUSH_SITE_PATH}push.css">
    <script src="${PUSH_SITE_PATH}app.js" defer></script>
  </head>
  <body>
    <main>
      <h1>Push notifications</h1>
      <p>
        This page subscribes this browser to FluxNotify's push notifications (Web Push) and lists
        your devices. It calls this server's API with the token below; see
        <code>docs/push-integration.md</code> for doing the same on your own site.
      </p>

      <section aria-labelledby="token-heading">
        <h2 id="token-heading">1. Your token</h2>
        <label for="token">Bearer token (JWT)</label>
        <input id="token" type="password" autocomplete="off" spellcheck="false">
        <p class="hint">
          In development, <code>bin/token --user user-1 --tenant tenant-a</code> prints one.
          The token stays in this page: it is not stored anywhere.
        </p>
      </section>

      <section aria-labelledby="browser-heading">
        <h2 id="browser-heading">2. This browser</h2>
        <p id="worker-status" role="status">Checking this browser…</p>
        <label for="label">Device name (optional)</label>
        <input id="label" maxlength="100" autocomplete="off" placeholder="e.g. Work laptop">
        <button id="subscribe" type="button" disabled>Enable push on this browser</button>
        <p id="subscribe-status" role="status"></p>
      </section>

      <section aria-labelledby="devices-heading">
        <h2 id="devices-heading">3. Your devices</h2>
        <button id="refresh" type="button">Show my devices</button>
        <p id="devices-status" role="status"></p>
        <ul id="devices"></ul>
      </section>
    </main>
  </body>
</html>
`;

export const PAGE_CSS = `:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
main { max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
section { margin-top: 2rem; }
label { display: block; font-weight: 600; margin-top: 0.75rem; }
input { width: 100%; box-sizing: border-box; padding: 0.4rem; font: inherit; }
button { margin-top: 0.75rem; padding: 0.4rem 0.9rem; font: inherit; cursor: pointer; }
.hint { font-size: 0.9rem; opacity: 0.8; }
.error { color: #c62828; }
#devices { list-style: none; padding: 0; }
#devices li { display: flex; gap: 1rem; align-items: center; justify-content: space-between; padding: 0.5rem 0; border-bottom: 1px solid #8884; }
#devices .device-name { font-weight: 600; }
#devices .device-detail { font-size: 0.9rem; opacity: 0.8; word-break: break-all; }
#devices button { margin-top: 0; }
`;

/**
 * The page's script. Kept as text (no backticks, no template placeholders inside), served as
 * a file of this origin. Every string from the API or the browser goes through textContent.
 */
export const PAGE_JS = `"use strict";
(function () {
  var API = "/api/v1/notifications";
  var WORKER = "/push/sw.js";
  var SCOPE = "/push/";

  function $(id) { return document.getElementById(id); }

  function say(id, message, isError) {
    var element = $(id);
    element.textContent = message;
    element.classList.toggle("error", Boolean(isError));
  }

  /* The base64url VAPID key as the bytes PushManager.subscribe() takes. */
  function keyBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4 !== 0) base64 += "=";
    var raw = atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function sameKey(buffer, bytes) {
    if (!buffer) return false;
    var current = new Uint8Array(buffer);
    if (current.length !== bytes.length) return false;
    for (var i = 0; i < bytes.length; i++) if (current[i] !== bytes[i]) return false;
    return true;
  }

  function token() {
    return $("token").value.trim();
  }

  /* fetch against this server's API: the parsed JSON (or null) and the status; a problem's detail as the error. */
  async function api(method, path, body) {
    var headers = { Accept: "application/json" };
    if (token()) headers.Authorization = "Bearer " + token();
    if (body !== undefined) headers["Content-Type"] = "application/json";
    var response = await fetch(path, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });
    var text = await response.text();
    var json = null;
    try { json = text ? JSON.parse(text) : null; } catch (error) { json = null; }
    if (!response.ok) {
      var detail = json && typeof json.detail === "string" ? json.detail : response.statusText;
      var failure = new Error(response.status + ": " + detail);
      failure.status = response.status;
      throw failure;
    }
    return { status: response.status, json: json };
  }

  var state = { registration: null, publicKey: null };

  function updateButton() {
    $("subscribe").disabled = !(state.registration && state.publicKey);
  }

  async function startWorker() {
    if (!("serviceWorker" in navigator)) {
      say("worker-status", "This browser has no service workers here (they need https, or http on localhost).", true);
      return;
    }
    try {
      await navigator.serviceWorker.register(WORKER, { scope: SCOPE });
      state.registration = await navigator.serviceWorker.ready;
      var pushSupported = "PushManager" in window && Boolean(state.registration.pushManager);
      say(
        "worker-status",
        pushSupported
          ? "Service worker active (scope " + state.registration.scope + ")."
          : "Service worker active, but this browser has no Push API.",
        !pushSupported,
      );
      if (!pushSupported) state.registration = null;
    } catch (error) {
      say("worker-status", "The service worker could not be registered: " + error.message, true);
    }
    updateButton();
  }

  async function loadKey() {
    try {
      var answer = await api("GET", API + "/push/vapid-public-key");
      state.publicKey = keyBytes(answer.json.publicKey);
    } catch (error) {
      say("subscribe-status", "Could not fetch the server's push key: " + error.message, true);
    }
    updateButton();
  }

  async function subscribe() {
    if (!token()) {
      say("subscribe-status", "Paste a bearer token first (step 1).", true);
      return;
    }
    try {
      var permission = await Notification.requestPermission();
      if (permission !== "granted") {
        say("subscribe-status", "Notifications are not allowed for this site (" + permission + ").", true);
        return;
      }
      var manager = state.registration.pushManager;
      var existing = await manager.getSubscription();
      // A subscription made for another server key cannot be reused: replace it.
      if (existing && !sameKey(existing.options.applicationServerKey, state.publicKey)) {
        await existing.unsubscribe();
        existing = null;
      }
      var subscription =
        existing ||
        (await manager.subscribe({ userVisibleOnly: true, applicationServerKey: state.publicKey }));
      var body = subscription.toJSON();
      body.type = "webpush";
      var label = $("label").value.trim();
      if (label) body.label = label;
      var answer = await api("POST", API + "/push-subscriptions", body);
      say(
        "subscribe-status",
        answer.status === 201 ? "This browser is registered." : "This browser was registered already; it is yours now.",
      );
      await refresh();
    } catch (error) {
      say("subscribe-status", "Could not enable push: " + error.message, true);
    }
  }

  function deviceItem(device) {
    var item = document.createElement("li");
    var text = document.createElement("div");
    var name = document.createElement("div");
    name.className = "device-name";
    name.textContent = device.label || (device.type === "fcm" ? "App (FCM)" : "Browser (Web Push)");
    var detail = document.createElement("div");
    detail.className = "device-detail";
    detail.textContent =
      (device.type === "fcm" ? device.token : device.endpoint) +
      " · registered " + new Date(device.createdAt).toLocaleString();
    text.append(name, detail);
    var remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "Delete";
    remove.addEventListener("click", function () {
      removeDevice(device.id);
    });
    item.append(text, remove);
    return item;
  }

  async function refresh(note) {
    if (!token()) {
      say("devices-status", "Paste a bearer token first (step 1).", true);
      return;
    }
    try {
      var answer = await api("GET", API + "/push-subscriptions");
      var items = answer.json.items;
      $("devices").replaceChildren.apply($("devices"), items.map(deviceItem));
      var count = items.length === 0 ? "No devices registered." : items.length + " device(s).";
      say("devices-status", (typeof note === "string" ? note + " " : "") + count);
    } catch (error) {
      say("devices-status", "Could not list your devices: " + error.message, true);
    }
  }

  async function removeDevice(id) {
    try {
      await api("DELETE", API + "/push-subscriptions/" + encodeURIComponent(id));
    } catch (error) {
      // 404: gone already (another tab, or the push service reported it expired).
      if (error.status !== 404) {
        say("devices-status", "Could not delete: " + error.message, true);
        return;
      }
    }
    await refresh("Deleted.");
  }

  $("subscribe").addEventListener("click", subscribe);
  $("refresh").addEventListener("click", function () {
    refresh();
  });
  startWorker();
  loadKey();
})();
`;
