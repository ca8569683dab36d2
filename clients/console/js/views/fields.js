// Form parts the wizard's Configure step and the detail's sections share.

import { COUNTRIES } from "../countries.js";
import { h } from "../dom.js";

const BY_NAME = [...COUNTRIES].sort((a, b) => a[1].localeCompare(b[1]));

export function textField(id, label, value, { hint, maxlength, placeholder, mono = false } = {}) {
  const input = h("input", {
    id, name: id, type: "text", value: value || "", maxlength, placeholder, autocomplete: "off",
    class: mono ? "mono" : null, "aria-describedby": hint ? `${id}-hint` : null,
  });
  const field = h("div", { class: "field" }, h("label", { for: id }, label), input, hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null);
  return { field, input };
}

// A multi-select of countries; nothing selected means no restriction.
export function countriesField(id, label, selected) {
  const chosen = new Set(selected || []);
  const control = h("select", { id, name: id, multiple: true, size: 8, "aria-describedby": `${id}-hint` },
    BY_NAME.map(([code, name]) => h("option", { value: code, selected: chosen.has(code) }, `${name} (${code})`)));
  const summary = h("p", { class: "hint", id: `${id}-hint` });
  const describe = () => {
    const codes = [...control.selectedOptions].map((o) => o.value);
    summary.textContent = codes.length
      ? `Only: ${codes.join(", ")}. Ctrl-click or Shift-arrow to choose several; none selected means no restriction.`
      : "No restriction (none selected). Ctrl-click or Shift-arrow to choose several.";
  };
  control.addEventListener("change", describe);
  describe();
  const clear = h("button", { type: "button", class: "link", onclick: () => { for (const o of control.options) o.selected = false; describe(); } }, "Clear");
  return {
    field: h("div", { class: "field" }, h("label", { for: id }, label), control, h("div", { class: "row" }, summary, clear)),
    value: () => [...control.selectedOptions].map((o) => o.value),
  };
}

export function workerSidOrNull(text) {
  const value = text.trim();
  return value ? value : null;
}
