// The add-number wizard: choose how (purchase from Twilio, or add a number from another carrier), then configure
// the new number (label, inbound agent, countries), then done.

import { api } from "../api.js";
import { handleApiError } from "../navigation.js";
import { COUNTRIES } from "../countries.js";
import { announce, badge, confirmDialog, h, messageArea, replace } from "../dom.js";
import { looksLikePhoneNumber } from "../phone.js";
import { loadWorkers } from "../people.js";
import { countriesField, pickerField, textField, workerRows, workerSidOrNull } from "./fields.js";
import { heading } from "./pages.js";

const STEPS = ["Choose how", "Find or enter the number", "Configure", "Done"];
const TYPES = [["local", "Local"], ["tollFree", "Toll-free"], ["mobile", "Mobile"]];

export function renderAdd(screen) {
  screen.append(h("p", { class: "back" }, h("a", { href: "./" }, "← All numbers")));
  heading(screen, "Add number");
  const steps = h("ol", { class: "steps", "aria-label": "Steps" });
  const body = h("div", { class: "wizard" });
  screen.append(steps, body);
  const show = (index, draw) => {
    replace(steps, STEPS.map((name, i) => h("li", { "aria-current": i === index ? "step" : null, class: i < index ? "done" : null }, name)));
    replace(body);
    // A step may read first (Configure reads the people): focus its heading once it is drawn.
    Promise.resolve(draw(body)).then(() => {
      const focus = body.querySelector("h2");
      if (focus) {
        focus.setAttribute("tabindex", "-1");
        focus.focus();
      }
    });
  };
  const wizard = {
    choose: () => show(0, (b) => choose(b, wizard)),
    purchase: () => show(1, (b) => purchase(b, wizard)),
    manual: () => show(1, (b) => manual(b, wizard)),
    configure: (number) => show(2, (b) => configure(b, wizard, number)),
    done: (number) => show(3, (b) => done(b, wizard, number)),
  };
  wizard.choose();
}

function choose(body, wizard) {
  const option = (value, title, text, checked) =>
    h("div", { class: "choice" },
      h("input", { type: "radio", id: `how-${value}`, name: "how", value, checked }),
      h("label", { for: `how-${value}` }, h("strong", {}, title), h("span", { class: "hint" }, text)));
  const form = h("form", { class: "card" },
    h("h2", {}, "How do you want to add a number?"),
    h("fieldset", {}, h("legend", { class: "visually-hidden" }, "How to add the number"),
      option("purchase", "Purchase from Twilio", "Buy a new number, or import one your Twilio account already owns.", true),
      option("manual", "Add manually", "A number from another carrier (bring your own carrier), reached over your own connection.", false)),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Next")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (form.elements.how.value === "manual") wizard.manual();
    else wizard.purchase();
  });
  body.append(form);
}

function purchase(body, wizard) {
  const area = messageArea();
  const country = h("select", { id: "country", name: "country" },
    [...COUNTRIES].sort((a, b) => a[1].localeCompare(b[1])).map(([code, name]) => h("option", { value: code }, name)));
  country.value = "US";
  const type = h("select", { id: "type", name: "type" }, TYPES.map(([v, t]) => h("option", { value: v }, t)));
  const areaCode = h("input", { id: "area-code", name: "areaCode", type: "text", inputmode: "numeric", maxlength: 3, autocomplete: "off", "aria-describedby": "area-code-hint" });
  const contains = h("input", { id: "contains", name: "contains", type: "text", maxlength: 16, autocomplete: "off", "aria-describedby": "contains-hint" });
  const search = h("form", { class: "filters", role: "search", "aria-label": "Search Twilio's numbers" },
    h("div", { class: "field" }, h("label", { for: "country" }, "Country"), country),
    h("div", { class: "field" }, h("label", { for: "type" }, "Type"), type),
    h("div", { class: "field" }, h("label", { for: "area-code" }, "Area code"), areaCode, h("p", { class: "hint", id: "area-code-hint" }, "Three digits, e.g. 415")),
    h("div", { class: "field" }, h("label", { for: "contains" }, "Contains"), contains, h("p", { class: "hint", id: "contains-hint" }, "Digits or letters")),
    h("div", { class: "field" }, h("span", { class: "label-spacer", "aria-hidden": "true" }, "\u00a0"), h("button", { type: "submit", class: "primary" }, "Search")));

  const availablePanel = h("div", { id: "panel-available", role: "tabpanel", "aria-labelledby": "tab-available", tabindex: "0" });
  const ownedPanel = h("div", { id: "panel-owned", role: "tabpanel", "aria-labelledby": "tab-owned", tabindex: "0", hidden: true });
  const tab = (id, text, panel, selected) => h("button", { type: "button", role: "tab", id, "aria-controls": panel.id, "aria-selected": selected ? "true" : "false", tabindex: selected ? "0" : "-1" }, text);
  const tabs = [tab("tab-available", "Available to purchase", availablePanel, true), tab("tab-owned", "In your Twilio account", ownedPanel, false)];
  const panels = [availablePanel, ownedPanel];
  let ownedLoaded = false;
  const select = (index) => {
    tabs.forEach((t, i) => {
      t.setAttribute("aria-selected", i === index ? "true" : "false");
      t.tabIndex = i === index ? 0 : -1;
      panels[i].hidden = i !== index;
    });
    tabs[index].focus();
    if (index === 1 && !ownedLoaded) {
      ownedLoaded = true;
      loadOwned(ownedPanel, area, wizard, 1);
    }
  };
  tabs.forEach((t, i) => {
    t.addEventListener("click", () => select(i));
    t.addEventListener("keydown", (event) => {
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        event.preventDefault();
        select((i + (event.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length);
      }
    });
  });

  replace(availablePanel, h("p", { class: "empty" }, "Search to see the numbers Twilio has for sale."));
  search.addEventListener("submit", async (event) => {
    event.preventDefault();
    select(0);
    area.clear();
    availablePanel.setAttribute("aria-busy", "true");
    replace(availablePanel, h("p", { class: "loading" }, "Searching…"));
    try {
      const answer = await api("GET", "/v1/phone-numbers/available", {
        query: { country: country.value, type: type.value, areaCode: areaCode.value.trim(), contains: contains.value.trim() },
      });
      drawAvailable(availablePanel, answer.availablePhoneNumbers, area, wizard);
    } catch (error) {
      replace(availablePanel);
      handleApiError(error, { area });
    }
    availablePanel.setAttribute("aria-busy", "false");
  });

  body.append(h("section", { class: "card" },
    h("h2", {}, "Purchase from Twilio"),
    search, area.element,
    h("div", { role: "tablist", class: "tabs", "aria-label": "Where the number comes from" }, tabs),
    availablePanel, ownedPanel,
    h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", onclick: wizard.choose }, "Back"))));
}

function drawAvailable(panel, numbers, area, wizard) {
  if (!numbers.length) {
    replace(panel, h("p", { class: "empty" }, "Twilio has no numbers for this search. Try another area code or type."));
    return;
  }
  replace(panel, h("table", {},
    h("caption", { class: "visually-hidden" }, "Numbers available to purchase"),
    h("thead", {}, h("tr", {}, ["Number", "Where", "Capabilities", ""].map((c, i) => h("th", { scope: "col" }, i === 3 ? h("span", { class: "visually-hidden" }, "Action") : c)))),
    h("tbody", {}, numbers.map((n) => {
      const buy = h("button", { type: "button", class: "primary small", "aria-label": `Buy ${n.phoneNumber}` }, "Buy");
      confirmedAdd(buy, area, wizard, {
        title: `Buy ${n.phoneNumber}?`,
        body: ["Twilio charges your account for this number: its monthly fee from today, and the usage of its calls.",
          "Its voice URL and status callback are set to this deployment's webhooks, so its calls reach Flex."],
        confirm: "Buy number",
      }, () => api("POST", "/v1/phone-numbers/provision", { body: { phoneNumber: n.phoneNumber } }));
      return h("tr", {},
        h("td", { class: "mono" }, n.phoneNumber),
        h("td", {}, [n.locality, n.region, n.isoCountry].filter(Boolean).join(", ")),
        h("td", {}, [n.capabilities.voice ? "Voice" : null, n.capabilities.sms ? "SMS" : null].filter(Boolean).join(", ")),
        h("td", {}, buy));
    }))));
}

async function loadOwned(panel, area, wizard, page) {
  panel.setAttribute("aria-busy", "true");
  replace(panel, h("p", { class: "loading" }, "Loading your Twilio numbers…"));
  const refresh = h("button", { type: "button", class: "secondary", onclick: () => loadOwned(panel, area, wizard, page) }, "Refresh");
  let answer;
  try {
    answer = await api("GET", "/v1/phone-numbers/twilio", { query: { page, perPage: 50 } });
  } catch (error) {
    replace(panel, h("div", { class: "actions" }, refresh));
    handleApiError(error, { area });
    panel.setAttribute("aria-busy", "false");
    return;
  }
  panel.setAttribute("aria-busy", "false");
  const { phoneNumbers, meta } = answer;
  const more = h("div", { class: "pager" },
    page > 1 ? h("button", { type: "button", class: "secondary", onclick: () => loadOwned(panel, area, wizard, page - 1) }, "Previous") : null,
    meta.hasMore ? h("button", { type: "button", class: "secondary", onclick: () => loadOwned(panel, area, wizard, page + 1) }, "Next") : null);
  replace(panel, h("div", { class: "actions start" }, refresh),
    phoneNumbers.length === 0 ? h("p", { class: "empty" }, "This Twilio account owns no numbers.") : h("table", {},
      h("caption", { class: "visually-hidden" }, "Numbers in your Twilio account"),
      h("thead", {}, h("tr", {}, ["Number", "Name", "In this app", ""].map((c, i) => h("th", { scope: "col" }, i === 3 ? h("span", { class: "visually-hidden" }, "Action") : c)))),
      h("tbody", {}, phoneNumbers.map((n) => h("tr", {},
        h("td", { class: "mono" }, n.phoneNumber),
        h("td", {}, n.friendlyName),
        h("td", {}, n.imported ? badge("Already imported", "active") : badge("Not in app yet", "inactive")),
        h("td", {}, n.imported ? null : importButton(n, area, wizard)))))),
    more);
}

function importButton(owned, area, wizard) {
  const button = h("button", { type: "button", class: "primary small", "aria-label": `Import ${owned.phoneNumber}` }, "Import");
  confirmedAdd(button, area, wizard, {
    title: `Import ${owned.phoneNumber}?`,
    body: [
      "Importing replaces this number's webhooks at Twilio with this deployment's: its calls will reach Flex through this app.",
      h("ul", {},
        h("li", {}, "Voice URL now: ", h("span", { class: "mono" }, owned.voiceUrl || "none")),
        h("li", {}, "Status callback now: ", h("span", { class: "mono" }, owned.statusCallback || "none"))),
      "Whatever answered this number's calls before (a Studio flow, another app) stops receiving them.",
    ],
    confirm: "Import and replace webhooks",
  }, () => api("POST", "/v1/phone-numbers/import", { body: { sid: owned.sid } }));
  return button;
}

// A button that adds a number once its confirmation is accepted, then moves on to configuring it.
function confirmedAdd(button, area, wizard, question, add) {
  button.addEventListener("click", async () => {
    if (!(await confirmDialog(question))) return;
    button.disabled = true;
    area.clear();
    try {
      wizard.configure(await add());
    } catch (error) {
      button.disabled = false;
      handleApiError(error, { area });
    }
  });
}

function manual(body, wizard) {
  const area = messageArea();
  const phone = textField("phone-number", "Phone number", "", { mono: true, placeholder: "+14155550100", hint: "E.164, e.g. +14155550100 (a US number may omit +1)." });
  const provider = textField("provider", "Provider", "", { maxlength: 64, hint: "The carrier the number is with." });
  const connection = textField("connection", "Connection", "", { maxlength: 256, hint: "How calls reach it: a SIP trunk, a BYOC trunk SID, …" });
  const next = h("button", { type: "submit", class: "primary", disabled: true }, "Next");
  const form = h("form", { class: "card" }, h("h2", {}, "Add a number from another carrier"), area.element,
    phone.field, provider.field, connection.field,
    h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", onclick: wizard.choose }, "Back"), next));
  const valid = () => looksLikePhoneNumber(phone.input.value) && provider.input.value.trim() && connection.input.value.trim();
  form.addEventListener("input", () => {
    next.disabled = !valid();
    phone.input.setAttribute("aria-invalid", phone.input.value.trim() && !looksLikePhoneNumber(phone.input.value) ? "true" : "false");
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!valid()) return;
    next.disabled = true;
    area.clear();
    try {
      wizard.configure(await api("POST", "/v1/phone-numbers", {
        body: { phoneNumber: phone.input.value.trim(), provider: provider.input.value.trim(), connection: connection.input.value.trim() },
      }));
    } catch (error) {
      next.disabled = false;
      if (handleApiError(error, { area })) return;
      if (error.code === "invalid_phone_number") {
        phone.input.setAttribute("aria-invalid", "true");
        phone.input.focus();
      }
    }
  });
  body.append(form);
}

async function configure(body, wizard, number) {
  const workers = await loadWorkers().catch(() => null);
  const area = messageArea();
  const label = textField("label", "Label", number.label, { maxlength: 64, hint: "Shown to agents in the Call from list." });
  const agent = workers
    ? pickerField("inbound-agent", "Inbound agent", { current: number.inboundAgent, rows: workerRows(workers), none: "Unassigned",
      hint: "Inbound calls to this number go to this agent." })
    : (() => {
      const typed = textField("inbound-agent", "Inbound agent", number.inboundAgent, { mono: true, placeholder: "WK…", hint: "The workspace's people could not be read: a TaskRouter worker SID. Empty: unassigned." });
      return { field: typed.field, value: () => workerSidOrNull(typed.input.value) };
    })();
  const inbound = countriesField("inbound-countries", "Allowed inbound countries", number.allowedInboundCountries);
  const outbound = countriesField("outbound-countries", "Allowed outbound countries", number.allowedOutboundCountries);
  const save = h("button", { type: "submit", class: "primary" }, "Save and finish");
  const form = h("form", { class: "card" }, h("h2", {}, h("span", {}, "Configure "), h("span", { class: "mono" }, number.phoneNumber)),
    h("p", { role: "status" }, `${number.phoneNumber} is added. Set it up now, or later from its page.`),
    area.element, label.field, agent.field, inbound.field, outbound.field,
    h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", onclick: () => wizard.done(number) }, "Skip"), save));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    save.disabled = true;
    area.clear();
    try {
      const saved = await api("PATCH", `/v1/phone-numbers/${encodeURIComponent(number.sid)}`, {
        body: {
          label: label.input.value.trim() || null,
          inboundAgent: agent.value(),
          allowedInboundCountries: inbound.value(),
          allowedOutboundCountries: outbound.value(),
        },
      });
      announce("Saved.");
      wizard.done(saved);
    } catch (error) {
      save.disabled = false;
      handleApiError(error, { area });
    }
  });
  body.append(form);
}

function done(body, wizard, number) {
  body.append(h("section", { class: "card" },
    h("h2", {}, "Number added"),
    h("p", {}, h("span", { class: "mono" }, number.phoneNumber), number.label ? ` (${number.label})` : null, " is ready for agents to call from."),
    h("div", { class: "actions start" },
      h("a", { class: "button primary", href: `numbers/${encodeURIComponent(number.sid)}` }, "View number"),
      h("button", { type: "button", class: "secondary", onclick: wizard.choose }, "Add another"))));
}
