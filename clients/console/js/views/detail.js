// One number: GET /v1/phone-numbers/{sid}, its actions (status, primary, re-sync, release) and its settings,
// each section saved on its own with PATCH; its health from GET …/health.

import { api, ApiError } from "../api.js";
import { handleApiError, navigate } from "../navigation.js";
import { badge, confirmDialog, formatDate, h, messageArea, replace } from "../dom.js";
import { loadQueues, loadWorkers, namesOf } from "../people.js";
import { countriesField, pickerField, textField, workerRows, workerSidOrNull } from "./fields.js";
import { sourceBadge, statusBadge, trustBadge } from "./numbers.js";
import { dailyChart } from "./chart.js";
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
  // People and queues by name; while TaskRouter cannot be read, the pickers fall back to SIDs typed in.
  const [workers, queues] = await Promise.all([loadWorkers().catch(() => null), loadQueues().catch(() => null)]);
  body.remove();
  draw(screen, number, { workers, queues });
}

function draw(screen, initial, people) {
  const nameOf = namesOf(people.workers || []);
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
      fact("In use", number.lockedBy ? `On a call by ${nameOf(number.lockedBy)} until ${formatDate(number.lockedUntil)}` : "Not on a call"),
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
    // A stuck lock (an agent's browser closed mid-call): a supervisor frees it, after a confirmation.
    const free = number.lockedBy && !number.shared ? h("button", { type: "button", class: "secondary" }, "Free this lock") : null;
    free?.addEventListener("click", () => freeLock(free));
    replace(actions, toggle, primary, sync, free, release);
  }

  async function freeLock(button) {
    const confirmed = await confirmDialog({
      title: `Free the lock on ${number.phoneNumber}?`,
      body: [`${nameOf(number.lockedBy)} holds this number for a call until ${formatDate(number.lockedUntil)}.`,
        "Free it only if that call has ended (a closed browser, a stuck lock): another agent may then call from " +
        "this number at once. The audit log records who freed it."],
      confirm: "Free the lock",
    });
    if (!confirmed) {
      button.focus();
      return;
    }
    area.clear();
    button.disabled = true;
    let message = "The lock is freed: agents can call from this number again.";
    try {
      await api("DELETE", `${path}/lock`);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) {
        button.disabled = false;
        handleApiError(error, { area });
        return;
      }
      message = "The number was no longer locked.";
    }
    try {
      update(await api("GET", path));
    } catch (error) {
      handleApiError(error, { area });
      return;
    }
    area.success(message);
    document.getElementById("main").focus();
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
      dailySection(path),
      callsSection(path, nameOf),
      section("Label", (form, value) => {
        const { field, input } = textField("label", "Label", number.label, { maxlength: 64, hint: "Shown to agents in the Call from list. Empty clears it." });
        form.append(field);
        value(() => ({ label: input.value.trim() || null }));
      }),
      section("Inbound agent", (form, value) => {
        if (!people.workers) {
          const { field, input } = textField("inbound-agent", "Worker SID", number.inboundAgent,
            { mono: true, placeholder: "WK…", hint: "The workspace's people could not be read: a TaskRouter worker SID. Empty: unassigned." });
          form.append(field);
          value(() => ({ inboundAgent: workerSidOrNull(input.value) }));
          return;
        }
        const agent = pickerField("inbound-agent", "Agent", {
          current: number.inboundAgent, rows: workerRows(people.workers), none: "Unassigned",
          hint: "Inbound calls to this number go to this agent.",
        });
        form.append(agent.field);
        value(() => ({ inboundAgent: agent.value() }));
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
      section("Outbound assignment", (form, value) => assignment(form, value, number.outboundAssignment, people)),
      healthSection(path),
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
  ["none", "Nobody in particular"],
  ["workerSid", "An agent"],
  ["team", "A team"],
  ["queueSid", "A queue"],
];

// Who outbound calls from this number are for: an agent and a queue picked by name, a team typed in (teams are
// a worker attribute, team_name, not a TaskRouter object). Without the people (TaskRouter unreadable), SIDs.
function assignment(form, value, current, people) {
  const kind = current ? ASSIGNMENTS.find(([k]) => k !== "none" && current[k])?.[0] || "none" : "none";
  const fieldset = h("fieldset", {}, h("legend", {}, "Outbound calls from this number are for"),
    ASSIGNMENTS.map(([k, label]) => h("div", { class: "check" },
      h("input", { type: "radio", id: `assignment-${k}`, name: "assignment", value: k, checked: k === kind }),
      h("label", { for: `assignment-${k}` }, label))));
  const typed = (id, label, text, hint) => {
    const made = textField(id, label, text, { hint, mono: id !== "assignment-team-name" });
    return { field: made.field, value: () => made.input.value.trim() || null };
  };
  const choices = {
    workerSid: people.workers
      ? pickerField("assignment-agent", "Agent", { current: current?.workerSid, rows: workerRows(people.workers), none: "Choose an agent" })
      : typed("assignment-agent", "Agent (worker SID)", current?.workerSid, "A TaskRouter worker SID (WK…)"),
    team: typed("assignment-team-name", "Team", current?.team, "The workers' team_name attribute, e.g. Sales"),
    queueSid: people.queues
      ? pickerField("assignment-queue", "Queue", {
        current: current?.queueSid, rows: people.queues.map((q) => [q.queueSid, q.friendlyName]), none: "Choose a queue",
        hint: "Calls placed for this TaskRouter queue" })
      : typed("assignment-queue", "Queue (TaskQueue SID)", current?.queueSid, "A TaskQueue SID (WQ…)"),
  };
  const sync = () => {
    const chosen = form.elements.assignment.value;
    for (const [k, choice] of Object.entries(choices)) choice.field.hidden = k !== chosen;
  };
  fieldset.addEventListener("change", sync);
  form.append(fieldset, ...Object.values(choices).map((c) => c.field));
  sync();
  value(() => {
    const chosen = form.elements.assignment.value;
    return { outboundAssignment: chosen === "none" ? null : { [chosen]: choices[chosen].value() } };
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
      const health = await api("GET", `${path}/health`);
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
        fact("Last used", formatDate(health.lastUsedAt))));
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

// The last 30 days (GET …/health?days=30's `daily`), drawn; a deployment whose health has no daily counts says so.
function dailySection(path) {
  const body = h("div", { "aria-busy": "true" }, h("p", { class: "loading" }, "Loading the last 30 days…"));
  const card = h("section", { class: "card section wide", "aria-labelledby": "section-daily" },
    h("h2", { id: "section-daily" }, "Last 30 days"), body);
  (async () => {
    try {
      const health = await api("GET", `${path}/health`, { query: { days: 30 } });
      replace(body, Array.isArray(health.daily)
        ? dailyChart(health.daily, { days: 30 })
        : h("p", { class: "muted" }, "No daily counts yet: this deployment does not keep them."));
    } catch (error) {
      const message = messageArea();
      replace(body, message.element);
      handleApiError(error, { area: message });
    }
    body.setAttribute("aria-busy", "false");
  })();
  return card;
}

const OUTCOMES = {
  answered: "Answered", no_answer: "No answer", busy: "Busy", failed: "Failed", blocked: "Blocked",
  canceled: "Canceled",
};

// The number's recent outbound calls and how they ended (GET …/calls), newest first, agents by name.
function callsSection(path, nameOf) {
  const body = h("div", { "aria-busy": "true" }, h("p", { class: "loading" }, "Loading recent calls…"));
  const card = h("section", { class: "card section wide", "aria-labelledby": "section-calls" },
    h("h2", { id: "section-calls" }, "Recent calls"), body);
  (async () => {
    let answer;
    try {
      answer = await api("GET", `${path}/calls`, { query: { page: 1, perPage: 20 } });
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        replace(body, h("p", { class: "muted" }, "No recent calls to show: this deployment does not record them."));
      } else {
        const message = messageArea();
        replace(body, message.element);
        handleApiError(error, { area: message });
      }
      body.setAttribute("aria-busy", "false");
      return;
    }
    const calls = answer?.calls || [];
    replace(body, calls.length
      ? h("table", { class: "numbers calls" },
        h("caption", { class: "visually-hidden" }, "Recent calls, newest first"),
        h("thead", {}, h("tr", {}, ["Started", "Agent", "To", "Chosen by", "Outcome", "Duration", "SIP"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, calls.map((c) => h("tr", {},
          h("td", { class: "nowrap" }, formatDate(c.startedAt)),
          h("td", {}, nameOf(c.workerSid) || "—"),
          h("td", { class: "mono" }, c.to || "—"),
          h("td", {}, (c.reason || "—").replace(/_/g, " ")),
          h("td", {}, c.outcome ? badge(OUTCOMES[c.outcome] || c.outcome, `outcome-${c.outcome}`) : h("span", { class: "muted" }, "Not known yet")),
          h("td", { class: "num" }, c.durationSeconds === undefined || c.durationSeconds === null ? "—" : `${c.durationSeconds} s`),
          h("td", { class: "num" }, c.sipCode === undefined || c.sipCode === null ? "—" : String(c.sipCode))))))
      : h("p", { class: "muted" }, "No calls from this number yet."));
    body.setAttribute("aria-busy", "false");
  })();
  return card;
}
