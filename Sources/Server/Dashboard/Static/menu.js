// The menu tab: every item with its price and a sold-out switch (staff and admins); the bot's numbering follows
// at once. Admins also edit names and prices (the whole menu is saved with PUT /api/menu, ids kept).
import { api, currentSession } from "./api.js";
import { button, byId, el, toast } from "./dom.js";
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
      if (currentSession()?.user?.role === "admin") row.append(button(t("edit"), "ghost small", () => this.edit(row, item)));
      row.dataset.itemId = item.id;
      row.dataset.available = String(item.available);
      return row;
    });
    byId("menu-list").replaceChildren(...rows);
  }

  edit(row, item) {
    const field = (value, label, type = "text") => {
      const input = el("input");
      input.type = type;
      input.value = value;
      input.setAttribute("aria-label", label);
      return input;
    };
    const ar = field(item.name.ar, "العربية");
    ar.dir = "rtl";
    const en = field(item.name.en, "English");
    const price = field((item.price / 100).toFixed(2), t("price"), "number");
    price.step = "0.01";
    price.min = "0";
    const save = button(t("save"), "primary small", async () => {
      const minor = Math.round(Number(price.value) * 100);
      if (!ar.value.trim() || !en.value.trim() || !Number.isFinite(minor) || minor < 0) return;
      const items = this.items.map((other) => other.id === item.id
        ? { ...other, name: { ar: ar.value.trim(), en: en.value.trim() }, price: minor } : other);
      save.disabled = true;
      try {
        this.items = (await api("/api/menu", { method: "PUT", body: { items } })).items;
        this.render();
      } catch (error) {
        save.disabled = false;
        toast(error.message, "error");
      }
    });
    row.classList.add("editing");
    row.replaceChildren(el("div", "edit-fields", null, ar, en, price), save,
      button(t("cancelEdit"), "ghost small", () => this.render()));
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
