// The console's one way to the API: the caller's Flex token as a Bearer header, the account it names (when
// given) as X-Twilio-Account-Sid, and the API's error envelope turned into an ApiError with its message.

const STORE = "callerIdConsole.session";

// The console lives at <API base>/console/: the API is one level up, under any stage prefix or base path.
export const consoleRoot = new URL(".", document.baseURI);
export const apiBase = new URL("../", consoleRoot);

export const session = {
  get() {
    try {
      const saved = JSON.parse(window.sessionStorage.getItem(STORE) || "null");
      return saved && saved.token ? saved : null;
    } catch {
      return null;
    }
  },
  save(token, accountSid) {
    window.sessionStorage.setItem(STORE, JSON.stringify({ token, accountSid: accountSid || null }));
  },
  clear() {
    window.sessionStorage.removeItem(STORE);
  },
};

// The Flex plugin opens <console>#token=…&accountSid=…: taken into sessionStorage, then gone from the address
// bar (and so from history and bookmarks) before anything else runs.
export function takeTokenFromFragment() {
  if (!window.location.hash) return;
  const fields = new URLSearchParams(window.location.hash.slice(1));
  const token = fields.get("token");
  if (token) session.save(token, fields.get("accountSid"));
  window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function api(method, path, { query, body } = {}) {
  const url = new URL(path.replace(/^\//, ""), apiBase);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
  }
  const signedIn = session.get();
  const headers = {};
  if (signedIn) {
    headers.Authorization = `Bearer ${signedIn.token}`;
    if (signedIn.accountSid) headers["X-Twilio-Account-Sid"] = signedIn.accountSid;
  }
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, "network_error", "The API could not be reached. Check the connection and try again.");
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = data && data.error;
    const message = (error && error.message) || (data && data.message) || `The API answered ${response.status}.`;
    throw new ApiError(response.status, (error && error.code) || `http_${response.status}`, message);
  }
  return data;
}
