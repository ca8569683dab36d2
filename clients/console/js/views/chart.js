// A number's last 30 days as an accessible inline SVG (no charting library, nothing loaded from elsewhere, the
// CSP unchanged): calls, answered and blocked per UTC day, from GET …/health?days=30's `daily`. The picture has a
// title and a description that say what it shows in words, and the same numbers are a table under it.

import { h } from "../dom.js";

const SVG = "http://www.w3.org/2000/svg";
const SERIES = [["calls", "Calls"], ["answered", "Answered"], ["blocked", "Blocked"]];

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  for (const child of children.flat()) element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return element;
}

// The last ``days`` UTC dates ending today, each with its counts (a day the API does not list counted none).
export function lastDays(daily, days, today = new Date()) {
  const byDate = new Map((daily || []).map((d) => [d.date, d]));
  const dates = [];
  for (let back = days - 1; back >= 0; back -= 1) {
    const day = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - back));
    const date = day.toISOString().slice(0, 10);
    const found = byDate.get(date) || {};
    dates.push({ date, calls: found.calls || 0, answered: found.answered || 0, blocked: found.blocked || 0 });
  }
  return dates;
}

export function dailyChart(daily, { days = 30, id = "daily-chart" } = {}) {
  const rows = lastDays(daily, days);
  const totals = Object.fromEntries(SERIES.map(([key]) => [key, rows.reduce((sum, r) => sum + r[key], 0)]));
  const busiest = rows.reduce((best, r) => (r.calls > best.calls ? r : best), rows[0]);
  const top = Math.max(1, ...rows.map((r) => r.calls));
  const width = 720;
  const height = 200;
  const left = 36;
  const bottom = 24;
  const plot = height - bottom - 8;
  const slot = (width - left) / rows.length;
  const bar = Math.max(2, (slot - 4) / 3);
  const y = (value) => 8 + plot - (value / top) * plot;
  const title = `Last ${days} days: calls, answered and blocked per day`;
  const description = totals.calls
    ? `${totals.calls} calls, ${totals.answered} answered, ${totals.blocked} blocked over ${days} days; the busiest day was ${busiest.date} with ${busiest.calls} calls.`
    : `No calls in the last ${days} days.`;
  const picture = svg("svg", {
    viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-labelledby": `${id}-title ${id}-desc`,
    preserveAspectRatio: "xMidYMid meet",
  },
  svg("title", { id: `${id}-title` }, title),
  svg("desc", { id: `${id}-desc` }, description),
  svg("line", { x1: left, y1: 8 + plot, x2: width, y2: 8 + plot, class: "chart-axis" }),
  svg("text", { x: left - 6, y: 14, class: "chart-label", "text-anchor": "end" }, String(top)),
  svg("text", { x: left - 6, y: 8 + plot, class: "chart-label", "text-anchor": "end" }, "0"),
  rows.map((r, i) => {
    const x = left + i * slot + 2;
    return svg("g", { class: "chart-day" },
      SERIES.map(([key, name], k) => svg("rect", {
        x: x + k * bar, y: y(r[key]), width: bar, height: Math.max(0, 8 + plot - y(r[key])), class: `chart-${key}`,
      }, svg("title", {}, `${r.date}: ${r[key]} ${name.toLowerCase()}`))),
      i % 7 === (rows.length - 1) % 7
        ? svg("text", { x: x + slot / 2, y: height - 6, class: "chart-label", "text-anchor": "middle" }, r.date.slice(5))
        : []);
  }));
  const legend = h("ul", { class: "chart-legend", "aria-hidden": "true" },
    SERIES.map(([key, name]) => h("li", {}, h("span", { class: `swatch chart-${key}` }), name)));
  const table = h("details", { class: "chart-table" },
    h("summary", {}, "The numbers by day"),
    h("table", {},
      h("caption", { class: "visually-hidden" }, title),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Day"), SERIES.map(([, name]) => h("th", { scope: "col", class: "num" }, name)))),
      h("tbody", {}, rows.filter((r) => r.calls || r.blocked).reverse().map((r) =>
        h("tr", {}, h("th", { scope: "row" }, r.date), SERIES.map(([key]) => h("td", { class: "num" }, String(r[key]))))))));
  return h("figure", { class: "chart-figure" }, picture, legend, table);
}
