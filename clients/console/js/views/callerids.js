// Verified caller IDs (Twilio OutgoingCallerIds): the list (page and per_page in the query), rename, delete, and
// verifying a new number: Twilio calls it, the person who answers enters the 6-digit code shown here.

import { api } from "../api.js";
import { handleApiError } from "../navigation.js";
import { badge, confirmDialog, formatDate, h, messageArea, replace } from "../dom.js";
import { filtersOf } from "./numbers.js";
import { heading } from "./pages.js";

const POLL_MS = 1000;
const POLL_LIMIT = 600; // ten minutes: Twilio's verification call has long ended by then

export function renderCallerIds(screen, { query }) {
  const filters = filtersOf(query);
  heading(screen, "Verified caller IDs");
  const area = messageArea();
  const list = h("div", { class: "results", "aria-busy": "true" }, h("p", { class: "loading" }, "Loading caller IDs…"));
  const reload = () => load(list, area, filters);
  screen.append(verifyCard(reload), h("section", { class: "card", "aria-labelledby": "caller-ids-list" },
    h("h2", { id: "caller-ids-list" }, "Caller IDs"), area.element, list));
  reload();
}

function verifyCard(reload) {
  const area = messageArea();
  const phone = h("input", { id: "verify-number", name: "phoneNumber", type: "tel", required: true, autocomplete: "off", class: "mono", placeholder: "+14155550100", "aria-describedby": "verify-number-hint" });
  const name = h("input", { id: "verify-name", name: "friendlyName", type: "text", maxlength: 64, autocomplete: "off" });
  const start = h("button", { type: "submit", class: "primary" }, "Call and verify");
  const progress = h("div", { class: "verification", hidden: true });
  const form = h("form", { class: "card", "aria-labelledby": "verify-title" },
    h("h2", { id: "verify-title" }, "Verify a number"),
    h("p", {}, "Twilio calls the number; whoever answers enters the code shown here. Once verified, agents may show it as their caller ID."),
    area.element,
    h("div", { class: "inline-fields" },
      h("div", { class: "field" }, h("label", { for: "verify-number" }, "Phone number"), phone, h("p", { class: "hint", id: "verify-number-hint" }, "E.164, e.g. +14155550100")),
      h("div", { class: "field" }, h("label", { for: "verify-name" }, "Name ", h("span", { class: "optional" }, "(optional)")), name),
      h("div", { class: "field" }, h("span", { class: "label-spacer", "aria-hidden": "true" }, "\u00a0"), start)),
    progress);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    area.clear();
    start.disabled = true;
    let started;
    try {
      started = await api("POST", "/v1/caller-ids/verifications", {
        body: { phoneNumber: phone.value.trim(), ...(name.value.trim() ? { friendlyName: name.value.trim() } : {}) },
      });
    } catch (error) {
      start.disabled = false;
      handleApiError(error, { area });
      return;
    }
    follow(progress, started, () => { start.disabled = false; reload(); });
  });
  return form;
}

function follow(progress, started, finished) {
  const status = h("p", { class: "verification-status", role: "status" }, "Calling… waiting for the code to be entered.");
  replace(progress,
    h("p", {}, "Twilio is calling ", h("span", { class: "mono" }, started.phoneNumber), ". When asked, enter this code:"),
    h("p", { class: "code", "aria-label": `Verification code ${started.validationCode.split("").join(" ")}` }, started.validationCode),
    status);
  progress.hidden = false;
  progress.dataset.callSid = started.callSid;
  let polls = 0;
  const poll = async () => {
    // The user left this screen, or started another verification: this call is no longer followed.
    if (!progress.isConnected || progress.dataset.callSid !== started.callSid) return;
    polls += 1;
    let answer;
    try {
      answer = await api("GET", `/v1/caller-ids/verifications/${encodeURIComponent(started.phoneNumber)}`);
    } catch (error) {
      if (handleApiError(error)) return;
      answer = { status: "pending" };
    }
    if (answer.status === "success") {
      replace(status, badge("Verified", "active"), ` ${started.phoneNumber} is verified and can be used as a caller ID.`);
      finished();
    } else if (answer.status === "failed") {
      replace(status, badge("Failed", "inactive"), " Verification failed: the call was not answered or the code was wrong. Start again to retry.");
      finished();
    } else if (polls >= POLL_LIMIT) {
      replace(status, "Still pending. Start again if the call did not come through.");
      finished();
    } else {
      window.setTimeout(poll, POLL_MS);
    }
  };
  window.setTimeout(poll, POLL_MS);
}

async function load(list, area, filters) {
  list.setAttribute("aria-busy", "true");
  let answer;
  try {
    answer = await api("GET", "/v1/caller-ids", { query: { page: filters.page, perPage: filters.perPage } });
  } catch (error) {
    list.setAttribute("aria-busy", "false");
    replace(list);
    handleApiError(error, { area });
    return;
  }
  list.setAttribute("aria-busy", "false");
  const { callerIds, meta } = answer;
  const pages = Math.max(1, Math.ceil(meta.total / meta.perPage));
  if (!callerIds.length) {
    replace(list, h("p", { class: "empty" }, meta.total ? "No caller IDs on this page." : "No verified caller IDs yet."));
    return;
  }
  const reload = () => load(list, area, filters);
  const pageHref = (page) => {
    const query = new URLSearchParams();
    if (page > 1) query.set("page", String(page));
    if (filters.perPage !== 25) query.set("per_page", String(filters.perPage));
    return query.toString() ? `caller-ids?${query}` : "caller-ids";
  };
  replace(list,
    h("p", { class: "summary" }, `${meta.total} caller ID${meta.total === 1 ? "" : "s"} · page ${meta.page} of ${pages}`),
    h("table", {},
      h("caption", { class: "visually-hidden" }, "Verified caller IDs"),
      h("thead", {}, h("tr", {}, ["Number", "Name", "Created", "Actions"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, callerIds.map((c) => row(c, area, reload)))),
    h("nav", { class: "pager", "aria-label": "Pages" },
      meta.page > 1 ? h("a", { class: "button secondary", href: pageHref(meta.page - 1) }, "Previous") : null,
      meta.page < pages ? h("a", { class: "button secondary", href: pageHref(meta.page + 1) }, "Next") : null));
}

function row(callerId, area, reload) {
  const name = h("td", {}, callerId.friendlyName || "—");
  const rename = h("button", { type: "button", class: "secondary small", "aria-label": `Rename ${callerId.phoneNumber}` }, "Rename");
  const remove = h("button", { type: "button", class: "danger small", "aria-label": `Delete ${callerId.phoneNumber}` }, "Delete");
  const tr = h("tr", {}, h("td", { class: "mono" }, callerId.phoneNumber), name, h("td", {}, formatDate(callerId.createdAt)),
    h("td", { class: "row-actions" }, rename, " ", remove));
  const path = `/v1/caller-ids/${encodeURIComponent(callerId.sid)}`;
  rename.addEventListener("click", () => {
    const id = `rename-${callerId.sid}`;
    const input = h("input", { id, type: "text", value: callerId.friendlyName || "", maxlength: 64, required: true, autocomplete: "off" });
    const form = h("form", { class: "inline" }, h("label", { for: id, class: "visually-hidden" }, `New name for ${callerId.phoneNumber}`), input,
      h("button", { type: "submit", class: "primary small" }, "Save"),
      h("button", { type: "button", class: "secondary small", onclick: () => { replace(name, callerId.friendlyName || "—"); rename.focus(); } }, "Cancel"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      area.clear();
      try {
        const saved = await api("PATCH", path, { body: { friendlyName: input.value.trim() } });
        callerId.friendlyName = saved.friendlyName;
        replace(name, saved.friendlyName);
        area.success(`Renamed ${callerId.phoneNumber} to ${saved.friendlyName}.`);
        rename.focus();
      } catch (error) {
        handleApiError(error, { area });
      }
    });
    replace(name, form);
    input.focus();
  });
  remove.addEventListener("click", async () => {
    const ok = await confirmDialog({
      title: `Delete ${callerId.phoneNumber}?`,
      body: ["This removes the verified caller ID at Twilio. Agents can no longer call from it; using it again needs a new verification call."],
      confirm: "Delete caller ID",
      danger: true,
    });
    if (!ok) return;
    area.clear();
    try {
      await api("DELETE", path);
      area.success(`Deleted ${callerId.phoneNumber}.`);
      reload();
    } catch (error) {
      handleApiError(error, { area });
    }
  });
  return tr;
}

