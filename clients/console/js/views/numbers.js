// The numbers list: GET /v1/phone-numbers with search, source, status, page and perPage, all kept in the
// address bar's query (page, per_page, search, source, status) so a reload or a shared link shows the same page.

import { api } from "../api.js";
import { handleApiError, navigate } from "../navigation.js";
import { badge, formatDate, h, messageArea, replace } from "../dom.js";
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
  };
}

function hrefOf(filters) {
  const query = new URLSearchParams();
  if (filters.search) query.set("search", filters.search);
  if (filters.source) query.set("source", filters.source);
  if (filters.status) query.set("status", filters.status);
  if (filters.page > 1) query.set("page", String(filters.page));
  if (filters.perPage !== DEFAULT_PER_PAGE) query.set("per_page", String(filters.perPage));
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
    }));
  });
  const results = h("div", { class: "results", "aria-busy": "true" }, h("p", { class: "loading" }, "Loading numbers…"));
  screen.append(area.element, form, results);
  load(results, area, filters);
}

async function load(results, area, filters) {
  let answer;
  try {
    answer = await api("GET", "/v1/phone-numbers", {
      query: { search: filters.search, source: filters.source, status: filters.status, page: filters.page, perPage: filters.perPage },
    });
  } catch (error) {
    results.setAttribute("aria-busy", "false");
    replace(results);
    handleApiError(error, { area });
    return;
  }
  results.setAttribute("aria-busy", "false");
  const { phoneNumbers, meta } = answer;
  const pages = Math.max(1, Math.ceil(meta.total / meta.perPage));
  const summary = h("p", { class: "summary", id: "numbers-summary" },
    meta.total === 1 ? "1 number" : `${meta.total} numbers`, ` · page ${meta.page} of ${pages}`);
  if (phoneNumbers.length === 0) {
    replace(results, summary, h("p", { class: "empty" }, meta.total ? "No numbers on this page." : "No numbers match these filters."));
  } else {
    replace(results, summary, table(phoneNumbers), pager(filters, meta.page, pages));
  }
}

function table(numbers) {
  return h(
    "table",
    { class: "numbers", "aria-describedby": "numbers-summary" },
    h("caption", { class: "visually-hidden" }, "Phone numbers of this workspace"),
    h("thead", {}, h("tr", {}, ["Number", "Status", "Inbound agent", "Provider", "Name", "Created"].map((c) => h("th", { scope: "col" }, c)))),
    h(
      "tbody",
      {},
      numbers.map((n) =>
        h(
          "tr",
          {},
          h("td", {},
            h("a", { class: "mono", href: `numbers/${encodeURIComponent(n.sid)}` }, n.phoneNumber),
            n.isPrimary ? [" ", badge("Primary", "primary")] : null,
            n.shared ? [" ", badge("Shared", "shared")] : null,
            trustBadges(n)),
          h("td", {}, statusBadge(n.status)),
          h("td", {}, n.inboundAgent ? h("span", { class: "mono small-text" }, n.inboundAgent) : h("span", { class: "muted" }, "Unassigned")),
          h("td", {}, providerOf(n)),
          h("td", {}, n.label || n.friendlyName || "—"),
          h("td", { class: "nowrap" }, h("time", { datetime: n.createdAt || null, title: formatDate(n.createdAt) }, formatDate(n.createdAt, { time: false }))),
        ),
      ),
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
