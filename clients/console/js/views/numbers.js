// The numbers list, the supervisor's view of the fleet: GET /v1/phone-numbers with search, source and status,
// every page of that selection read (perPage 1000), so the list sorts the whole selection, not one page of it;
// who holds each number now (by name, GET /v1/workers), its health (GET …/{sid}/health: state, answer rate,
// calls today), label. Filters, sort and page live in the address bar's query (search, source, status, page,
// per_page, sort, dir), so a reload or a shared link shows the same page. "Download CSV" exports the whole
// selection. Health is read for the rows shown, or for the whole selection when it sorts by health or exports.

import { api } from "../api.js";
import { handleApiError, navigate } from "../navigation.js";
import { announce, badge, formatDate, h, messageArea, replace } from "../dom.js";
import { loadWorkers, namesOf } from "../people.js";
import { heading } from "./pages.js";

const PER_PAGE = [10, 25, 50, 100];
const DEFAULT_PER_PAGE = 25;
const SOURCES = [["", "All sources"], ["twilio", "Twilio"], ["byot", "Other carrier (BYOT)"], ["verified", "Verified caller ID"]];
const STATUSES = [["", "All statuses"], ["active", "Active"], ["inactive", "Inactive"]];

export function filtersOf(query) {
  const positive = (value, fallback) => {
    const number = Number.parseInt(value || "", 10);
    return Number.isFinite(number) && number > 0 ? number : fallback;
  };
  return {
    search: query.get("search") || "",
    source: query.get("source") || "",
    status: query.get("status") || "",
    page: positive(query.get("page"), 1),
    perPage: Math.min(positive(query.get("per_page"), DEFAULT_PER_PAGE), 1000),
    sort: COLUMNS.some((c) => c.key === query.get("sort")) ? query.get("sort") : "",
    dir: query.get("dir") === "desc" ? "desc" : "asc",
  };
}

function hrefOf(filters) {
  const query = new URLSearchParams();
  if (filters.search) query.set("search", filters.search);
  if (filters.source) query.set("source", filters.source);
  if (filters.status) query.set("status", filters.status);
  if (filters.page > 1) query.set("page", String(filters.page));
  if (filters.perPage !== DEFAULT_PER_PAGE) query.set("per_page", String(filters.perPage));
  if (filters.sort) query.set("sort", filters.sort);
  if (filters.sort && filters.dir === "desc") query.set("dir", "desc");
  const text = query.toString();
  return text ? `./?${text}` : "./";
}

export function sourceBadge(number) {
  if (number.source === "twilio") return badge("Twilio", "twilio");
  if (number.source === "byot") return badge("BYOT", "byot");
  return badge("Verified caller ID", "verified");
}

const TRUST_KINDS = {
  voice_integrity: "Voice Integrity",
  shaken_stir: "SHAKEN/STIR",
  cnam: "CNAM",
  branded_calling: "Branded Calling",
  other: "Trust product",
};
const TRUST_STATUSES = {
  "twilio-approved": ["approved", "trust-approved"],
  draft: ["draft", "trust-pending"],
  "pending-review": ["pending review", "trust-pending"],
  "in-review": ["in review", "trust-pending"],
  "twilio-rejected": ["rejected by Twilio", "trust-rejected"],
};

// A Trust Hub product the number is in: its kind and Trust Hub's status, in words (not colour alone): approved
// green, draft or under review grey, rejected amber.
export function trustBadge(trust) {
  const [words, kind] = TRUST_STATUSES[trust.status] || [trust.status, "trust-pending"];
  const text = `${TRUST_KINDS[trust.kind] || TRUST_KINDS.other}: ${words}`;
  const element = badge(text, kind);
  element.title = `Trust Hub product ${trust.productSid}`;
  return element;
}

export function trustBadges(number) {
  return (number.trust || []).flatMap((t) => [" ", trustBadge(t)]);
}

export function statusBadge(status) {
  return badge(status === "active" ? "Active" : status === "inactive" ? "Inactive" : status, status);
}

function providerOf(number) {
  if (number.source === "twilio") return "Twilio";
  if (number.source === "byot") return "Other carrier";
  return "Verified caller ID";
}

function select(id, label, options, value) {
  const control = h("select", { id, name: id }, options.map(([v, text]) => h("option", { value: v }, text)));
  control.value = value;
  return h("div", { class: "field" }, h("label", { for: id }, label), control);
}

export function renderNumbers(screen, { query }) {
  const filters = filtersOf(query);
  heading(screen, "Phone numbers", h("a", { class: "button primary", href: "add" }, "Add number"));
  const area = messageArea();
  const released = query.get("released");
  if (released) {
    area.success(`Released ${released}.`);
    const rest = new URLSearchParams(query);
    rest.delete("released");
    window.history.replaceState(null, "", rest.toString() ? `./?${rest}` : "./");
  }
  const search = h("input", { id: "search", name: "search", type: "search", value: filters.search, maxlength: 64 });
  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Filter numbers" },
    h("div", { class: "field grow" }, h("label", { for: "search" }, "Search"), search),
    select("source", "Source", SOURCES, filters.source),
    select("status", "Status", STATUSES, filters.status),
    // A shared link's per_page is kept even when it is not one of the usual choices.
    select("per-page", "Per page", [...new Set([...PER_PAGE, filters.perPage])].sort((a, b) => a - b).map((n) => [String(n), String(n)]), String(filters.perPage)),
    h("div", { class: "field" }, h("span", { class: "label-spacer", "aria-hidden": "true" }, "\u00a0"),
      h("button", { type: "submit", class: "secondary" }, "Apply")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    navigate(hrefOf({
      search: search.value.trim(),
      source: form.elements.source.value,
      status: form.elements.status.value,
      perPage: Number(form.elements["per-page"].value),
      page: 1,
      sort: filters.sort,
      dir: filters.dir,
    }));
  });
  const results = h("div", { class: "results", "aria-busy": "true" }, h("p", { class: "loading" }, "Loading numbers…"));
  const download = h("button", { type: "button", class: "secondary", disabled: true }, "Download CSV");
  screen.append(area.element, form, h("div", { class: "toolbar end" }, download), results);
  load(results, area, filters, download);
}

// Every page of the selection the filters make (pages of 1000, the API's largest).
async function selection(filters) {
  const all = [];
  for (let page = 1; ; page += 1) {
    const answer = await api("GET", "/v1/phone-numbers", {
      query: { search: filters.search, source: filters.source, status: filters.status, page, perPage: 1000,
        include: "locks" },  // who holds each number now: lock state is opt-in on list answers
    });
    all.push(...answer.phoneNumbers);
    if (all.length >= answer.meta.total || answer.phoneNumbers.length === 0) return all;
  }
}

// Each number's health, read at most 6 at a time; a number whose health cannot be read shows none.
const health = new Map();
async function healthOf(numbers) {
  const missing = numbers.filter((n) => !health.has(n.sid));
  let next = 0;
  const worker = async () => {
    while (next < missing.length) {
      const number = missing[next++];
      try {
        health.set(number.sid, await api("GET", `/v1/phone-numbers/${encodeURIComponent(number.sid)}/health`));
      } catch {
        health.set(number.sid, null);
      }
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
}

const STATES = ["ok", "spacing", "capped", "cooling", "suspected_blocked"];
const STATE_WORDS = { ok: "OK", spacing: "Spacing", capped: "Capped today", cooling: "Cooling", suspected_blocked: "Suspected blocked" };
const rate = (value) => (value === null || value === undefined ? "—" : `${Math.round(value * 100)}%`);

// The list's columns: how each sorts (null last, whatever the direction) and what the CSV says.
const COLUMNS = [
  { key: "number", title: "Number", value: (n) => n.phoneNumber },
  { key: "status", title: "Status", value: (n) => n.status },
  { key: "holder", title: "On a call", value: (n, v) => v.nameOf(n.lockedBy) },
  { key: "health", title: "Health", needsHealth: true, value: (n) => { const i = STATES.indexOf(health.get(n.sid)?.state); return i < 0 ? null : i; } },
  { key: "answerRate", title: "Answer rate", needsHealth: true, value: (n) => health.get(n.sid)?.answerRate ?? null },
  { key: "callsToday", title: "Calls today", needsHealth: true, value: (n) => health.get(n.sid)?.callsToday ?? null },
  { key: "label", title: "Label", value: (n) => n.label || null },
  { key: "agent", title: "Inbound agent", value: (n, v) => v.nameOf(n.inboundAgent) },
  { key: "provider", title: "Provider", value: (n) => providerOf(n) },
];

function sorted(numbers, filters, view) {
  const column = COLUMNS.find((c) => c.key === filters.sort);
  if (!column) return numbers;
  const sign = filters.dir === "desc" ? -1 : 1;
  const keyed = numbers.map((n) => [column.value(n, view), n]);
  keyed.sort(([a, an], [b, bn]) => {
    if (a === null || a === undefined) return b === null || b === undefined ? an.phoneNumber.localeCompare(bn.phoneNumber) : 1;
    if (b === null || b === undefined) return -1;
    const order = typeof a === "number" ? a - b : String(a).localeCompare(String(b));
    return order * sign || an.phoneNumber.localeCompare(bn.phoneNumber);
  });
  return keyed.map(([, n]) => n);
}

async function load(results, area, filters, download) {
  health.clear(); // read afresh on every visit of the list
  let numbers;
  let workers;
  try {
    [numbers, workers] = await Promise.all([selection(filters), loadWorkers().catch(() => [])]);
  } catch (error) {
    results.setAttribute("aria-busy", "false");
    replace(results);
    handleApiError(error, { area });
    return;
  }
  const view = { nameOf: namesOf(workers) };
  const column = COLUMNS.find((c) => c.key === filters.sort);
  if (column?.needsHealth) await healthOf(numbers);
  const ordered = sorted(numbers, filters, view);
  const total = ordered.length;
  const pages = Math.max(1, Math.ceil(total / filters.perPage));
  const shown = ordered.slice((filters.page - 1) * filters.perPage, filters.page * filters.perPage);
  await healthOf(shown);
  results.setAttribute("aria-busy", "false");
  const summary = h("p", { class: "summary", id: "numbers-summary" },
    total === 1 ? "1 number" : `${total} numbers`, ` · page ${filters.page} of ${pages}`);
  if (shown.length === 0) {
    replace(results, summary, h("p", { class: "empty" }, total ? "No numbers on this page." : "No numbers match these filters."));
  } else {
    replace(results, summary, table(shown, filters, view), pager(filters, filters.page, pages));
  }
  download.disabled = total === 0;
  download.onclick = async () => {
    download.disabled = true;
    download.textContent = "Preparing CSV…";
    await healthOf(ordered);
    saveCsv(ordered, view);
    download.textContent = "Download CSV";
    download.disabled = false;
    announce(`Downloaded ${total === 1 ? "1 number" : `${total} numbers`} as CSV.`);
  };
}

// A cell that a spreadsheet would run as a formula (=, +, -, @ first) is quoted as text; phone numbers and
// SIDs are not free text and keep their "+".
function csvCell(value, text = false) {
  let cell = value === null || value === undefined ? "" : String(value);
  if (text && /^[=+\-@\t\r]/.test(cell)) cell = `'${cell}`;
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

export function csvOf(numbers, view) {
  const header = ["phoneNumber", "sid", "status", "source", "label", "friendlyName", "onCallBy", "onCallBySid",
    "lockedUntil", "healthState", "answerRate", "callsToday", "inboundAgent", "inboundAgentSid", "country",
    "createdAt"];
  const rows = numbers.map((n) => {
    const found = health.get(n.sid);
    return [
      csvCell(n.phoneNumber), csvCell(n.sid), csvCell(n.status), csvCell(n.source), csvCell(n.label, true),
      csvCell(n.friendlyName, true), csvCell(view.nameOf(n.lockedBy), true), csvCell(n.lockedBy),
      csvCell(n.lockedBy ? n.lockedUntil : null), csvCell(found?.state), csvCell(found?.answerRate),
      csvCell(found?.callsToday), csvCell(view.nameOf(n.inboundAgent), true), csvCell(n.inboundAgent),
      csvCell(n.country), csvCell(n.createdAt),
    ].join(",");
  });
  return [header.join(","), ...rows].join("\r\n") + "\r\n";
}

function saveCsv(numbers, view) {
  const blob = new Blob([csvOf(numbers, view)], { type: "text/csv;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: "phone-numbers.csv", hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function sortHeader(column, filters) {
  const current = filters.sort === column.key;
  const dir = current && filters.dir === "asc" ? "desc" : "asc";
  const label = current ? `${column.title}, sorted ${filters.dir === "asc" ? "ascending" : "descending"}` : `Sort by ${column.title.toLowerCase()}`;
  return h("th", { scope: "col", "aria-sort": current ? (filters.dir === "asc" ? "ascending" : "descending") : null },
    h("a", { class: "sort", href: hrefOf({ ...filters, sort: column.key, dir, page: 1 }), "aria-label": label, title: label },
      column.title, h("span", { class: "sort-mark", "aria-hidden": "true" }, current ? (filters.dir === "asc" ? " ▲" : " ▼") : " ↕")));
}

function table(numbers, filters, view) {
  return h(
    "table",
    { class: "numbers", "aria-describedby": "numbers-summary" },
    h("caption", { class: "visually-hidden" }, "Phone numbers of this workspace"),
    h("thead", {}, h("tr", {}, COLUMNS.map((c) => sortHeader(c, filters)))),
    h(
      "tbody",
      {},
      numbers.map((n) => {
        const found = health.get(n.sid);
        return h(
          "tr",
          {},
          h("td", {},
            h("a", { class: "mono", href: `numbers/${encodeURIComponent(n.sid)}` }, n.phoneNumber),
            n.isPrimary ? [" ", badge("Primary", "primary")] : null,
            n.shared ? [" ", badge("Shared", "shared")] : null,
            trustBadges(n)),
          h("td", {}, statusBadge(n.status)),
          h("td", {}, n.lockedBy
            ? h("span", { title: `Until ${formatDate(n.lockedUntil)} (${n.lockedBy})` }, view.nameOf(n.lockedBy))
            : h("span", { class: "muted" }, "Free")),
          h("td", {}, found ? badge(STATE_WORDS[found.state] || found.state, `health-${found.state}`) : h("span", { class: "muted" }, "—")),
          h("td", { class: "num" }, rate(found?.answerRate)),
          h("td", { class: "num" }, found && found.callsToday !== null && found.callsToday !== undefined ? String(found.callsToday) : "—"),
          h("td", {}, n.label || h("span", { class: "muted" }, "—")),
          h("td", {}, n.inboundAgent ? view.nameOf(n.inboundAgent) : h("span", { class: "muted" }, "Unassigned")),
          h("td", {}, providerOf(n)),
        );
      }),
    ),
  );
}

function pager(filters, page, pages) {
  const link = (text, target, rel) =>
    target < 1 || target > pages
      ? h("span", { class: "button secondary disabled", "aria-disabled": "true" }, text)
      : h("a", { class: "button secondary", href: hrefOf({ ...filters, page: target }), rel }, text);
  return h("nav", { class: "pager", "aria-label": "Pages" }, link("Previous", page - 1, "prev"), h("span", {}, `Page ${page} of ${pages}`), link("Next", page + 1, "next"));
}
