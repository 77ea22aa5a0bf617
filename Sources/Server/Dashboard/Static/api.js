// The dashboard API: the session (token in sessionStorage), authorized JSON calls, and expiry.

const key = "sufra.session";
let session = JSON.parse(sessionStorage.getItem(key) || "null");
let onExpired = () => {};

/** The signed-in session `{ token, expiresAt, user }`, or null. */
export const currentSession = () =>
  session && new Date(session.expiresAt).getTime() > Date.now() ? session : null;

/** Calls `handler` when the server refuses the token (expired, user deleted). */
export const whenExpired = (handler) => (onExpired = handler);

/** An API failure with its HTTP status and answer. */
export class APIError extends Error {
  constructor(status, body) {
    super(body?.error || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** Signs in; resolves to the session or throws an APIError (401 wrong credentials, 429 locked). */
export async function login(restaurantId, email, password) {
  const response = await fetch("/api/login", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ restaurantId, email, password }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new APIError(response.status, body);
    error.retryAfter = Number(response.headers.get("Retry-After") || 0);
    throw error;
  }
  session = body;
  sessionStorage.setItem(key, JSON.stringify(session));
  return session;
}

/** Forgets the session. */
export function logout() {
  session = null;
  sessionStorage.removeItem(key);
}

/** An authorized JSON call; a 401 ends the session. */
export async function api(path, { method = "GET", body } = {}) {
  const active = currentSession();
  if (!active) {
    onExpired();
    throw new APIError(401, { error: "session expired" });
  }
  const response = await fetch(path, {
    method,
    headers: { Authorization: `Bearer ${active.token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = response.status === 204 ? {} : await response.json().catch(() => ({}));
  if (response.status === 401) {
    logout();
    onExpired();
  }
  if (!response.ok) throw new APIError(response.status, answer);
  return answer;
}
