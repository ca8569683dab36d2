// The admin console: a client of this API in plain ES modules. Screens are paths below the console's root
// (/console/, /console/numbers/PN…, /console/add, /console/caller-ids); a list's filters and page are its query.

import { api, ApiError, consoleRoot, session, takeTokenFromFragment } from "./api.js";
import { h, replace } from "./dom.js";
import { connect } from "./navigation.js";
import { renderCallerIds } from "./views/callerids.js";
import { renderDetail } from "./views/detail.js";
import { renderNumbers } from "./views/numbers.js";
import { renderAdd } from "./views/add.js";
import { renderAudit } from "./views/audit.js";
import { renderForbidden, renderNotFound, renderSignIn, renderUnavailable } from "./views/pages.js";

takeTokenFromFragment();

const main = document.getElementById("main");
const SCREENS = [
  { pattern: /^$/, nav: "numbers", render: renderNumbers },
  { pattern: /^numbers$/, nav: "numbers", render: renderNumbers },
  { pattern: /^numbers\/([A-Za-z0-9]+)$/, nav: "numbers", render: renderDetail },
  { pattern: /^add$/, nav: "numbers", render: renderAdd },
  { pattern: /^caller-ids$/, nav: "caller-ids", render: renderCallerIds },
  { pattern: /^audit$/, nav: "audit", render: renderAudit },
];
let role = null; // "supervisor" once a supervisor route answered; checked once per page load and sign-in
let me = null; // GET /v1/me: who the token is and the workspace's name (the header), read with the role

function relativePath(url) {
  if (`${url.pathname}/` === consoleRoot.pathname) return ""; // /console without its slash
  return url.pathname.startsWith(consoleRoot.pathname) ? url.pathname.slice(consoleRoot.pathname.length) : null;
}

function navigate(href, { replaceEntry = false } = {}) {
  const url = new URL(href, consoleRoot);
  if (replaceEntry) window.history.replaceState(null, "", url);
  else window.history.pushState(null, "", url);
  render();
}

// A screen that met the API's 401 sends the user back to sign in with the API's words; 403 is the agent page.
function handleApiError(error, { area } = {}) {
  if (error instanceof ApiError && error.status === 401) {
    session.clear();
    role = null;
    me = null;
    render({ signInMessage: error.message });
    return true;
  }
  if (error instanceof ApiError && error.status === 403) {
    role = "agent";
    render();
    return true;
  }
  if (error instanceof ApiError && error.status === 404 && !area) {
    showScreen((screen) => renderNotFound(screen));
    return true;
  }
  if (area) area.error(error.message);
  return false;
}

function showScreen(draw, nav = null) {
  const screen = h("div", { class: "screen" });
  replace(main, screen);
  for (const link of document.querySelectorAll("[data-nav]")) {
    if (link.dataset.nav === nav) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  draw(screen);
  return screen;
}

function showChrome(signedIn) {
  document.getElementById("nav").hidden = !signedIn || role !== "supervisor";
  document.getElementById("sign-out").hidden = !signedIn;
  const who = document.getElementById("who");
  // The workspace by its name (its SID only while the name could not be read).
  const sid = (me && me.accountSid) || (signedIn && signedIn.accountSid) || "";
  who.textContent = !signedIn ? "" : me && me.accountName ? me.accountName : sid ? `Account ${sid}` : "";
  if (signedIn && me && me.accountName && sid) who.title = sid;
  else who.removeAttribute("title");
}

// The header's name: a failure to read it leaves the SID, never stops the console.
async function readMe() {
  try {
    me = await api("GET", "/v1/me");
  } catch {
    me = null;
  }
}

// One supervisor-only read tells the role: agents may list numbers, but only supervisors may list caller IDs.
async function checkRole() {
  try {
    await api("GET", "/v1/caller-ids", { query: { perPage: 1 } });
    role = "supervisor";
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) role = "agent";
    else throw error;
  }
}

export async function render({ signInMessage } = {}) {
  const signedIn = session.get();
  showChrome(null);
  if (!signedIn) {
    showScreen((screen) => renderSignIn(screen, { message: signInMessage, onSignIn: signIn }));
    return;
  }
  if (role === null) {
    try {
      await Promise.all([checkRole(), readMe()]);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        session.clear();
        showScreen((screen) => renderSignIn(screen, { message: error.message, onSignIn: signIn }));
      } else {
        showScreen((screen) => renderUnavailable(screen, { message: error.message, onRetry: () => render() }));
      }
      return;
    }
  }
  showChrome(signedIn);
  if (role !== "supervisor") {
    showScreen((screen) => renderForbidden(screen, { onSignOut: signOut }));
    return;
  }
  const url = new URL(window.location.href);
  const path = relativePath(url);
  const screenOf = path === null ? null : SCREENS.find((s) => s.pattern.test(path));
  if (!screenOf) {
    showScreen((screen) => renderNotFound(screen));
    return;
  }
  const params = path.match(screenOf.pattern).slice(1);
  showScreen((screen) => screenOf.render(screen, { params, query: url.searchParams }), screenOf.nav);
}

function signIn(token, accountSid) {
  session.save(token, accountSid);
  role = null;
  me = null;
  render();
}

function signOut() {
  session.clear();
  role = null;
  me = null;
  navigate("./", { replaceEntry: true });
}

// Links inside the console move between screens without reloading the page.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[href]");
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  if (link.target || link.hasAttribute("download")) return;
  const url = new URL(link.href);
  if (url.origin !== consoleRoot.origin || relativePath(url) === null) return;
  if (url.pathname === window.location.pathname && url.search === window.location.search && url.hash) return;
  event.preventDefault();
  navigate(url.href);
});
window.addEventListener("popstate", () => render());
document.getElementById("sign-out").addEventListener("click", signOut);

connect({ navigate, handleApiError });
render();
