// The today tab: orders, revenue, average rating and median bot reply time since local midnight, and orders by
// hour as a small SVG bar chart (no chart library).
import { api } from "./api.js";
import { byId, el } from "./dom.js";
import { formatNumber, formatPrice, t } from "./i18n.js";

const svg = "http://www.w3.org/2000/svg";

export class Today {
  async load() {
    const midnight = new Date();
    midnight.setHours(0, 0, 0, 0);
    const from = midnight.toISOString();
    const to = new Date().toISOString();
    const [report, orders] = await Promise.all([
      api(`/api/analytics?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`),
      this.ordersSince(midnight),
    ]);
    this.report = report;
    this.orders = orders;
    this.render();
  }

  async ordersSince(start) {
    const found = [];
    let cursor = null;
    for (let page = 0; page < 20; page += 1) {
      const answer = await api("/api/orders?limit=200" + (cursor ? `&before=${encodeURIComponent(cursor)}` : ""));
      const today = answer.items.filter((order) => new Date(order.createdAt) >= start);
      found.push(...today);
      if (!answer.next || today.length < answer.items.length) break;
      cursor = answer.next;
    }
    return found.filter((order) => order.status !== "DRAFT" && order.status !== "CANCELLED");
  }

  render() {
    if (!this.report) return;
    const report = this.report;
    const stat = (label, value, id) => {
      const card = el("div", "stat", null, el("div", "stat-value", value), el("div", "stat-label", label));
      card.dataset.stat = id;
      return card;
    };
    const rating = report.averageRating == null ? t("noRating") : `${new Intl.NumberFormat(document.documentElement.lang,
      { maximumFractionDigits: 1 }).format(report.averageRating)} ★`;
    const response = report.medianResponseMs == null ? t("noRating")
      : t("seconds", new Intl.NumberFormat(document.documentElement.lang, { maximumFractionDigits: 1 })
        .format(report.medianResponseMs / 1000));
    byId("stats").replaceChildren(
      stat(t("ordersToday"), formatNumber(report.orders), "orders"),
      stat(t("revenue"), formatPrice(report.revenue), "revenue"),
      stat(t("averageRating"), rating, "rating"),
      stat(t("medianResponse"), response, "response"));
    byId("hour-chart").replaceChildren(this.chart());
  }

  chart() {
    const counts = new Array(24).fill(0);
    for (const order of this.orders) counts[new Date(order.createdAt).getHours()] += 1;
    const max = Math.max(1, ...counts);
    const width = 720, height = 220, left = 28, bottom = 24, top = 12;
    const barWidth = (width - left) / 24;
    const chart = document.createElementNS(svg, "svg");
    chart.setAttribute("viewBox", `0 0 ${width} ${height}`);
    chart.setAttribute("class", "hours");
    chart.setAttribute("role", "img");
    chart.setAttribute("aria-label", t("ordersByHour"));
    const node = (name, attributes, text) => {
      const element = document.createElementNS(svg, name);
      for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
      if (text !== undefined) element.textContent = text;
      chart.append(element);
      return element;
    };
    for (const fraction of [0, 0.5, 1]) {
      const y = top + (height - top - bottom) * (1 - fraction);
      node("line", { x1: left, x2: width, y1: y, y2: y, class: "grid" });
      node("text", { x: left - 6, y: y + 4, "text-anchor": "end", class: "axis" }, formatNumber(Math.round(max * fraction)));
    }
    counts.forEach((count, hour) => {
      const barHeight = (height - top - bottom) * (count / max);
      const x = left + hour * barWidth + 3;
      const bar = node("rect", { x, y: height - bottom - barHeight, width: barWidth - 6, height: barHeight, rx: 3,
        class: count ? "bar" : "bar empty" });
      bar.dataset.hour = String(hour);
      bar.dataset.count = String(count);
      const tooltip = document.createElementNS(svg, "title");
      tooltip.textContent = `${formatNumber(hour)}:00 — ${formatNumber(count)}`;
      bar.append(tooltip);
      if (hour % 3 === 0) {
        node("text", { x: x + (barWidth - 6) / 2, y: height - 6, "text-anchor": "middle", class: "axis" }, formatNumber(hour));
      }
    });
    // The chart reads left to right in both languages (hours are a timeline).
    chart.setAttribute("direction", "ltr");
    return chart;
  }
}
