// The inbox: conversations (those asking for a person first, then the most recent), unread badges, search by
// number or name, the chat with paging back through history, take over / give back, and the reply box.
import { api } from "./api.js";
import { byId, el, phone, toast } from "./dom.js";
import { formatDay, formatNumber, formatTime, t } from "./i18n.js";

const pageSize = 50;

/** Whether staff answer this conversation now: taken over, and the hand-off has not run idle (`humanUntil`). */
export const staffAnswer = (conversation) =>
  conversation.mode === "human" && (!conversation.humanUntil || new Date(conversation.humanUntil) > new Date());

export class Inbox {
  constructor() {
    this.conversations = new Map();
    this.next = null;
    this.openId = null;
    this.messages = new Map();
    this.olderCursor = null;
    this.query = "";
    byId("inbox-search").addEventListener("input", (event) => {
      this.query = event.target.value.trim().toLowerCase();
      this.renderList();
    });
    byId("conversations-more").addEventListener("click", () => this.loadMore());
    byId("chat-older").addEventListener("click", () => this.loadOlder());
    byId("chat-handoff").addEventListener("click", () => this.setMode("handoff"));
    byId("chat-release").addEventListener("click", () => this.setMode("release"));
    byId("reply-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.reply();
    });
    // A hand-off that runs idle returns to the bot without an event: look again every half minute.
    setInterval(() => {
      this.renderList();
      if (this.openId) this.renderChat(false);
    }, 30_000);
    byId("reply-body").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        this.reply();
      }
    });
  }

  async load() {
    const page = await api(`/api/conversations?limit=${pageSize}`);
    this.conversations = new Map(page.items.map((conversation) => [conversation.id, conversation]));
    this.next = page.next;
    this.renderList();
    if (this.openId) await this.open(this.openId);
  }

  async loadMore() {
    if (!this.next) return;
    const page = await api(`/api/conversations?limit=${pageSize}&before=${encodeURIComponent(this.next)}`);
    for (const conversation of page.items) {
      if (!this.conversations.has(conversation.id)) this.conversations.set(conversation.id, conversation);
    }
    this.next = page.next;
    this.renderList();
  }

  sorted() {
    return [...this.conversations.values()].sort((a, b) =>
      Number(b.needsHuman ?? false) - Number(a.needsHuman ?? false) || b.lastMessageAt.localeCompare(a.lastMessageAt));
  }

  matches(conversation) {
    if (!this.query) return true;
    const digits = this.query.replace(/[^0-9]/g, "");
    return (conversation.profileName ?? "").toLowerCase().includes(this.query)
      || (digits.length > 0 && conversation.customer.replace(/[^0-9]/g, "").includes(digits));
  }

  renderList() {
    const list = byId("conversation-list");
    const rows = this.sorted().filter((conversation) => this.matches(conversation)).map((conversation) => {
      const name = el("span", "name", null,
        conversation.profileName ? el("bdi", null, conversation.profileName) : phone(conversation.customer, null));
      const time = el("time", "muted small", formatTime(conversation.lastMessageAt));
      const line = el("div", "row-line", null, name, time);
      const tags = el("div", "row-tags");
      tags.append(phone(conversation.customer, "muted small"));
      if (conversation.needsHuman) tags.append(el("span", "badge alert", t("needsHuman")));
      if (staffAnswer(conversation)) tags.append(el("span", "badge human", t("modeHuman")));
      if (conversation.unreadCount > 0) {
        const unread = el("span", "unread", formatNumber(conversation.unreadCount));
        unread.title = t("unread", conversation.unreadCount);
        tags.append(unread);
      }
      const row = el("li", "conversation", null, line, tags);
      row.dataset.id = conversation.id;
      row.tabIndex = 0;
      if (conversation.id === this.openId) row.classList.add("selected");
      if (conversation.needsHuman) row.classList.add("needs-human");
      row.addEventListener("click", () => this.open(conversation.id));
      row.addEventListener("keydown", (event) => { if (event.key === "Enter") this.open(conversation.id); });
      return row;
    });
    list.replaceChildren(...rows);
    byId("conversations-more").hidden = !this.next;
    const waiting = [...this.conversations.values()].filter((c) => c.needsHuman || c.unreadCount > 0).length;
    const pill = byId("inbox-count");
    pill.hidden = waiting === 0;
    pill.textContent = formatNumber(waiting);
  }

  async open(id) {
    this.openId = id;
    byId("chat-empty").hidden = true;
    byId("chat-pane").hidden = false;
    const page = await api(`/api/conversations/${id}/messages?limit=${pageSize}`);
    if (this.openId !== id) return;
    this.messages = new Map(page.items.map((message) => [message.id, message]));
    this.olderCursor = page.next;
    this.renderChat(true);
    this.renderList();
    await this.markRead();
  }

  async markRead(force = false) {
    const conversation = this.conversations.get(this.openId);
    if (!conversation || (!force && conversation.unreadCount === 0)) return;
    const updated = await api(`/api/conversations/${this.openId}/read`, { method: "POST" });
    this.upsert(updated);
  }

  async loadOlder() {
    if (!this.olderCursor || !this.openId) return;
    const scroll = byId("chat-scroll");
    const fromBottom = scroll.scrollHeight - scroll.scrollTop;
    const page = await api(
      `/api/conversations/${this.openId}/messages?limit=${pageSize}&before=${encodeURIComponent(this.olderCursor)}`);
    for (const message of page.items) this.messages.set(message.id, message);
    this.olderCursor = page.next;
    this.renderChat(false);
    scroll.scrollTop = scroll.scrollHeight - fromBottom;
  }

  renderChat(toBottom) {
    const conversation = this.conversations.get(this.openId);
    if (conversation) {
      byId("chat-title").textContent = conversation.profileName || conversation.customer.replace(/^whatsapp:/, "");
      byId("chat-subtitle").textContent = conversation.customer.replace(/^whatsapp:/, "");
      const human = staffAnswer(conversation);
      const mode = byId("chat-mode");
      mode.textContent = human ? t("modeHuman") : t("modeBot");
      mode.className = `badge ${human ? "human" : "bot"}`;
      byId("chat-handoff").hidden = human;
      byId("chat-release").hidden = !human;
      byId("chat-pane").dataset.mode = human ? "human" : "bot";
    }
    const messages = [...this.messages.values()].sort((a, b) =>
      a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    const items = [];
    let day = "";
    for (const message of messages) {
      const messageDay = message.createdAt.slice(0, 10);
      if (messageDay !== day) {
        day = messageDay;
        items.push(el("li", "day", formatDay(message.createdAt)));
      }
      const text = message.body ?? t("template", message.contentSid ?? "");
      const status = message.direction === "outbound" ? t(`status_${message.status}`) : "";
      const meta = el("div", "meta", [formatTime(message.createdAt), status].filter(Boolean).join(" · "));
      const body = el("div", "text", text);
      body.dir = "auto";
      const bubble = el("li", `message ${message.direction}`, null, body, meta);
      bubble.dataset.id = message.id;
      if (message.status === "failed" || message.status === "dead" || message.status === "undelivered") {
        bubble.classList.add("failed");
      }
      items.push(bubble);
    }
    byId("chat-messages").replaceChildren(...items);
    byId("chat-older").hidden = !this.olderCursor;
    if (toBottom) {
      const scroll = byId("chat-scroll");
      scroll.scrollTop = scroll.scrollHeight;
    }
  }

  async setMode(action) {
    if (!this.openId) return;
    try {
      const updated = await api(`/api/conversations/${this.openId}/${action}`, { method: "POST" });
      this.upsert(updated);
    } catch (error) {
      toast(error.message, "error");
    }
  }

  async reply() {
    const box = byId("reply-body");
    const body = box.value.trim();
    if (!body || !this.openId) return;
    box.disabled = true;
    try {
      const message = await api(`/api/conversations/${this.openId}/messages`, { method: "POST", body: { body } });
      box.value = "";
      this.messages.set(message.id, message);
      this.renderChat(true);
    } catch (error) {
      toast(t("replyFailed", error.message), "error");
    } finally {
      box.disabled = false;
      box.focus();
    }
  }

  /** A conversation from the API or a `conversation.updated` event (whose data may carry only the fields that
   * changed: then the first page is reloaded shortly after, coalescing bursts). */
  upsert(conversation) {
    const merged = { ...this.conversations.get(conversation.id), ...conversation };
    if (merged.lastMessageAt && merged.customer) this.conversations.set(conversation.id, merged);
    if (!("unreadCount" in conversation)) this.scheduleRefresh();
    this.renderList();
    if (conversation.id === this.openId) this.renderChat(false);
  }

  scheduleRefresh() {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(async () => {
      this.refreshTimer = 0;
      try {
        const page = await api(`/api/conversations?limit=${pageSize}`);
        for (const conversation of page.items) this.conversations.set(conversation.id, conversation);
        if (this.conversations.size <= page.items.length) this.next = page.next;
        this.renderList();
        if (this.openId) this.renderChat(false);
      } catch {
        // The next event or reconnect tries again.
      }
    }, 300);
  }

  /** A `message.*` event; `at` stands in for a missing `createdAt`. */
  message(message, at) {
    if (message.conversationId !== this.openId) return;
    const scroll = byId("chat-scroll");
    const atBottom = scroll.scrollHeight - scroll.scrollTop - scroll.clientHeight < 80;
    const known = this.messages.get(message.id);
    this.messages.set(message.id, { createdAt: at, ...known, ...message });
    this.renderChat(atBottom);
    if (message.direction === "inbound" && !document.hidden && !byId("tab-inbox").hidden) {
      this.markRead(true).catch(() => {});
    }
  }
}
