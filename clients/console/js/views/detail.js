// One number: GET /v1/phone-numbers/{sid}, its actions (status, primary, re-sync, release) and its settings,
// each section saved on its own with PATCH; its health and last 30 days from GET …/health?days=30, its recent
// calls from GET …/calls.

import { api, ApiError } from "../api.js";
import { handleApiError, navigate } from "../navigation.js";
import { badge, confirmDialog, formatDate, h, messageArea, replace } from "../dom.js";
import { countriesField, textField, workerSidOrNull } from "./fields.js";
import { sourceBadge, statusBadge, trustBadge } from "./numbers.js";
import { heading } from "./pages.js";

export async function renderDetail(screen, { params: [sid] }) {
  const body = h("div", { "aria-busy": "true" }, h("p", { class: "loading" }, "Loading the number…"));
  screen.append(body);
  let number;
  try {
    number = await api("GET", `/v1/phone-numbers/${encodeURIComponent(sid)}`);
  } catch (error) {
    handleApiError(error);
    return;
  }
  body.remove();
  draw(screen, number);
}

function draw(screen, initial) {
  let number = initial;
  const path = `/v1/phone-numbers/${encodeURIComponent(number.sid)}`;
  screen.append(h("p", { class: "back" }, h("a", { href: "./" }, "← All numbers")));
  const title = heading(screen, number.phoneNumber);
  title.classList.add("mono");
  const badges = h("p", { class: "badges" });
  const actions = h("div", { class: "actions toolbar", role: "group", "aria-label": "Actions" });
  const area = messageArea();
  const facts = h("dl", { class: "facts" });
  screen.append(badges, area.element, actions, facts);

  const update = (next) => {
    number = next;
    replace(badges, statusBadge(number.status), " ",
      number.source === "twilio" ? badge("Twilio-managed", "twilio") : sourceBadge(number), " ",
      number.isPrimary ? badge("Primary", "primary") : null,
      number.shared ? [" ", badge("Shared by a parent account", "shared")] : null);
    replace(facts,
      fact("Name", number.friendlyName || "—"),
      fact("Country", [number.country, number.locality].filter(Boolean).join(" · ") || "—"),
      fact("Capabilities", [number.capabilities.voice ? "Voice" : null, number.capabilities.sms ? "SMS" : null].filter(Boolean).join(", ") || "None"),
      fact("In use", number.lockedBy ? `On a call by ${number.lockedBy} until ${formatDate(number.lockedUntil)}` : "Not on a call"),
      fact("Created", formatDate(number.createdAt)),
      number.source === "twilio"
        ? fact("Trust Hub", number.trust?.length
          ? h("ul", { class: "trust-list" }, number.trust.map((t) => h("li", {}, trustBadge(t))))
          : h("span", { class: "muted" }, "In no Trust Hub product"))
        : null,
      fact("SID", h("span", { class: "mono" }, number.sid)));
    drawActions();
  };

  const act = async (button, work, done) => {
    area.clear();
    button.disabled = true;
    try {
      const answer = await work();
      if (answer) update(answer);
      area.success(done);
    } catch (error) {
      if (!handleApiError(error, { area })) button.disabled = false;
      return;
    }
    button.disabled = false;
  };

  function drawActions() {
    const active = number.status === "active";
    const toggle = h("button", { type: "button", class: "secondary" }, active ? "Deactivate" : "Activate");
    toggle.addEventListener("click", () =>
      act(toggle, () => api("PATCH", path, { body: { status: active ? "inactive" : "active" } }), active ? "Deactivated." : "Activated."));
    const primary = h("button", { type: "button", class: "secondary", disabled: number.isPrimary }, number.isPrimary ? "Primary number" : "Set as primary");
    primary.addEventListener("click", () => act(primary, () => api("PUT", `${path}/primary`), "This is now the workspace's primary number."));
    const sync = number.source === "twilio" ? h("button", { type: "button", class: "secondary" }, "Re-sync from Twilio") : null;
    sync?.addEventListener("click", () => act(sync, () => api("POST", `${path}/sync`), "Re-read from Twilio."));
    const release = h("button", { type: "button", class: "danger" }, number.source === "byot" ? "Unregister" : "Release");
    release.addEventListener("click", () => releaseNumber(release));
    replace(actions, toggle, primary, sync, release);
  }

  async function releaseNumber(button) {
    const twilio = number.source === "twilio";
    const confirmed = await confirmDialog({
      title: twilio ? `Release ${number.phoneNumber} permanently?` : `Remove ${number.phoneNumber}?`,
      body: twilio
        ? ["Releasing returns this number to Twilio. This is permanent: it leaves your Twilio account, its calls stop " +
           "reaching Flex, and you may never get the same number back.", "Agents can no longer call from it."]
        : number.source === "verified"
          ? ["This removes the verified caller ID at Twilio; agents can no longer call from it. Verifying it again needs a new verification call."]
          : ["This unregisters the number from this workspace; agents can no longer call from it. The number stays with its carrier."],
      confirm: twilio ? "Release permanently" : "Remove",
      danger: true,
    });
    if (!confirmed) return;
    area.clear();
    button.disabled = true;
    try {
      await api("DELETE", path);
    } catch (error) {
      button.disabled = false;
      handleApiError(error, { area });
      return;
    }
    navigate(`./?released=${encodeURIComponent(number.phoneNumber)}`);
  }

  update(number);
  screen.append(
    h("div", { class: "sections" },
      section("Label", (form, value) => {
        const { field, input } = textField("label", "Label", number.label, { maxlength: 64, hint: "Shown to agents in the Call from list. Empty clears it." });
        form.append(field);
        value(() => ({ label: input.value.trim() || null }));
      }),
      section("Inbound agent", (form, value) => {
        const { field, input } = textField("inbound-agent", "Worker SID", number.inboundAgent,
          { mono: true, placeholder: "WK…", hint: "Inbound calls to this number go to this agent (TaskRouter worker SID). Empty: unassigned." });
        form.append(field);
        value(() => ({ inboundAgent: workerSidOrNull(input.value) }));
      }),
      section("Countries", (form, value) => {
        const inbound = countriesField("inbound-countries", "Allowed inbound countries", number.allowedInboundCountries);
        const outbound = countriesField("outbound-countries", "Allowed outbound countries", number.allowedOutboundCountries);
        form.append(inbound.field, outbound.field);
        value(() => ({ allowedInboundCountries: inbound.value(), allowedOutboundCountries: outbound.value() }));
      }),
      section("Sharing", (form, value) => {
        const box = h("input", { id: "shareable", name: "shareable", type: "checkbox", checked: number.outboundShareable });
        form.append(h("div", { class: "field check" }, box,
          h("label", { for: "shareable" }, "Child accounts' agents may call from this number")));
        value(() => ({ outboundShareable: box.checked }));
      }),
      section("Outbound assignment", (form, value) => assignment(form, value, number.outboundAssignment)),
      healthSection(path),
      callsSection(path),
    ),
  );

  function section(name, build) {
    const id = `section-${name.toLowerCase().replace(/\s+/g, "-")}`;
    const message = messageArea();
    const save = h("button", { type: "submit", class: "primary" }, `Save ${name.toLowerCase()}`);
    // No aria-labelledby: a form named "Label" would answer to its field's label too.
    const form = h("form", { class: "card section" });
    let read = () => ({});
    form.append(h("h2", { id }, name));
    build(form, (reader) => { read = reader; });
    form.append(message.element, h("div", { class: "actions" }, save));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      message.clear();
      save.disabled = true;
      try {
        update(await api("PATCH", path, { body: read() }));
        message.success(`${name} saved.`);
      } catch (error) {
        if (!(error instanceof ApiError) || ![401, 403].includes(error.status)) message.error(error.message);
        else handleApiError(error);
      }
      save.disabled = false;
    });
    return form;
  }
}

function fact(term, value) {
  return [h("dt", {}, term), h("dd", {}, value)];
}

const ASSIGNMENTS = [
  ["none", "Nobody in particular", null, ""],
  ["workerSid", "An agent (worker SID)", "WK…", "A TaskRouter worker SID"],
  ["team", "A team", "Sales", "The workers' team_name attribute"],
  ["queueSid", "A queue (TaskQueue SID)", "WQ…", "Calls placed for this TaskRouter queue"],
];

function assignment(form, value, current) {
  const kind = current ? ASSIGNMENTS.find(([k]) => k !== "none" && current[k])?.[0] || "none" : "none";
  const input = h("input", { id: "assignment-value", name: "assignment-value", type: "text", autocomplete: "off",
    value: kind !== "none" ? current[kind] : "", "aria-describedby": "assignment-hint" });
  const hint = h("p", { class: "hint", id: "assignment-hint" });
  const fieldset = h("fieldset", {}, h("legend", {}, "Outbound calls from this number are for"),
    ASSIGNMENTS.map(([k, label]) => h("div", { class: "check" },
      h("input", { type: "radio", id: `assignment-${k}`, name: "assignment", value: k, checked: k === kind }),
      h("label", { for: `assignment-${k}` }, label))));
  const valueField = h("div", { class: "field" }, h("label", { for: "assignment-value" }, "Who"), input, hint);
  const sync = () => {
    const chosen = form.elements.assignment.value;
    const [, , placeholder, text] = ASSIGNMENTS.find(([k]) => k === chosen);
    valueField.hidden = chosen === "none";
    input.placeholder = placeholder || "";
    hint.textContent = text;
  };
  fieldset.addEventListener("change", sync);
  form.append(fieldset, valueField);
  sync();
  value(() => {
    const chosen = form.elements.assignment.value;
    return { outboundAssignment: chosen === "none" ? null : { [chosen]: input.value.trim() } };
  });
}

function healthSection(path) {
  const body = h("div", { "aria-busy": "true" }, h("p", { class: "loading" }, "Loading health…"));
  const refresh = h("button", { type: "button", class: "secondary" }, "Refresh health");
  const card = h("section", { class: "card section", "aria-labelledby": "section-health" }, h("h2", { id: "section-health" }, "Health"), body,
    h("div", { class: "actions" }, refresh));
  const load = async () => {
    body.setAttribute("aria-busy", "true");
    try {
      const health = await api("GET", `${path}/health?days=30`);
      const rate = (value) => (value === null || value === undefined ? "—" : `${Math.round(value * 100)}%`);
      replace(body, h("p", {}, "State: ", badge(health.state, `health-${health.state}`),
        health.coolingUntil ? ` until ${formatDate(health.coolingUntil)}` : null),
      h("dl", { class: "facts" },
        fact("Calls", String(health.attempts)),
        fact("Answered", String(health.answered)),
        fact("Answer rate", rate(health.answerRate)),
        fact("Recent answer rate", health.recent ? `${rate(health.recent.answerRate)} of ${health.recent.attempts}` : "—"),
        fact("Blocked by carriers", String(health.blocked ?? 0)),
        fact("Short calls", String(health.shortCalls ?? 0)),
        fact("Calls today", health.callsToday === null || health.callsToday === undefined ? "—" : String(health.callsToday)),
        fact("Last used", formatDate(health.lastUsedAt))),
      dailyChart(health.daily || []));
    } catch (error) {
      const message = messageArea();
      replace(body, message.element);
      handleApiError(error, { area: message });
    }
    body.setAttribute("aria-busy", "false");
  };
  refresh.addEventListener("click", load);
  load();
  return card;
}

// The last 30 days as a table a screen reader reads, with a bar (<meter>) per day's calls for the eye.
function dailyChart(days) {
  const most = Math.max(1, ...days.map((d) => d.calls));
  return h("table", { class: "daily" },
    h("caption", {}, "Last 30 days (UTC)"),
    h("thead", {}, h("tr", {}, ["Day", "Calls", "", "Answered", "Blocked", "Short"].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, days.map((d) => h("tr", {},
      h("th", { scope: "row", class: "nowrap" }, d.date),
      h("td", {}, String(d.calls)),
      h("td", {}, h("meter", { min: "0", max: String(most), value: String(d.calls), "aria-hidden": "true" })),
      h("td", {}, String(d.answered)),
      h("td", {}, String(d.blocked)),
      h("td", {}, String(d.short))))));
}

const OUTCOMES = {
  answered: "Answered", no_answer: "No answer", busy: "Busy", failed: "Failed", blocked: "Blocked", canceled: "Canceled",
};

function callsSection(path) {
  const body = h("div", { "aria-busy": "true" }, h("p", { class: "loading" }, "Loading recent calls…"));
  const refresh = h("button", { type: "button", class: "secondary" }, "Refresh calls");
  const card = h("section", { class: "card section", "aria-labelledby": "section-calls" }, h("h2", { id: "section-calls" }, "Recent calls"), body,
    h("div", { class: "actions" }, refresh));
  const load = async () => {
    body.setAttribute("aria-busy", "true");
    try {
      const { calls } = await api("GET", `${path}/calls?perPage=20`);
      replace(body, calls.length === 0 ? h("p", { class: "muted" }, "No outbound calls recorded yet.") : h("table", { class: "calls" },
        h("caption", { class: "visually-hidden" }, "The number's recent outbound calls, newest first"),
        h("thead", {}, h("tr", {}, ["Started", "To", "Agent", "Outcome", "Duration", "SIP"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, calls.map((c) => h("tr", {},
          h("td", { class: "nowrap" }, formatDate(c.startedAt)),
          h("td", { class: "mono" }, c.to),
          h("td", { class: "mono small-text" }, c.workerSid),
          h("td", {}, c.outcome ? badge(OUTCOMES[c.outcome] || c.outcome, `outcome-${c.outcome}`) : h("span", { class: "muted" }, "Pending")),
          h("td", {}, c.durationSeconds === null || c.durationSeconds === undefined ? "—" : `${c.durationSeconds} s`),
          h("td", {}, c.sipCode === null || c.sipCode === undefined ? "—" : String(c.sipCode)))))));
    } catch (error) {
      const message = messageArea();
      replace(body, message.element);
      handleApiError(error, { area: message });
    }
    body.setAttribute("aria-busy", "false");
  };
  refresh.addEventListener("click", load);
  load();
  return card;
}
