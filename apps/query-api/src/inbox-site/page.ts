import { sameOriginPageCsp } from "@fluxnotify/shared/http";

/**
 * The demo page at /inbox/: the <fluxnotify-inbox> component of ./fluxnotify-inbox.js on a
 * page of its own, signed in with a development token. Plain HTML, one stylesheet and two
 * scripts of this origin: no inline script or style, nothing from a CDN, so the page runs
 * under PAGE_CSP, as strict a policy as a site embedding the component may have. What comes
 * from the token or the API is written with textContent, never parsed as HTML.
 */

export const INBOX_SITE_PATH = "/inbox/";
export const COMPONENT_PATH = `${INBOX_SITE_PATH}fluxnotify-inbox.js`;

/** Like /push/: files of this origin only; fetches and the event stream to this origin. */
export const PAGE_CSP = sameOriginPageCsp();

// Korean first: the text app.js replaces per locale (data-text) starts as the default's.
export const PAGE_HTML = `<!doctype html>
<html lang="ko">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>FluxNotify · inbox</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="${INBOX_SITE_PATH}inbox.css">
    <script type="module" src="${COMPONENT_PATH}"></script>
    <script type="module" src="${INBOX_SITE_PATH}app.js"></script>
  </head>
  <body>
    <header class="bar">
      <strong class="brand">FluxNotify</strong>
      <span class="tools">
        <label for="locale" data-text="language">언어</label>
        <select id="locale">
          <option value="ko">한국어</option>
          <option value="en">English</option>
        </select>
        <fluxnotify-inbox id="inbox"></fluxnotify-inbox>
      </span>
    </header>
    <main>
      <h1 data-text="heading">알림함 데모</h1>
      <p data-text="intro">
        이 페이지는 사이트에 넣을 수 있는 fluxnotify-inbox 컴포넌트를 보여 줍니다.
      </p>

      <section id="signed-out" aria-labelledby="sign-in-heading">
        <h2 id="sign-in-heading" data-text="signInHeading">로그인</h2>
        <label for="token" data-text="tokenLabel">Bearer 토큰 (JWT)</label>
        <input id="token" type="password" autocomplete="off" spellcheck="false">
        <button id="sign-in" type="button" data-text="signIn">로그인</button>
        <p id="sign-in-status" role="status"></p>
        <p class="hint" data-text="hint">
          개발 환경에서는 bin/token --user user-1 --tenant tenant-a 가 토큰을 출력합니다.
          /inbox/#token=… 으로 열어도 됩니다. 토큰은 이 페이지 안에만 있고 어디에도 저장되지 않습니다.
        </p>
      </section>

      <section id="signed-in" aria-labelledby="who-heading" hidden>
        <h2 id="who-heading" data-text="signedInHeading">로그인됨</h2>
        <p id="who"></p>
        <p id="unread" role="status"></p>
        <button id="sign-out" type="button" data-text="signOut">로그아웃</button>
      </section>
    </main>
  </body>
</html>
`;

export const PAGE_CSS = `:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
body { margin: 0; }
.bar { display: flex; align-items: center; justify-content: space-between; gap: 1rem; padding: 0.6rem 1.2rem; border-bottom: 1px solid #8884; }
.brand { font-size: 1.1rem; }
.tools { display: flex; align-items: center; gap: 0.6rem; }
main { max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
section { margin-top: 2rem; }
label { font-weight: 600; }
section label { display: block; margin-top: 0.75rem; }
input { width: 100%; box-sizing: border-box; padding: 0.4rem; font: inherit; }
select { font: inherit; padding: 0.2rem; }
button { margin-top: 0.75rem; padding: 0.4rem 0.9rem; font: inherit; cursor: pointer; }
.hint { font-size: 0.9rem; opacity: 0.8; }
.error { color: #c62828; }
`;

/**
 * The page's script (an ES module, after the component's). Kept as text with no backticks
 * and no template placeholders inside, served as a file of this origin.
 */
export const PAGE_JS = `const inbox = document.getElementById("inbox");
const $ = (id) => document.getElementById(id);

const TEXT = {
  ko: {
    language: "언어",
    heading: "알림함 데모",
    intro: "이 페이지는 사이트에 넣을 수 있는 fluxnotify-inbox 컴포넌트를 보여 줍니다.",
    signInHeading: "로그인",
    tokenLabel: "Bearer 토큰 (JWT)",
    signIn: "로그인",
    hint: "개발 환경에서는 bin/token --user user-1 --tenant tenant-a 가 토큰을 출력합니다. /inbox/#token=… 으로 열어도 됩니다. 토큰은 이 페이지 안에만 있고 어디에도 저장되지 않습니다.",
    signedInHeading: "로그인됨",
    signOut: "로그아웃",
    who: (user, tenant) => "사용자 " + user + " · 테넌트 " + tenant,
    unread: (count) => "읽지 않은 알림: " + count + "개",
    noToken: "토큰을 먼저 붙여 넣으세요.",
    badToken: "JWT 형식이 아닙니다.",
  },
  en: {
    language: "Language",
    heading: "Inbox demo",
    intro: "This page shows the fluxnotify-inbox component, which any site can embed.",
    signInHeading: "Sign in",
    tokenLabel: "Bearer token (JWT)",
    signIn: "Sign in",
    hint: "In development, bin/token --user user-1 --tenant tenant-a prints one. Opening /inbox/#token=… works too. The token stays in this page: it is not stored anywhere.",
    signedInHeading: "Signed in",
    signOut: "Sign out",
    who: (user, tenant) => "User " + user + " · tenant " + tenant,
    unread: (count) => "Unread: " + count,
    noToken: "Paste a token first.",
    badToken: "That is not a JWT.",
  },
};

const state = { locale: navigator.language.toLowerCase().startsWith("ko") ? "ko" : "en", claims: null, unread: null };

/* The token's claims, unverified: only shown. The API verifies the token on every call. */
function claimsOf(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(part.padEnd(Math.ceil(part.length / 4) * 4, "=")), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return typeof claims === "object" && claims !== null ? claims : null;
  } catch (error) {
    return null;
  }
}

function render() {
  const text = TEXT[state.locale];
  document.documentElement.lang = state.locale;
  for (const element of document.querySelectorAll("[data-text]")) {
    const value = text[element.dataset.text];
    if (typeof value === "string") element.textContent = value;
  }
  $("locale").value = state.locale;
  inbox.setAttribute("locale", state.locale);
  $("signed-out").hidden = state.claims !== null;
  $("signed-in").hidden = state.claims === null;
  if (state.claims) $("who").textContent = text.who(String(state.claims.sub), String(state.claims.tenant));
  $("unread").textContent = state.unread === null ? "" : text.unread(state.unread);
  document.title = (state.unread ? "(" + state.unread + ") " : "") + "FluxNotify · inbox";
}

function say(message) {
  const status = $("sign-in-status");
  status.textContent = message;
  status.classList.toggle("error", Boolean(message));
}

function signIn(token) {
  const claims = claimsOf(token);
  if (!claims) {
    say(TEXT[state.locale][token ? "badToken" : "noToken"]);
    return;
  }
  say("");
  state.claims = claims;
  state.unread = null;
  inbox.token = token;
  $("token").value = "";
  render();
}

function signOut() {
  inbox.token = null;
  state.claims = null;
  state.unread = null;
  render();
}

inbox.addEventListener("fluxnotify-unread", (event) => {
  state.unread = event.detail.unreadCount;
  render();
});
$("locale").addEventListener("change", () => {
  state.locale = $("locale").value === "ko" ? "ko" : "en";
  render();
});
$("sign-in").addEventListener("click", () => signIn($("token").value.trim()));
$("token").addEventListener("keydown", (event) => {
  if (event.key === "Enter") signIn($("token").value.trim());
});
$("sign-out").addEventListener("click", signOut);

// #token=<JWT>: a fragment never reaches a server or an access log. Taken out of the address
// bar (and so out of the history and of what a copied link carries) as soon as it is read.
const fragment = new URLSearchParams(location.hash.slice(1));
const fromFragment = fragment.get("token");
if (fragment.get("locale") === "ko" || fragment.get("locale") === "en") state.locale = fragment.get("locale");
if (location.hash) history.replaceState(null, "", location.pathname + location.search);
render();
if (fromFragment) signIn(fromFragment.trim());
`;
