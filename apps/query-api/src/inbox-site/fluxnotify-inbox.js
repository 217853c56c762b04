// @ts-check
/**
 * <fluxnotify-inbox>: the in-app inbox of FluxNotify as a Web Component. A plain browser ES
 * module with no dependencies and no build step: query-api serves this very file at
 * /inbox/fluxnotify-inbox.js, and any site embeds it.
 *
 *   <script type="module" src="https://<query-api>/inbox/fluxnotify-inbox.js"></script>
 *   <fluxnotify-inbox api-base="https://<query-api>" locale="ko"></fluxnotify-inbox>
 *   <script type="module">
 *     const inbox = document.querySelector("fluxnotify-inbox");
 *     inbox.tokenProvider = async () => (await fetch("/my-session/fluxnotify-token")).text();
 *     // or: inbox.token = "<JWT>";
 *   </script>
 *
 * The token is a JS property, never an attribute: a JWT in the DOM is readable by every
 * script and extension on the page and lands in devtools snapshots and error reports.
 *
 * Attributes
 *   api-base   the query-api origin (default: the origin this script was loaded from)
 *   locale     "ko" | "en" (default: <html lang>, else navigator.language; "ko…" → ko, else en)
 * Properties
 *   token          the user's JWT (write-only in spirit: kept in a private field)
 *   tokenProvider  async () => JWT, asked for every call (and once more after a 401)
 *   unreadCount    read-only, the server's latest count
 * Events
 *   fluxnotify-unread   CustomEvent on the element, detail {unreadCount}, whenever it changes
 *
 * Stable hooks (open shadow root; style them from outside with ::part()):
 *   [part="root"]        data-role="leader|follower|solo|none" (who holds the stream in
 *                        this browser), data-stream="idle|connecting|open|waiting" (this
 *                        tab's own stream; a follower stays idle)
 *   [part="bell"]        the toggle button: aria-expanded, aria-label with the count
 *   [part="badge"]       data-count="<n>", the text "99+" above 99, hidden at 0
 *   [part="panel"]       the list's panel, hidden while closed
 *   [part="mark-all"]    marks every notification read
 *   [part="status"]      loading, error and sign-in messages (role=status)
 *   [part="list"]        the <ul> of items, newest first
 *   [part="item"]        one <li>: data-notification-id, data-read="true|false"; its
 *                        button (part="item-button") marks it read
 *   [part="item-title"], [part="item-body"], [part="item-time"] (a <time datetime>)
 *   [part="empty"]       the empty state, hidden while there are items
 *   [part="load-more"]   the next page (nextCursor), hidden when there is none
 *
 * One stream per browser, not per tab: the tabs showing the same user elect a leader with
 * the Web Locks API (the lock is held while the tab lives, and passed on when it closes);
 * the leader opens the Server-Sent Events stream and relays every event over a
 * BroadcastChannel. Every tab makes its own HTTP calls (list, read). Without Web Locks or
 * BroadcastChannel each tab opens its own stream.
 *
 * Everything that comes from the server is written with textContent, never parsed as HTML.
 */

const API_PATH = "/api/v1/notifications";
const PAGE_SIZE = 20;
/** The first reconnect waits 0.5–1.5 s (this, jittered ±50 %), doubling up to the max. */
const BACKOFF_FIRST_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;
/** A stream that stayed open this long was healthy: the next failure starts the backoff over. */
const STABLE_AFTER_MS = 30_000;
/** How often the relative times of an open panel are refreshed. */
const CLOCK_TICK_MS = 30_000;
const SVG_NS = "http://www.w3.org/2000/svg";

/** @typedef {"ko" | "en"} Locale */
/**
 * @typedef {object} InboxItem
 * @property {string} notificationId
 * @property {string} eventType
 * @property {string} title
 * @property {string} body
 * @property {string} createdAt
 * @property {string | null} readAt
 * @property {Record<string, unknown>} data
 */
/**
 * What the stream's leader relays to the other tabs, and what the tabs tell each other.
 * @typedef {{ type: "unread", unreadCount: number }
 *   | { type: "notification", id: string, item: InboxItem }
 *   | { type: "resync" }
 *   | { type: "hello" }
 *   | { type: "state", unreadCount: number | null, lastEventId: string }
 *   | { type: "read", notificationId: string }
 *   | { type: "read-all" }} TabMessage
 */
/** @typedef {"idle" | "connecting" | "open" | "waiting"} StreamState */
/** @typedef {"leader" | "follower" | "solo" | "none"} TabRole */

/**
 * Every word the component shows, per locale.
 * @typedef {object} Strings
 * @property {string} heading
 * @property {(count: number) => string} bell
 * @property {string} markAll
 * @property {string} loadMore
 * @property {string} empty
 * @property {string} loading
 * @property {string} loadFailed
 * @property {string} readFailed
 * @property {string} signIn
 * @property {string} signInAgain
 * @property {string} unread
 * @property {string} reconnecting
 */
/** @type {Record<Locale, Strings>} */
const STRINGS = {
  ko: {
    heading: "알림",
    bell: (count) => (count === 0 ? "알림, 읽지 않은 알림 없음" : `알림, 읽지 않은 알림 ${count}개`),
    markAll: "모두 읽음",
    loadMore: "더 보기",
    empty: "알림이 없습니다.",
    loading: "불러오는 중…",
    loadFailed: "알림을 불러오지 못했습니다. 잠시 후 다시 시도해 주세요.",
    readFailed: "읽음으로 표시하지 못했습니다.",
    signIn: "로그인하면 알림이 표시됩니다.",
    signInAgain: "로그인이 만료되었습니다. 다시 로그인해 주세요.",
    unread: "읽지 않음",
    reconnecting: "연결이 끊어졌습니다. 다시 연결하는 중…",
  },
  en: {
    heading: "Notifications",
    bell: (count) => (count === 0 ? "Notifications, none unread" : `Notifications, ${count} unread`),
    markAll: "Mark all as read",
    loadMore: "Load more",
    empty: "No notifications yet.",
    loading: "Loading…",
    loadFailed: "Could not load your notifications. Please try again shortly.",
    readFailed: "Could not mark it as read.",
    signIn: "Sign in to see your notifications.",
    signInAgain: "Your sign-in has expired. Please sign in again.",
    unread: "Unread",
    reconnecting: "Connection lost. Reconnecting…",
  },
};

const CSS = `
:host { display: inline-block; position: relative; font: 14px/1.45 system-ui, sans-serif;
  --fluxnotify-accent: #2563eb; --fluxnotify-badge: #dc2626; --fluxnotify-bg: #fff;
  --fluxnotify-fg: #111827; --fluxnotify-muted: #6b7280; --fluxnotify-border: #e5e7eb;
  --fluxnotify-unread-bg: #eff6ff; color: var(--fluxnotify-fg); }
@media (prefers-color-scheme: dark) {
  :host { --fluxnotify-bg: #1f2937; --fluxnotify-fg: #f9fafb; --fluxnotify-muted: #9ca3af;
    --fluxnotify-border: #374151; --fluxnotify-unread-bg: #1e3a5f; }
}
[hidden] { display: none !important; }
button { font: inherit; color: inherit; cursor: pointer; }
.bell { position: relative; display: inline-flex; align-items: center; justify-content: center;
  width: 40px; height: 40px; padding: 0; border: 1px solid var(--fluxnotify-border);
  border-radius: 50%; background: var(--fluxnotify-bg); }
.bell:focus-visible, .item-button:focus-visible, .text-button:focus-visible {
  outline: 2px solid var(--fluxnotify-accent); outline-offset: 2px; }
.bell svg { width: 22px; height: 22px; fill: none; stroke: currentColor; stroke-width: 1.8;
  stroke-linecap: round; stroke-linejoin: round; }
.badge { position: absolute; top: -4px; right: -4px; min-width: 18px; height: 18px;
  padding: 0 5px; box-sizing: border-box; border-radius: 9px; background: var(--fluxnotify-badge);
  color: #fff; font-size: 11px; font-weight: 700; line-height: 18px; text-align: center; }
.panel { position: absolute; right: 0; top: calc(100% + 8px); z-index: 1000;
  width: min(360px, calc(100vw - 24px)); max-height: min(480px, 70vh); display: flex;
  flex-direction: column; background: var(--fluxnotify-bg); border: 1px solid var(--fluxnotify-border);
  border-radius: 10px; box-shadow: 0 10px 30px #0003; overflow: hidden; }
.panel[data-align="start"] { right: auto; left: 0; }
.panel[data-side="top"] { top: auto; bottom: calc(100% + 8px); }
.header { display: flex; align-items: center; justify-content: space-between; gap: 8px;
  padding: 10px 14px; border-bottom: 1px solid var(--fluxnotify-border); }
.heading { margin: 0; font-size: 15px; font-weight: 700; }
.text-button { border: 0; background: none; padding: 4px; color: var(--fluxnotify-accent); }
.text-button:disabled { color: var(--fluxnotify-muted); cursor: default; }
.status { margin: 0; padding: 8px 14px; color: var(--fluxnotify-muted); font-size: 13px; }
.list { list-style: none; margin: 0; padding: 0; overflow-y: auto; }
.item + .item { border-top: 1px solid var(--fluxnotify-border); }
.item-button { display: block; width: 100%; padding: 10px 14px 10px 26px; border: 0;
  background: none; text-align: left; position: relative; }
.item[data-read="false"] .item-button { background: var(--fluxnotify-unread-bg); }
.item[data-read="false"] .item-button::before { content: ""; position: absolute; left: 10px;
  top: 16px; width: 8px; height: 8px; border-radius: 50%; background: var(--fluxnotify-accent); }
.item-title { display: block; font-weight: 600; overflow-wrap: anywhere; }
.item[data-read="true"] .item-title { font-weight: 400; }
.item-body { display: block; margin-top: 2px; overflow-wrap: anywhere; }
.item-time { display: block; margin-top: 4px; color: var(--fluxnotify-muted); font-size: 12px; }
.empty { margin: 0; padding: 24px 14px; text-align: center; color: var(--fluxnotify-muted); }
.load-more { margin: 6px auto 10px; display: block; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip-path: inset(50%); white-space: nowrap; }
`;

/** @type {CSSStyleSheet | null | undefined} undefined: not tried yet; null: unsupported */
let sharedSheet;

/**
 * One constructed stylesheet for every instance: adopted, not inline, so a host page whose
 * CSP says `style-src 'self'` needs no 'unsafe-inline' (CSP does not govern constructed
 * sheets). Browsers without them get a <style> element, which such a CSP blocks: the
 * component then works unstyled.
 * @param {ShadowRoot} root
 */
function applyStyles(root) {
  if (sharedSheet === undefined) {
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      sharedSheet = "adoptedStyleSheets" in root ? sheet : null;
    } catch {
      sharedSheet = null;
    }
  }
  if (sharedSheet) {
    root.adoptedStyleSheets = [sharedSheet];
  } else {
    const style = document.createElement("style");
    style.textContent = CSS;
    root.append(style);
  }
}

/** @param {string | null | undefined} value @returns {Locale} */
function localeOf(value) {
  return value?.toLowerCase().startsWith("ko") ? "ko" : "en";
}

/** @returns {Locale} */
function defaultLocale() {
  return localeOf(document.documentElement.lang || navigator.language);
}

/**
 * The JWT's `sub` and `tenant`, read without verifying: they only name the lock and the
 * channel the tabs of one user share. The server verifies every call.
 * @param {string} token
 * @returns {{ sub: string, tenant: string } | null}
 */
function claimsOf(token) {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64.padEnd(Math.ceil(base64.length / 4) * 4, "=");
    const bytes = Uint8Array.from(atob(padded), (char) => char.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof claims !== "object" || claims === null) return null;
    return {
      sub: typeof claims.sub === "string" ? claims.sub : "",
      tenant: typeof claims.tenant === "string" ? claims.tenant : "",
    };
  } catch {
    return null;
  }
}

/** @type {Map<string, Intl.RelativeTimeFormat>} */
const relativeFormats = new Map();
/** @type {Array<[Intl.RelativeTimeFormatUnit, number]>} unit, and its length in seconds */
const UNITS = [
  ["year", 365 * 86_400],
  ["month", 30 * 86_400],
  ["week", 7 * 86_400],
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
];

/**
 * "3분 전", "yesterday": the largest unit that fits; under a minute, "now".
 * @param {string} iso @param {Locale} locale @param {number} now
 */
function relativeTime(iso, locale, now) {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return "";
  let format = relativeFormats.get(locale);
  if (!format) {
    format = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
    relativeFormats.set(locale, format);
  }
  // A clock behind the server's would say "in 3 seconds": never later than now.
  const seconds = Math.min(0, (then - now) / 1000);
  for (const [unit, length] of UNITS) {
    if (Math.abs(seconds) >= length) return format.format(Math.trunc(seconds / length), unit);
  }
  return format.format(0, "second");
}

/** @param {string} iso @param {Locale} locale */
function absoluteTime(iso, locale) {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return "";
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(then);
}

/** @param {unknown} value @returns {value is Record<string, unknown>} */
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * An item as the list shows it, from the inbox API or the stream; null when it lacks an id.
 * @param {unknown} raw @returns {InboxItem | null}
 */
function toItem(raw) {
  if (!isObject(raw) || typeof raw.notificationId !== "string" || raw.notificationId === "") return null;
  const text = (/** @type {unknown} */ value) => (typeof value === "string" ? value : "");
  return {
    notificationId: raw.notificationId,
    eventType: text(raw.eventType),
    title: text(raw.title),
    body: text(raw.body),
    createdAt: text(raw.createdAt),
    readAt: typeof raw.readAt === "string" ? raw.readAt : null,
    data: isObject(raw.data) ? raw.data : {},
  };
}

class HttpError extends Error {
  /** @param {number} status @param {string} detail */
  constructor(status, detail) {
    super(`${status}: ${detail}`);
    this.status = status;
  }
}

/**
 * The inbox API of CONTRACT §4, with the caller's JWT. A 401 asks the token provider once
 * more (the token may just have expired) before it fails.
 */
class InboxApi {
  /**
   * @param {string} base
   * @param {() => Promise<string>} token the current JWT
   * @param {() => boolean} refreshable whether asking again may give another (a provider)
   */
  constructor(base, token, refreshable) {
    this.base = base;
    this.token = token;
    this.refreshable = refreshable;
    /** The last answer was a 401 even with a fresh token: the user has to sign in again. */
    this.unauthorized = false;
  }

  /** @param {"GET" | "POST"} method @param {string} path @returns {Promise<unknown>} */
  async call(method, path, retried = false) {
    const token = await this.token();
    const response = await fetch(`${this.base}${API_PATH}${path}`, {
      method,
      headers: { Accept: "application/json", Authorization: `Bearer ${token}` },
      // The token is the credential: no cookies of the API's origin ride along.
      credentials: "omit",
      cache: "no-store",
    });
    if (response.status === 401 && !retried && this.refreshable()) return this.call(method, path, true);
    this.unauthorized = response.status === 401;
    const text = await response.text();
    /** @type {unknown} */
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!response.ok) {
      const detail = isObject(json) && typeof json.detail === "string" ? json.detail : response.statusText;
      throw new HttpError(response.status, detail);
    }
    return json;
  }

  /** @param {string | null} cursor */
  async page(cursor) {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (cursor) query.set("cursor", cursor);
    const json = await this.call("GET", `/inbox?${query}`);
    const body = isObject(json) ? json : {};
    const items = Array.isArray(body.items) ? body.items : [];
    return {
      items: /** @type {InboxItem[]} */ (items.map(toItem).filter(Boolean)),
      unreadCount: typeof body.unreadCount === "number" ? body.unreadCount : null,
      nextCursor: typeof body.nextCursor === "string" && body.nextCursor ? body.nextCursor : null,
    };
  }

  /** @param {string} notificationId */
  async markRead(notificationId) {
    await this.call("POST", `/inbox/${encodeURIComponent(notificationId)}/read`);
  }

  async markAllRead() {
    await this.call("POST", "/inbox/read-all");
  }

  /** A single-use token that opens one stream connection. */
  async streamToken() {
    const json = await this.call("POST", "/stream-token");
    if (!isObject(json) || typeof json.token !== "string") throw new Error("no stream token in the answer");
    return json.token;
  }
}

/**
 * The caller's Server-Sent Events stream, reconnected by us, never by EventSource: each
 * stream token opens one connection, so EventSource's own retry (same URL, used token)
 * would only get 401s. On any error the source is closed; after a jittered, doubling
 * backoff a new token opens a new source that resumes after the last id received.
 */
class InboxStream {
  /**
   * @param {object} options
   * @param {InboxApi} options.api
   * @param {() => string} options.lastEventId the last id this tab has seen (its own or relayed)
   * @param {(message: TabMessage) => void} options.onMessage
   * @param {(state: StreamState) => void} options.onState
   */
  constructor(options) {
    this.options = options;
    /** @type {EventSource | null} */
    this.source = null;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.timer = undefined;
    this.attempt = 0;
    this.stopped = false;
    this.opens = 0;
    this.waiting = false;
  }

  /** The network is back: no reason to sit out the rest of a long backoff. */
  reconnectNow = () => {
    if (!this.waiting || this.stopped) return;
    clearTimeout(this.timer);
    void this.connect();
  };

  start() {
    this.stopped = false;
    window.addEventListener("online", this.reconnectNow);
    void this.connect();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener("online", this.reconnectNow);
    clearTimeout(this.timer);
    this.source?.close();
    this.source = null;
    this.options.onState("idle");
  }

  async connect() {
    this.waiting = false;
    this.options.onState("connecting");
    let token;
    try {
      token = await this.options.api.streamToken();
    } catch {
      if (!this.stopped) this.retryLater();
      return;
    }
    if (this.stopped) return;
    const url = new URL(`${this.options.api.base}${API_PATH}/stream`);
    url.searchParams.set("token", token);
    const last = this.options.lastEventId();
    if (last) url.searchParams.set("lastEventId", last);
    const source = new EventSource(url.href);
    this.source = source;
    let openedAt = 0;
    source.addEventListener("open", () => {
      openedAt = Date.now();
      this.options.onState("open");
      // After a gap the lists look again: with no id known yet nothing is replayed, and a
      // replay holds only the newest missed ones.
      if (this.opens++ > 0) this.options.onMessage({ type: "resync" });
    });
    source.addEventListener("unread", (event) => {
      const data = parse(event);
      if (isObject(data) && typeof data.unreadCount === "number")
        this.options.onMessage({ type: "unread", unreadCount: data.unreadCount });
    });
    source.addEventListener("notification", (event) => {
      const item = toItem(parse(event));
      if (item) this.options.onMessage({ type: "notification", id: event.lastEventId, item });
    });
    source.addEventListener("error", () => {
      source.close();
      if (this.source !== source || this.stopped) return;
      this.source = null;
      if (openedAt && Date.now() - openedAt >= STABLE_AFTER_MS) this.attempt = 0;
      this.retryLater();
    });
  }

  retryLater() {
    this.waiting = true;
    this.options.onState("waiting");
    const step = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.attempt);
    const delay = Math.min(BACKOFF_MAX_MS, step * (0.5 + Math.random()));
    this.attempt = Math.min(this.attempt + 1, 10);
    this.timer = setTimeout(() => void this.connect(), delay);
  }
}

/** @param {Event} event @returns {unknown} */
function parse(event) {
  try {
    return JSON.parse(/** @type {MessageEvent<string>} */ (event).data);
  } catch {
    return null;
  }
}

/**
 * The tabs of one browser showing one user: the Web Lock `name` makes one of them the
 * leader (held until the tab goes, or `stop`), the BroadcastChannel `name` carries messages
 * between them. Without either API, this tab leads alone.
 */
class TabGroup {
  /**
   * @param {string} name
   * @param {object} handlers
   * @param {(role: TabRole) => void} handlers.onRole
   * @param {(message: TabMessage) => void} handlers.onMessage
   */
  constructor(name, handlers) {
    this.name = name;
    this.handlers = handlers;
    /** @type {BroadcastChannel | null} */
    this.channel = null;
    this.abort = new AbortController();
    /** @type {(() => void) | null} */
    this.release = null;
  }

  start() {
    const locks = navigator.locks;
    if (!locks || typeof BroadcastChannel !== "function") {
      this.handlers.onRole("solo");
      return;
    }
    this.channel = new BroadcastChannel(this.name);
    this.channel.addEventListener("message", (event) => {
      const message = event.data;
      if (isObject(message) && typeof message.type === "string")
        this.handlers.onMessage(/** @type {TabMessage} */ (message));
    });
    this.handlers.onRole("follower");
    locks
      .request(this.name, { signal: this.abort.signal }, () => {
        if (this.abort.signal.aborted) return undefined;
        this.handlers.onRole("leader");
        return new Promise((resolve) => {
          this.release = () => resolve(undefined);
        });
      })
      // AbortError: stopped while another tab held the lock.
      .catch(() => {});
    this.post({ type: "hello" });
  }

  /** @param {TabMessage} message */
  post(message) {
    this.channel?.postMessage(message);
  }

  stop() {
    this.abort.abort();
    this.release?.();
    this.channel?.close();
    this.channel = null;
  }
}

/**
 * Everything tied to one user at one API: the list, the count, the stream and the tabs.
 * A new identity (another user's token, another api-base) gets a new session.
 */
class Session {
  /**
   * @param {object} options
   * @param {InboxApi} options.api
   * @param {string} options.name lock and channel name
   * @param {(session: Session) => void} options.onChange
   */
  constructor(options) {
    this.api = options.api;
    this.onChange = () => options.onChange(this);
    /** @type {InboxItem[]} */
    this.items = [];
    /** @type {Map<string, InboxItem>} */
    this.byId = new Map();
    /** @type {number | null} */
    this.unreadCount = null;
    /** Counts the stream's unread events: a list answer older than the latest one keeps its count to itself. */
    this.unreadSeq = 0;
    this.lastEventId = "";
    /** @type {string | null} */
    this.nextCursor = null;
    this.loaded = false;
    /** @type {"idle" | "loading" | "failed"} */
    this.loading = "idle";
    /** @type {"" | "loadFailed" | "readFailed"} */
    this.problem = "";
    /** @type {Set<string>} reads sent, not yet answered: a list answer does not undo them */
    this.pendingReads = new Set();
    /** @type {TabRole} */
    this.role = "none";
    /** @type {StreamState} */
    this.streamState = "idle";
    this.stream = new InboxStream({
      api: this.api,
      lastEventId: () => this.lastEventId,
      onMessage: (message) => {
        this.apply(message);
        this.tabs.post(message);
      },
      onState: (state) => {
        this.streamState = state;
        this.onChange();
      },
    });
    this.tabs = new TabGroup(options.name, {
      onRole: (role) => {
        this.role = role;
        if (role === "leader" || role === "solo") this.stream.start();
        this.onChange();
      },
      onMessage: (message) => this.fromTab(message),
    });
  }

  start() {
    this.tabs.start();
  }

  stop() {
    this.stream.stop();
    this.tabs.stop();
  }

  /** A message from another tab: the leader's relays, a follower's hello, a tab's reads. */
  /** @param {TabMessage} message */
  fromTab(message) {
    if (message.type === "hello") {
      if (this.role === "leader")
        this.tabs.post({ type: "state", unreadCount: this.unreadCount, lastEventId: this.lastEventId });
      return;
    }
    if (message.type === "state") {
      if (typeof message.lastEventId === "string" && !this.lastEventId)
        this.lastEventId = message.lastEventId;
      if (typeof message.unreadCount === "number")
        this.apply({ type: "unread", unreadCount: message.unreadCount });
      return;
    }
    this.apply(message);
  }

  /** @param {TabMessage} message */
  apply(message) {
    switch (message.type) {
      case "unread":
        if (typeof message.unreadCount !== "number") return;
        this.unreadSeq += 1;
        this.setUnread(message.unreadCount);
        break;
      case "notification": {
        const item = toItem(message.item);
        if (!item) return;
        if (typeof message.id === "string" && message.id) this.lastEventId = message.id;
        // New ones are unread; one seen already (a replay, a relay) keeps what we know of it.
        this.prepend(item);
        break;
      }
      case "resync":
        if (this.loaded) void this.refreshFirstPage();
        return;
      case "read": {
        const item = this.byId.get(message.notificationId);
        if (item && !item.readAt) item.readAt = new Date().toISOString();
        break;
      }
      case "read-all":
        this.markLoadedRead();
        break;
      default:
        return;
    }
    this.onChange();
  }

  /** @param {number} count */
  setUnread(count) {
    this.unreadCount = Math.max(0, Math.trunc(count));
    // The server says nothing is unread: neither is anything we show.
    if (this.unreadCount === 0) this.markLoadedRead();
  }

  markLoadedRead() {
    const now = new Date().toISOString();
    for (const item of this.items) if (!item.readAt) item.readAt = now;
  }

  /*
   * The list keeps the server's order, never re-sorted by time: two notifications of one
   * batch can share a createdAt, and only the server knows which came first. The stream
   * sends each in that order, so a new one goes in front; a page goes where it belongs.
   */

  /** A notification from the stream (live or replayed): the newest so far. @param {InboxItem} item */
  prepend(item) {
    if (this.byId.has(item.notificationId)) return;
    this.byId.set(item.notificationId, item);
    this.items.unshift(item);
  }

  /**
   * The server's newest page, in its order. What the list already had and the page lacks
   * either came by the stream after the page was read (in front of the match with the page,
   * newer) or is older (behind it); with no match at all, the times decide.
   * @param {InboxItem[]} page
   */
  mergeFirstPage(page) {
    const inPage = new Set(page.map((item) => item.notificationId));
    const firstMatch = this.items.findIndex((item) => inPage.has(item.notificationId));
    const newestInPage = Date.parse(page[0]?.createdAt ?? "") || 0;
    const rest = this.items.filter((item) => !inPage.has(item.notificationId));
    const ahead =
      firstMatch >= 0
        ? this.items.slice(0, firstMatch)
        : rest.filter((item) => (Date.parse(item.createdAt) || 0) > newestInPage);
    const aheadIds = new Set(ahead.map((item) => item.notificationId));
    const behind = rest.filter((item) => !aheadIds.has(item.notificationId));
    this.items = [...ahead, ...page.map((item) => this.known(item)), ...behind];
  }

  /** An older page (load more): after everything. @param {InboxItem[]} page */
  appendPage(page) {
    for (const item of page) {
      if (this.byId.has(item.notificationId)) this.known(item);
      else this.items.push(this.known(item));
    }
  }

  /**
   * The one object for this id, updated with the server's fields (a read still being sent
   * stays read).
   * @param {InboxItem} item
   */
  known(item) {
    const known = this.byId.get(item.notificationId);
    if (!known) {
      this.byId.set(item.notificationId, item);
      return item;
    }
    const readAt = this.pendingReads.has(item.notificationId) ? known.readAt : item.readAt;
    Object.assign(known, item, { readAt });
    return known;
  }

  /** The first page, once (opening the panel). */
  async loadFirstPage() {
    if (this.loaded || this.loading === "loading") return;
    this.loading = "loading";
    this.problem = "";
    this.onChange();
    const seq = this.unreadSeq;
    try {
      const page = await this.api.page(null);
      this.mergeFirstPage(page.items);
      this.nextCursor = page.nextCursor;
      this.loaded = true;
      this.loading = "idle";
      if (page.unreadCount !== null && seq === this.unreadSeq) this.setUnread(page.unreadCount);
    } catch {
      this.loading = "failed";
      this.problem = "loadFailed";
    }
    this.onChange();
  }

  /** The first page again, merged: what a gap in the stream may have missed. */
  async refreshFirstPage() {
    const seq = this.unreadSeq;
    try {
      const page = await this.api.page(null);
      this.mergeFirstPage(page.items);
      if (page.unreadCount !== null && seq === this.unreadSeq) this.setUnread(page.unreadCount);
      this.onChange();
    } catch {
      // The next reconnect or the next open tries again.
    }
  }

  async loadMore() {
    if (!this.nextCursor || this.loading === "loading") return;
    this.loading = "loading";
    this.problem = "";
    this.onChange();
    try {
      const page = await this.api.page(this.nextCursor);
      this.appendPage(page.items);
      this.nextCursor = page.nextCursor;
      this.loading = "idle";
    } catch {
      this.loading = "failed";
      this.problem = "loadFailed";
    }
    this.onChange();
  }

  /**
   * Optimistic: shown read (and the badge one less) at once, put back if the server
   * refuses. The server's next unread event sets the badge's truth either way.
   * @param {string} notificationId
   */
  async markRead(notificationId) {
    const item = this.byId.get(notificationId);
    if (!item || item.readAt || this.pendingReads.has(notificationId)) return;
    item.readAt = new Date().toISOString();
    const counted = this.unreadCount !== null && this.unreadCount > 0;
    if (counted) this.unreadCount = /** @type {number} */ (this.unreadCount) - 1;
    this.pendingReads.add(notificationId);
    this.problem = "";
    this.onChange();
    try {
      await this.api.markRead(notificationId);
      this.tabs.post({ type: "read", notificationId });
    } catch (error) {
      if (error instanceof HttpError && error.status === 404) {
        // Not the caller's (any more): it has no place in this list.
        this.byId.delete(notificationId);
        this.items = this.items.filter((known) => known.notificationId !== notificationId);
      } else {
        item.readAt = null;
        if (counted && this.unreadCount !== null) this.unreadCount += 1;
        this.problem = "readFailed";
      }
    } finally {
      this.pendingReads.delete(notificationId);
    }
    this.onChange();
  }

  async markAllRead() {
    const unread = this.items.filter((item) => !item.readAt);
    const before = this.unreadCount;
    const now = new Date().toISOString();
    for (const item of unread) item.readAt = now;
    this.unreadCount = 0;
    this.problem = "";
    this.onChange();
    try {
      await this.api.markAllRead();
      this.tabs.post({ type: "read-all" });
    } catch {
      for (const item of unread) item.readAt = null;
      if (this.unreadCount === 0) this.unreadCount = before;
      this.problem = "readFailed";
    }
    this.onChange();
  }
}

/** @param {string} tag @param {string} part @param {string} [className] */
function element(tag, part, className = part) {
  const node = document.createElement(tag);
  node.setAttribute("part", part);
  node.className = className;
  return node;
}

/** A bell outline, drawn with DOM calls: no markup parsed, no inline style. */
function bellIcon() {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  for (const d of ["M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9", "M10.3 21a1.94 1.94 0 0 0 3.4 0"]) {
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}

/**
 * Set before this module defined the element (the page's script ran first), a property is an
 * own property hiding the class's setter: take its value and let it through the setter.
 * @param {HTMLElement} element @param {string} name
 */
function upgradeProperty(element, name) {
  const properties = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (element));
  if (!Object.hasOwn(properties, name)) return;
  const value = properties[name];
  delete properties[name];
  properties[name] = value;
}

let instances = 0;

export class FluxNotifyInbox extends HTMLElement {
  static observedAttributes = ["api-base", "locale"];

  /** @type {string | null} */
  #token = null;
  /** @type {(() => Promise<string> | string) | null} */
  #tokenProvider = null;
  /** @type {Session | null} */
  #session = null;
  /** Which identity #session is for ("" while none). */
  #sessionKey = "";
  /** Bumped by every restart: a slower earlier start gives up. */
  #generation = 0;
  #open = false;
  /** @type {number | null} the count last announced with fluxnotify-unread */
  #announced = null;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  #clock = undefined;
  /** @type {Map<string, HTMLLIElement>} */
  #rows = new Map();
  #ui;

  constructor() {
    super();
    const root = this.attachShadow({ mode: "open" });
    applyStyles(root);
    const panelId = `fluxnotify-panel-${++instances}`;
    const ui = {
      root: element("div", "root"),
      bell: element("button", "bell"),
      badge: element("span", "badge"),
      panel: element("section", "panel"),
      heading: element("h2", "heading"),
      markAll: element("button", "mark-all", "text-button"),
      status: element("p", "status"),
      list: element("ul", "list"),
      empty: element("p", "empty"),
      loadMore: element("button", "load-more", "text-button load-more"),
    };
    ui.bell.setAttribute("type", "button");
    ui.bell.setAttribute("aria-haspopup", "true");
    ui.bell.setAttribute("aria-expanded", "false");
    ui.bell.setAttribute("aria-controls", panelId);
    ui.badge.setAttribute("aria-hidden", "true");
    ui.bell.append(bellIcon(), ui.badge);
    ui.panel.id = panelId;
    ui.panel.hidden = true;
    ui.markAll.setAttribute("type", "button");
    ui.loadMore.setAttribute("type", "button");
    ui.status.setAttribute("role", "status");
    ui.status.setAttribute("aria-live", "polite");
    const header = element("div", "header");
    header.append(ui.heading, ui.markAll);
    ui.panel.append(header, ui.status, ui.list, ui.empty, ui.loadMore);
    ui.root.append(ui.bell, ui.panel);
    root.append(ui.root);
    this.#ui = ui;

    ui.bell.addEventListener("click", () => this.#toggle());
    ui.markAll.addEventListener("click", () => void this.#session?.markAllRead());
    ui.loadMore.addEventListener("click", () => void this.#session?.loadMore());
    ui.list.addEventListener("click", (event) => {
      const target = /** @type {Element} */ (event.target);
      const row = target.closest?.("[data-notification-id]");
      const id = row?.getAttribute("data-notification-id");
      if (id) void this.#session?.markRead(id);
    });
  }

  /** The user's JWT. Kept in a private field: never an attribute, never in the DOM. */
  get token() {
    return this.#token;
  }

  set token(value) {
    this.#token = typeof value === "string" && value.trim() ? value.trim() : null;
    this.#restart();
  }

  /** async () => JWT, asked whenever a call needs one; wins over `token`. */
  get tokenProvider() {
    return this.#tokenProvider;
  }

  set tokenProvider(value) {
    this.#tokenProvider = typeof value === "function" ? value : null;
    this.#restart();
  }

  /** The server's unread count, once known. */
  get unreadCount() {
    return this.#session?.unreadCount ?? 0;
  }

  get #locale() {
    const value = this.getAttribute("locale");
    return value === "ko" || value === "en" ? value : defaultLocale();
  }

  get #apiBase() {
    const value = this.getAttribute("api-base")?.trim();
    return (value || new URL(import.meta.url).origin).replace(/\/+$/, "");
  }

  connectedCallback() {
    upgradeProperty(this, "token");
    upgradeProperty(this, "tokenProvider");
    document.addEventListener("click", this.#outsideClick);
    document.addEventListener("keydown", this.#escape);
    this.#restart();
  }

  disconnectedCallback() {
    document.removeEventListener("click", this.#outsideClick);
    document.removeEventListener("keydown", this.#escape);
    this.#setOpen(false);
    this.#stopSession();
  }

  /** @param {string} name */
  attributeChangedCallback(name) {
    if (name === "api-base") this.#restart();
    else this.#render();
  }

  async #currentToken() {
    if (this.#tokenProvider) {
      const token = await this.#tokenProvider();
      if (typeof token !== "string" || !token) throw new Error("the token provider gave no token");
      return token;
    }
    if (!this.#token) throw new Error("no token");
    return this.#token;
  }

  /** A session for the current identity: kept when only the token changed, new otherwise. */
  async #restart() {
    const generation = ++this.#generation;
    if (!this.isConnected || (!this.#token && !this.#tokenProvider)) {
      this.#stopSession();
      this.#render();
      return;
    }
    let token;
    try {
      token = await this.#currentToken();
    } catch {
      if (generation === this.#generation) {
        this.#stopSession();
        this.#render();
      }
      return;
    }
    if (generation !== this.#generation) return;
    const base = this.#apiBase;
    const claims = claimsOf(token);
    const key = `fluxnotify-inbox ${JSON.stringify([base, claims?.tenant ?? "", claims?.sub ?? ""])}`;
    if (this.#session && key === this.#sessionKey) return;
    this.#stopSession();
    this.#sessionKey = key;
    const api = new InboxApi(
      base,
      () => this.#currentToken(),
      () => this.#tokenProvider !== null,
    );
    this.#session = new Session({ api, name: key, onChange: (session) => this.#changed(session) });
    this.#session.start();
    // The first page at once: the badge's first count, and a list ready when the bell is clicked.
    void this.#session.loadFirstPage();
    this.#render();
  }

  #stopSession() {
    this.#session?.stop();
    this.#session = null;
    this.#sessionKey = "";
    this.#rows.clear();
    this.#ui.list.replaceChildren();
  }

  /** @param {Session} session */
  #changed(session) {
    if (session === this.#session) this.#render();
  }

  #toggle() {
    this.#setOpen(!this.#open);
  }

  /** @param {boolean} open */
  #setOpen(open) {
    this.#open = open;
    clearInterval(this.#clock);
    if (open) {
      this.#place();
      this.#clock = setInterval(() => this.#renderTimes(), CLOCK_TICK_MS);
      const session = this.#session;
      if (session && !session.loaded) void session.loadFirstPage();
    }
    this.#render();
  }

  /**
   * Opens the panel towards the larger part of the viewport: a bell at the left edge of a
   * page gets a panel to its right, one near the bottom a panel above it.
   */
  #place() {
    const box = this.getBoundingClientRect();
    const panel = this.#ui.panel;
    panel.dataset.align = box.left + box.width / 2 < window.innerWidth / 2 ? "start" : "end";
    panel.dataset.side = box.top + box.height / 2 > window.innerHeight / 2 ? "top" : "bottom";
  }

  /** @param {MouseEvent} event */
  #outsideClick = (event) => {
    if (this.#open && !event.composedPath().includes(this)) this.#setOpen(false);
  };

  /** Escape closes the panel wherever the focus is (a disabled button drops it to the body). */
  /** @param {KeyboardEvent} event */
  #escape = (event) => {
    if (event.key !== "Escape" || !this.#open) return;
    const focusedInside = this.shadowRoot?.activeElement != null;
    this.#setOpen(false);
    if (focusedInside) this.#ui.bell.focus();
  };

  #render() {
    const ui = this.#ui;
    const text = STRINGS[this.#locale];
    const session = this.#session;
    const count = session?.unreadCount ?? 0;

    ui.root.dataset.role = session?.role ?? "none";
    ui.root.dataset.stream = session?.streamState ?? "idle";
    ui.badge.dataset.count = String(count);
    ui.badge.textContent = count > 99 ? "99+" : String(count);
    ui.badge.hidden = count === 0;
    ui.bell.setAttribute("aria-label", text.bell(count));
    ui.bell.setAttribute("aria-expanded", String(this.#open));
    ui.panel.hidden = !this.#open;
    ui.panel.setAttribute("aria-label", text.heading);
    ui.heading.textContent = text.heading;
    ui.markAll.textContent = text.markAll;
    ui.loadMore.textContent = text.loadMore;
    ui.empty.textContent = text.empty;

    const items = session?.items ?? [];
    ui.markAll.toggleAttribute("disabled", !session || (count === 0 && items.every((item) => item.readAt)));
    ui.loadMore.hidden = !session?.nextCursor;
    ui.loadMore.toggleAttribute("disabled", session?.loading === "loading");
    ui.empty.hidden = !session || items.length > 0 || !session.loaded;
    ui.status.textContent = !session
      ? text.signIn
      : session.api.unauthorized
        ? text.signInAgain
        : session.problem
          ? text[session.problem]
          : session.loading === "loading"
            ? text.loading
            : session.streamState === "waiting"
              ? text.reconnecting
              : "";
    ui.status.hidden = ui.status.textContent === "";
    this.#renderList(items, text);
    this.#announce(session?.unreadCount ?? null);
  }

  /**
   * Rows are kept per id and moved only when out of place, so a new notification does not
   * take the keyboard focus from the row below it.
   * @param {InboxItem[]} items @param {Strings} text
   */
  #renderList(items, text) {
    const list = this.#ui.list;
    const now = Date.now();
    const wanted = new Set();
    let cursor = list.firstElementChild;
    for (const item of items) {
      wanted.add(item.notificationId);
      const row = this.#row(item, text, now);
      if (row === cursor) cursor = cursor.nextElementSibling;
      else list.insertBefore(row, cursor);
    }
    for (const [id, row] of this.#rows) {
      if (!wanted.has(id)) {
        row.remove();
        this.#rows.delete(id);
      }
    }
  }

  /** @param {InboxItem} item @param {Strings} text @param {number} now */
  #row(item, text, now) {
    let row = this.#rows.get(item.notificationId);
    if (!row) {
      row = /** @type {HTMLLIElement} */ (element("li", "item"));
      row.dataset.notificationId = item.notificationId;
      const button = element("button", "item-button");
      button.setAttribute("type", "button");
      const unread = document.createElement("span");
      unread.className = "visually-hidden unread-label";
      button.append(
        unread,
        element("span", "item-title"),
        element("span", "item-body"),
        element("time", "item-time"),
      );
      row.append(button);
      this.#rows.set(item.notificationId, row);
    }
    const read = Boolean(item.readAt);
    row.dataset.read = String(read);
    row.dataset.eventType = item.eventType;
    const part = (/** @type {string} */ name) => /** @type {HTMLElement} */ (row.querySelector(`.${name}`));
    part("unread-label").textContent = read ? "" : `${text.unread}: `;
    part("item-title").textContent = item.title;
    part("item-body").textContent = item.body;
    const time = part("item-time");
    time.setAttribute("datetime", item.createdAt);
    time.textContent = relativeTime(item.createdAt, this.#locale, now);
    time.title = absoluteTime(item.createdAt, this.#locale);
    return row;
  }

  #renderTimes() {
    const now = Date.now();
    for (const time of this.#ui.list.querySelectorAll("time")) {
      time.textContent = relativeTime(time.getAttribute("datetime") ?? "", this.#locale, now);
    }
  }

  /** @param {number | null} count */
  #announce(count) {
    if (count === null || count === this.#announced) return;
    this.#announced = count;
    this.dispatchEvent(
      new CustomEvent("fluxnotify-unread", { detail: { unreadCount: count }, bubbles: true }),
    );
  }
}

if (!customElements.get("fluxnotify-inbox")) customElements.define("fluxnotify-inbox", FluxNotifyInbox);
