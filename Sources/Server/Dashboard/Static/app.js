// The staff dashboard: sign-in, tabs, language switch, the live connection, and the four views. Everything the
// server sends is inserted as text (see dom.js); the page needs nothing outside this server.
import { api, currentSession, login, logout, whenExpired } from "./api.js";
import { Board } from "./board.js";
import { isMuted, setMuted, unlockAudio } from "./chime.js";
import { byId, toast } from "./dom.js";
import { applyStaticStrings, currentLanguage, onLanguageChange, setLanguage, t } from "./i18n.js";
import { Inbox } from "./inbox.js";
import { LiveConnection } from "./live.js";
import { Menu } from "./menu.js";
import { Today } from "./today.js";

const board = new Board();
const inbox = new Inbox();
const menu = new Menu();
const today = new Today();
let live = null;
let expiryTimer = 0;
let tab = sessionStorage.getItem("sufra.tab") || "board";
let liveState = "offline";

function showLogin(message) {
  live?.stop();
  live = null;
  clearTimeout(expiryTimer);
  byId("app-view").hidden = true;
  byId("login-view").hidden = false;
  const error = byId("login-error");
  error.hidden = !message;
  error.textContent = message ?? "";
  const remembered = new URLSearchParams(location.search).get("restaurant")
    || localStorage.getItem("sufra.restaurant");
  if (remembered && !byId("login-restaurant").value) byId("login-restaurant").value = remembered;
  (byId("login-restaurant").value ? byId("login-email") : byId("login-restaurant")).focus();
}

async function showApp() {
  const session = currentSession();
  if (!session) return showLogin();
  byId("login-view").hidden = true;
  byId("app-view").hidden = false;
  byId("user-name").textContent = session.user?.name ?? "";
  const remaining = new Date(session.expiresAt).getTime() - Date.now();
  clearTimeout(expiryTimer);
  expiryTimer = setTimeout(() => expire(), Math.min(remaining, 2 ** 31 - 1));
  renderChrome();
  selectTab(tab);
  live = new LiveConnection({
    token: session.token, onEvent: handleEvent, onStatus: setLiveState, onReconnect: () => reloadAll(),
  });
  live.start();
  await reloadAll();
}

function expire() {
  logout();
  showLogin(t("sessionExpired"));
}

async function reloadAll() {
  try {
    await Promise.all([board.load(), inbox.load(), menu.load(), today.load()]);
  } catch (error) {
    if (error.status !== 401) toast(error.message, "error");
  }
}

function handleEvent(event) {
  switch (event.type) {
    case "order.updated":
      board.update(event.data).catch(() => {});
      if (tab === "today") today.load().catch(() => {});
      break;
    case "conversation.updated":
      inbox.upsert(event.data);
      break;
    case "message.received":
    case "message.sent":
    case "message.status":
      inbox.message(event.data, event.at);
      break;
  }
}

function setLiveState(state) {
  liveState = state;
  const badge = byId("live-status");
  badge.dataset.state = state;
  badge.className = `live ${state}`;
  const label = { live: "live", connecting: "connecting", full: "dashboardsFull" }[state] ?? "offline";
  byId("live-label").textContent = t(label);
  document.body.classList.toggle("is-offline", state === "offline" || state === "full");
}

function selectTab(next) {
  tab = ["board", "inbox", "menu", "today"].includes(next) ? next : "board";
  sessionStorage.setItem("sufra.tab", tab);
  for (const button of document.querySelectorAll(".tab")) {
    const on = button.dataset.tab === tab;
    button.classList.toggle("on", on);
    button.setAttribute("aria-selected", String(on));
  }
  for (const name of ["board", "inbox", "menu", "today"]) byId(`tab-${name}`).hidden = name !== tab;
  if (tab === "today") today.load().catch(() => {});
  if (tab === "menu") menu.load().catch(() => {});
  if (tab === "inbox" && inbox.openId) inbox.markRead().catch(() => {});
}

function renderChrome() {
  const mute = byId("mute");
  mute.classList.toggle("muted", isMuted());
  mute.title = isMuted() ? t("unmute") : t("mute");
  mute.setAttribute("aria-label", mute.title);
  mute.setAttribute("aria-pressed", String(isMuted()));
  setLiveState(liveState);
}

byId("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  unlockAudio();
  const submit = byId("login-submit");
  submit.disabled = true;
  submit.textContent = t("signingIn");
  const restaurantId = byId("login-restaurant").value.trim();
  try {
    await login(restaurantId, byId("login-email").value.trim(), byId("login-password").value);
    localStorage.setItem("sufra.restaurant", restaurantId);
    byId("login-password").value = "";
    await showApp();
  } catch (error) {
    const message = error.status === 401 ? t("loginFailed")
      : error.status === 429 ? t("loginLocked", Math.max(1, Math.ceil((error.retryAfter || 60) / 60)))
        : error.status ? error.message : t("networkError");
    showLogin(message);
  } finally {
    submit.disabled = false;
    submit.textContent = t("signIn");
  }
});

for (const button of document.querySelectorAll(".tab")) {
  button.addEventListener("click", () => selectTab(button.dataset.tab));
}
for (const toggle of document.querySelectorAll(".lang-toggle")) {
  toggle.addEventListener("click", () => setLanguage(currentLanguage() === "ar" ? "en" : "ar"));
}
byId("mute").addEventListener("click", () => {
  setMuted(!isMuted());
  if (!isMuted()) unlockAudio();
  renderChrome();
});
byId("logout").addEventListener("click", () => {
  logout();
  showLogin();
});
document.addEventListener("pointerdown", unlockAudio, { once: true });
whenExpired(() => showLogin(t("sessionExpired")));
onLanguageChange(() => {
  renderChrome();
  board.render();
  inbox.renderList();
  if (inbox.openId) inbox.renderChat(false);
  menu.render();
  today.render();
});

applyStaticStrings();
if (currentSession()) showApp(); else showLogin();

// For the browser tests and for support: what the page believes, read-only.
window.sufra = Object.freeze({ board, inbox, menu, today });
