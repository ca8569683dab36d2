// The screens around the console's work: sign in, the agent's refusal, "not available", the API unreachable.

import { h, messageArea } from "../dom.js";

export function heading(screen, text, ...extra) {
  document.title = `${text} · Caller ID admin console`;
  const title = h("h1", { tabindex: "-1" }, text);
  screen.append(h("div", { class: "screen-head" }, title, ...extra));
  // Focus follows navigation, so keyboard and screen-reader users start at the new screen's title.
  title.focus({ preventScroll: true });
  return title;
}

export function renderSignIn(screen, { message, onSignIn }) {
  heading(screen, "Sign in");
  const area = messageArea();
  if (message) area.error(message);
  const token = h("textarea", { id: "token", name: "token", rows: 4, required: true, autocomplete: "off", spellcheck: "false" });
  const account = h("input", { id: "account-sid", name: "accountSid", type: "text", autocomplete: "off", spellcheck: "false", placeholder: "AC…" });
  const form = h(
    "form",
    { class: "card narrow", "aria-describedby": "sign-in-help" },
    h("p", { id: "sign-in-help" },
      "Paste the Flex token of a supervisor or an admin. In Flex, supervisors open this console from the ",
      h("strong", {}, "Phone numbers"), " link, which signs them in."),
    area.element,
    h("div", { class: "field" }, h("label", { for: "token" }, "Flex token"), token),
    h("div", { class: "field" },
      h("label", { for: "account-sid" }, "Account SID ", h("span", { class: "optional" }, "(optional)")),
      account,
      h("p", { class: "hint", id: "account-hint" }, "Needed for a subaccount's token; empty means the deployment's account.")),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Sign in")),
  );
  account.setAttribute("aria-describedby", "account-hint");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = token.value.trim();
    if (!value) {
      area.error("Enter a Flex token.");
      token.focus();
      return;
    }
    onSignIn(value, account.value.trim() || null);
  });
  screen.append(form);
}

export function renderForbidden(screen, { onSignOut }) {
  heading(screen, "This console needs a supervisor");
  screen.append(
    h("div", { class: "card narrow" },
      h("p", {}, "You are signed in with a Flex token that has neither the supervisor nor the admin role. " +
        "Managing phone numbers and verified caller IDs is for supervisors and admins."),
      h("p", {}, "Ask a supervisor for access, or sign in with a supervisor's or an admin's token."),
      h("div", { class: "actions" }, h("button", { type: "button", class: "primary", onclick: onSignOut }, "Sign in as someone else"))),
  );
}

export function renderNotFound(screen) {
  heading(screen, "Resource not available");
  screen.append(
    h("div", { class: "card narrow" },
      h("p", {}, "What you asked for does not exist, or this workspace may not see it."),
      h("p", {}, h("a", { href: "./" }, "Back to phone numbers"))),
  );
}

export function renderUnavailable(screen, { message, onRetry }) {
  heading(screen, "The API did not answer");
  const area = messageArea();
  area.error(message);
  screen.append(
    h("div", { class: "card narrow" }, area.element,
      h("div", { class: "actions" }, h("button", { type: "button", class: "primary", onclick: onRetry }, "Try again"))),
  );
}
