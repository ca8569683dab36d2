// The audit log: GET /v1/audit, newest first, filtered by target (a number's SID or E.164 number) and actor (a
// person picked by name: their worker SID), with the filters and the page in the address bar (target, actor,
// page). Workers are named where the log has their SID (a selection made for them).

import { api } from "../api.js";
import { handleApiError, navigate } from "../navigation.js";
import { formatDate, h, messageArea, replace } from "../dom.js";
import { loadQueues, loadWorkers, namesOf } from "../people.js";
import { pickerField, workerRows } from "./fields.js";
import { heading } from "./pages.js";

const PER_PAGE = 50;
const ACTIONS = {
  "lock.release": "Freed the lock",
  "number.update": "Changed the number",
  "number.primary": "Made it the primary number",
  "number.provision": "Bought the number",
  "number.import": "Imported the number",
  "number.register": "Registered the number (other carrier)",
  "number.release": "Released the number",
  "number.trust": "Changed its Trust Hub products",
  "caller_id.verify": "Started verifying a caller ID",
  "caller_id.rename": "Renamed the caller ID",
  "caller_id.delete": "Deleted the caller ID",
  "worker.selection": "Chose a worker's caller ID",
};

function filtersOf(query) {
  const page = Number.parseInt(query.get("page") || "1", 10);
  return { target: query.get("target") || "", actor: query.get("actor") || "", page: page > 0 ? page : 1 };
}

function hrefOf(filters) {
  const query = new URLSearchParams();
  if (filters.target) query.set("target", filters.target);
  if (filters.actor) query.set("actor", filters.actor);
  if (filters.page > 1) query.set("page", String(filters.page));
  const text = query.toString();
  return text ? `audit?${text}` : "audit";
}

export async function renderAudit(screen, { query }) {
  const filters = filtersOf(query);
  heading(screen, "Audit log");
  const area = messageArea();
  const list = h("div", { class: "results", "aria-busy": "true" }, h("p", { class: "loading" }, "Loading the audit log…"));
  const [workers, queues] = await Promise.all([loadWorkers().catch(() => null), loadQueues().catch(() => [])]);
  screen.append(filterForm(filters, workers), area.element, list);
  const workerName = namesOf(workers || []);
  const queueNames = new Map(queues.map((q) => [q.queueSid, q.friendlyName]));
  load(list, area, filters, workerName, (text) => queueNames.get(text) || workerName(text));
}

function filterForm(filters, workers) {
  const target = h("input", { id: "audit-target", name: "target", type: "text", value: filters.target, autocomplete: "off", class: "mono", "aria-describedby": "audit-target-hint" });
  // Who, by name; a worker SID typed in while the people cannot be read.
  const picked = workers
    ? pickerField("audit-actor", "Changed by", { current: filters.actor, rows: workerRows(workers), none: "Anyone" })
    : null;
  const actor = picked ? picked.control : h("input", { id: "audit-actor", name: "actor", type: "text", value: filters.actor, autocomplete: "off", class: "mono", "aria-describedby": "audit-actor-hint" });
  const form = h("form", { class: "card filters", role: "search", "aria-label": "Filter the audit log" },
    h("div", { class: "inline-fields" },
      h("div", { class: "field" }, h("label", { for: "audit-target" }, "Number"), target,
        h("p", { class: "hint", id: "audit-target-hint" }, "A SID (PN…) or an E.164 number")),
      picked ? picked.field : h("div", { class: "field" }, h("label", { for: "audit-actor" }, "Changed by"), actor,
        h("p", { class: "hint", id: "audit-actor-hint" }, "A worker SID (WK…)")),
      h("div", { class: "field" }, h("span", { class: "label-spacer", "aria-hidden": "true" }, "\u00a0"),
        h("button", { type: "submit", class: "primary" }, "Apply"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    navigate(hrefOf({ target: target.value.trim(), actor: actor.value.trim(), page: 1 }));
  });
  return form;
}

async function load(list, area, filters, nameOf, names) {
  let answer;
  try {
    answer = await api("GET", "/v1/audit", {
      query: { target: filters.target, actor: filters.actor, page: filters.page, perPage: PER_PAGE },
    });
  } catch (error) {
    list.removeAttribute("aria-busy");
    replace(list);
    handleApiError(error, { area });
    return;
  }
  list.removeAttribute("aria-busy");
  if (!answer.entries.length) {
    replace(list, h("p", { class: "muted" }, filters.page > 1 ? "No more entries." : "No changes recorded yet."));
    return;
  }
  const rows = answer.entries.map((e) =>
    h("tr", {},
      h("td", {}, formatDate(e.at)),
      h("td", {}, e.actor.identity, e.actor.workerSid ? h("div", { class: "mono small-text" }, e.actor.workerSid) : null),
      h("td", {}, ACTIONS[e.action] || e.action),
      h("td", {}, targetCell(e.target, nameOf)),
      h("td", {}, changesCell(e.changes, names))));
  const table = h("table", { class: "numbers audit" },
    h("caption", { class: "visually-hidden" }, "Changes, newest first"),
    h("thead", {}, h("tr", {}, ["When", "Who", "What", "Number or person", "Change"].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows));
  const pager = h("nav", { class: "pager", "aria-label": "Pages" },
    filters.page > 1 ? h("a", { href: hrefOf({ ...filters, page: filters.page - 1 }) }, "← Newer") : null, " ",
    h("span", {}, `Page ${filters.page}`), " ",
    answer.meta.hasMore ? h("a", { href: hrefOf({ ...filters, page: filters.page + 1 }) }, "Older →") : null);
  replace(list, table, pager);
}

function targetCell(target, nameOf) {
  if (target.kind === "worker") return h("span", { title: target.sid }, nameOf(target.sid));
  if (target.kind === "phone_number" || (target.kind === "caller_id" && target.sid.startsWith("PN"))) {
    return h("a", { class: "mono", href: `numbers/${encodeURIComponent(target.sid)}` }, target.phoneNumber || target.sid);
  }
  return h("span", { class: "mono" }, target.phoneNumber || target.sid);
}

const PARTS = { workerSid: "agent", queueSid: "queue", team: "team", productSid: "product", kind: "kind", status: "status" };

// A value as a person reads it: workers and queues by name, an assignment as "queue Sales".
function shown(value, names) {
  if (value === null || value === undefined || value === "") return "—";
  if (Array.isArray(value)) return value.length ? value.map((v) => shown(v, names)).join("; ") : "none";
  if (typeof value === "object") {
    return Object.entries(value).map(([k, v]) => `${PARTS[k] || k} ${shown(v, names)}`).join(", ");
  }
  return names(String(value));
}

function changesCell(changes, names) {
  const keys = Object.keys(changes);
  if (!keys.length) return "—";
  return h("ul", { class: "changes" }, keys.map((key) =>
    h("li", {}, h("span", { class: "mono" }, key), `: ${shown(changes[key][0], names)} → ${shown(changes[key][1], names)}`)));
}
