// The orders board: a column per status (new → preparing → out for delivery → delivered), a card per order with
// its number, items, total, type, customer, location and age, the allowed moves as buttons. A new order rings
// and stays highlighted until someone touches it.
import { api } from "./api.js";
import { chime } from "./chime.js";
import { button, byId, el, phone, toast } from "./dom.js";
import { formatAge, formatNumber, formatPrice, t } from "./i18n.js";

const columns = ["CONFIRMED", "PREPARING", "OUT_FOR_DELIVERY", "DELIVERED"];
/** Delivered and rated orders stay on the board for this long. */
const doneWindowMs = 12 * 3600 * 1000;

/** The moves staff may make from `order`'s status (the server checks them again). */
export function moves(order) {
  switch (order.status) {
    case "CONFIRMED": return ["PREPARING", "CANCELLED"];
    case "PREPARING": return order.type === "delivery" ? ["OUT_FOR_DELIVERY"] : ["DELIVERED"];
    case "OUT_FOR_DELIVERY": return ["DELIVERED"];
    default: return [];
  }
}

export class Board {
  constructor() {
    this.orders = new Map();
    this.fresh = new Set();
    this.announced = new Set();
    this.filter = "all";
    this.loaded = false;
    for (const choice of byId("board-filter").querySelectorAll("button")) {
      choice.addEventListener("click", () => {
        this.filter = choice.dataset.filter;
        for (const other of byId("board-filter").querySelectorAll("button")) other.classList.toggle("on", other === choice);
        this.render();
      });
    }
    setInterval(() => this.refreshAges(), 30_000);
  }

  /** Loads every open order (each status paged separately, so busy evenings are never cut at 50). */
  async load() {
    const statuses = ["CONFIRMED", "PREPARING", "OUT_FOR_DELIVERY", "DELIVERED", "RATED"];
    const pages = await Promise.all(statuses.map((status) => this.loadStatus(status)));
    this.orders = new Map(pages.flat().map((order) => [order.id, order]));
    this.loaded = true;
    this.render();
  }

  async loadStatus(status) {
    const open = !["DELIVERED", "RATED"].includes(status);
    const found = [];
    let cursor = null;
    do {
      const query = `/api/orders?status=${status}&limit=200` + (cursor ? `&before=${encodeURIComponent(cursor)}` : "");
      const page = await api(query);
      found.push(...page.items);
      cursor = open ? page.next : null;
    } while (cursor);
    return found;
  }

  /** An `order.updated` event (its data is a summary): the full order is fetched, a new confirmed order rings
   * and is highlighted. */
  async update(summary) {
    if (summary.status === "DRAFT") return;
    const known = this.orders.has(summary.id);
    const order = await api(`/api/orders/${summary.id}`);
    if (!known && order.status === "CONFIRMED" && this.loaded && !this.announced.has(order.id)) {
      this.announced.add(order.id);
      this.fresh.add(order.id);
      if (chime()) this.chimed = order.id;
      toast(t("newOrder", formatNumber(order.number)));
    }
    this.orders.set(order.id, order);
    this.render();
  }

  visible(order) {
    if (this.filter !== "all" && order.type !== this.filter) return false;
    if (order.status === "DELIVERED" || order.status === "RATED") {
      return Date.now() - new Date(order.updatedAt).getTime() < doneWindowMs;
    }
    return columns.includes(order.status);
  }

  render() {
    const board = byId("board");
    const byStatus = new Map(columns.map((status) => [status, []]));
    for (const order of this.orders.values()) {
      if (!this.visible(order)) continue;
      byStatus.get(order.status === "RATED" ? "DELIVERED" : order.status)?.push(order);
    }
    const views = columns.map((status) => {
      const orders = byStatus.get(status);
      // Oldest first while work is open (first in, first out); newest first once done.
      orders.sort((a, b) => (status === "DELIVERED" ? -1 : 1) * a.createdAt.localeCompare(b.createdAt));
      const list = el("div", "cards");
      for (const order of orders) list.append(this.card(order));
      if (orders.length === 0) list.append(el("div", "empty small", t("emptyColumn")));
      const header = el("header", "column-header", null, el("h2", null, t(status)),
        el("span", "count", formatNumber(orders.length)));
      const column = el("section", `column column-${status.toLowerCase()}`, null, header, list);
      column.dataset.status = status;
      return column;
    });
    board.replaceChildren(...views);
    const open = byStatus.get("CONFIRMED").length + byStatus.get("PREPARING").length
      + byStatus.get("OUT_FOR_DELIVERY").length;
    const pill = byId("board-count");
    pill.hidden = open === 0;
    pill.textContent = formatNumber(open);
  }

  card(order) {
    const card = el("article", "card");
    card.dataset.orderId = order.id;
    card.dataset.number = String(order.number);
    card.dataset.status = order.status;
    if (this.fresh.has(order.id)) card.classList.add("fresh");
    if (this.chimed === order.id) card.dataset.chimed = "true";
    card.addEventListener("pointerdown", () => {
      if (this.fresh.delete(order.id)) card.classList.remove("fresh");
    });

    const age = el("time", "age", formatAge(order.createdAt));
    age.dateTime = order.createdAt;
    const top = el("div", "card-top", null, el("span", "number", t("orderNumber", formatNumber(order.number))),
      el("span", `type type-${order.type}`, t(order.type)), age);

    const items = el("ul", "items");
    for (const item of order.items) {
      items.append(el("li", null, null, el("span", "qty", `${formatNumber(item.quantity)}×`), el("span", "name", item.name),
        el("span", "line", formatPrice(item.lineTotal))));
    }

    const customer = el("div", "customer", null, order.profileName ? el("bdi", "customer-name", order.profileName) : null,
      phone(order.customer));
    const location = order.type === "delivery" ? this.location(order.location) : null;
    const total = el("div", "total", null, el("span", "muted", t("total")), el("strong", null, formatPrice(order.total)));
    const rating = order.rating ? el("div", "rating", "★".repeat(order.rating) + "☆".repeat(5 - order.rating)) : null;
    if (rating) rating.title = `${t("rating")}: ${order.rating}/5`;

    const actions = el("div", "actions");
    for (const to of moves(order)) {
      const label = to === "DELIVERED" && order.type === "pickup" ? t("move_DELIVERED_pickup") : t(`move_${to}`);
      const move = button(label, to === "CANCELLED" ? "danger ghost" : "primary", () => this.move(order, to, move));
      move.dataset.move = to;
      actions.append(move);
    }
    card.append(top, items, total, customer);
    if (location) card.append(location);
    if (rating) card.append(rating);
    if (actions.childElementCount) card.append(actions);
    return card;
  }

  location(location) {
    if (!location) return null;
    const box = el("div", "location");
    if (location.latitude != null && location.longitude != null) {
      const link = el("a", null, location.address || t("map"));
      link.href = `https://www.google.com/maps?q=${encodeURIComponent(`${location.latitude},${location.longitude}`)}`;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      box.append(el("span", "muted", `${t("location")}: `), link);
    } else if (location.address) {
      box.append(el("span", "muted", `${t("location")}: `), el("bdi", null, location.address));
    }
    return box.childElementCount ? box : null;
  }

  async move(order, to, control) {
    if (to === "CANCELLED" && !confirm(t("confirmCancel", formatNumber(order.number)))) return;
    control.disabled = true;
    this.fresh.delete(order.id);
    try {
      const updated = await api(`/api/orders/${order.id}/transition`, { method: "POST", body: { to } });
      this.orders.set(updated.id, updated);
      this.render();
    } catch (error) {
      control.disabled = false;
      toast(t("moveFailed", error.message), "error");
      this.load().catch(() => {});
    }
  }

  refreshAges() {
    for (const age of document.querySelectorAll("#board time.age")) age.textContent = formatAge(age.dateTime);
  }
}
