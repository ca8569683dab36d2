// Building the page from data with DOM nodes only (never parsed markup): text is always text.

export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === "class") {
      element.className = value;
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(element, children);
  return element;
}

export function append(element, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

export function replace(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

// Screen readers hear what changed (a saved section, a finished verification) without moving focus.
export function announce(text) {
  const live = document.getElementById("live");
  live.textContent = "";
  window.setTimeout(() => { live.textContent = text; }, 50);
}

export function badge(text, kind) {
  return h("span", { class: `badge badge-${kind}` }, text);
}

export function formatDate(value, { time = true } = {}) {
  if (!value) return "—";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleString("en-US", time ? { dateStyle: "medium", timeStyle: "short" } : { dateStyle: "medium" });
}

// A message area for one form or screen: role=alert for errors (read at once), role=status for success.
export function messageArea() {
  const area = h("div", { class: "message", hidden: true });
  return {
    element: area,
    error(text) {
      area.className = "message message-error";
      area.setAttribute("role", "alert");
      replace(area, text);
      area.hidden = false;
    },
    success(text) {
      area.className = "message message-success";
      area.setAttribute("role", "status");
      replace(area, text);
      area.hidden = false;
    },
    clear() {
      area.hidden = true;
      area.replaceChildren();
    },
  };
}

// A modal confirmation on the native <dialog> (focus trapped, Escape cancels). Resolves true when confirmed.
export function confirmDialog({ title, body, confirm, danger = false }) {
  return new Promise((resolve) => {
    const titleId = `dialog-title-${Math.random().toString(36).slice(2)}`;
    const confirmButton = h("button", { type: "submit", value: "confirm", class: danger ? "danger" : "primary" }, confirm);
    const dialog = h(
      "dialog",
      { class: "dialog", "aria-labelledby": titleId },
      h(
        "form",
        { method: "dialog" },
        h("h2", { id: titleId }, title),
        [body].flat().map((paragraph) => (paragraph instanceof Node ? paragraph : h("p", {}, paragraph))),
        h(
          "div",
          { class: "actions" },
          h("button", { type: "submit", value: "cancel", class: "secondary" }, "Cancel"),
          confirmButton,
        ),
      ),
    );
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "confirm");
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
    confirmButton.focus();
  });
}
