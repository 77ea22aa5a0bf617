// The menu tab: every item with its price and a sold-out switch (staff and admins); the bot's numbering follows
// at once.
import { api } from "./api.js";
import { byId, el, toast } from "./dom.js";
import { currentLanguage, formatPrice, t } from "./i18n.js";

export class Menu {
  constructor() {
    this.items = [];
  }

  async load() {
    this.items = (await api("/api/menu")).items;
    this.render();
  }

  render() {
    const rows = this.items.map((item) => {
      const primary = currentLanguage() === "ar" ? item.name.ar : item.name.en;
      const secondary = currentLanguage() === "ar" ? item.name.en : item.name.ar;
      const names = el("div", "names", null, el("div", "name", primary), el("div", "muted small", secondary));
      const toggle = el("input");
      toggle.type = "checkbox";
      toggle.checked = item.available;
      toggle.setAttribute("role", "switch");
      toggle.setAttribute("aria-label", primary);
      const state = el("span", "switch-label", item.available ? t("available") : t("soldOut"));
      const control = el("label", "switch", null, toggle, el("span", "track"), state);
      toggle.addEventListener("change", () => this.toggle(item, toggle));
      const row = el("li", `menu-item${item.available ? "" : " sold-out"}`, null, names,
        el("div", "price", formatPrice(item.price)), control);
      row.dataset.itemId = item.id;
      row.dataset.available = String(item.available);
      return row;
    });
    byId("menu-list").replaceChildren(...rows);
  }

  async toggle(item, toggle) {
    toggle.disabled = true;
    try {
      const updated = await api(`/api/menu/items/${item.id}`, { method: "PATCH", body: { available: toggle.checked } });
      Object.assign(item, updated);
    } catch (error) {
      toggle.checked = item.available;
      toast(error.message, "error");
    }
    this.render();
  }
}
