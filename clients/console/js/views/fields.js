// Form parts the wizard's Configure step and the detail's sections share.

import { h } from "../dom.js";
import { countryPicker } from "./countrypicker.js";

export function textField(id, label, value, { hint, maxlength, placeholder, mono = false } = {}) {
  const input = h("input", {
    id, name: id, type: "text", value: value || "", maxlength, placeholder, autocomplete: "off",
    class: mono ? "mono" : null, "aria-describedby": hint ? `${id}-hint` : null,
  });
  const field = h("div", { class: "field" }, h("label", { for: id }, label), input, hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null);
  return { field, input };
}

// The countries a number is restricted to: chips and a search box (countrypicker.js); none means no restriction.
export function countriesField(id, label, selected) {
  return countryPicker(id, label, selected);
}

// A person or a queue picked by name: a native <select> (keyboard and screen readers know it), "none" first. A
// current value that is not in the list (a worker since removed) stays chosen, shown by its SID.
export function pickerField(id, label, { current, rows, none, hint }) {
  const known = rows.some(([value]) => value === current);
  const control = h("select", { id, name: id, "aria-describedby": hint ? `${id}-hint` : null },
    none ? h("option", { value: "" }, none) : null,
    !current || known ? null : h("option", { value: current }, `${current} (not in this workspace)`),
    rows.map(([value, text]) => h("option", { value }, text)));
  control.value = current || "";
  const field = h("div", { class: "field" }, h("label", { for: id }, label), control,
    hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null);
  return { field, control, value: () => control.value || null };
}

// Workers as picker rows: "Name · team" by name.
export function workerRows(workers) {
  return workers.map((w) => [w.workerSid, w.team ? `${w.friendlyName} · ${w.team}` : w.friendlyName]);
}

export function workerSidOrNull(text) {
  const value = text.trim();
  return value ? value : null;
}
