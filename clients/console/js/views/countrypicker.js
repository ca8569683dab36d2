// A country picker a person can use: the chosen countries as chips (each with its own Remove button), and a
// search box that is an ARIA combobox (type a name or code, Up/Down to move, Enter to add, Escape to close).
// Nothing chosen means no restriction. Replaces the 240-row Ctrl-click multi-select.

import { COUNTRIES } from "../countries.js";
import { h, replace, announce } from "../dom.js";

const BY_NAME = [...COUNTRIES].sort((a, b) => a[1].localeCompare(b[1]));
const NAME = new Map(COUNTRIES);
const SHOWN = 8;

export function countryPicker(id, label, selected) {
  const chosen = [...new Set(selected || [])];
  const listId = `${id}-options`;
  const input = h("input", {
    id, type: "text", role: "combobox", autocomplete: "off", "aria-autocomplete": "list",
    "aria-expanded": "false", "aria-controls": listId, "aria-describedby": `${id}-hint`,
    placeholder: "Type a country's name or code",
  });
  const options = h("ul", { id: listId, role: "listbox", class: "combo-options", "aria-label": `${label}: matches`, hidden: true });
  const chips = h("ul", { class: "chips", "aria-label": `${label}: chosen` });
  const hint = h("p", { class: "hint", id: `${id}-hint` });
  let matches = [];
  let active = -1;

  const describe = () => {
    hint.textContent = chosen.length
      ? `Only: ${chosen.map((c) => NAME.get(c) || c).join(", ")}.`
      : "No restriction: calls to and from every country.";
  };

  const drawChips = () => {
    replace(chips, chosen.map((code) => h("li", { class: "chip" },
      h("span", {}, `${NAME.get(code) || code} (${code})`),
      h("button", {
        type: "button", class: "chip-remove", "aria-label": `Remove ${NAME.get(code) || code}`,
        onclick: () => remove(code),
      }))));
    describe();
  };

  const close = () => {
    options.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };

  const highlight = (index) => {
    active = index;
    [...options.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
    if (index >= 0) input.setAttribute("aria-activedescendant", `${listId}-${index}`);
    else input.removeAttribute("aria-activedescendant");
  };

  const search = () => {
    const text = input.value.trim().toLowerCase();
    if (!text) {
      close();
      return;
    }
    matches = BY_NAME.filter(([code, name]) => !chosen.includes(code)
      && (code.toLowerCase() === text || name.toLowerCase().includes(text))).slice(0, SHOWN);
    // An exact code first: "CA" is Canada before "Central African Republic".
    matches.sort((a, b) => (b[0].toLowerCase() === text) - (a[0].toLowerCase() === text));
    replace(options, matches.length
      ? matches.map(([code, name], i) => h("li", {
        id: `${listId}-${i}`, role: "option", "aria-selected": "false", class: "combo-option",
        onmousedown: (event) => { event.preventDefault(); add(code); },
      }, `${name} (${code})`))
      : h("li", { class: "combo-empty", role: "option", "aria-disabled": "true", "aria-selected": "false" }, "No country matches"));
    options.hidden = false;
    input.setAttribute("aria-expanded", "true");
    highlight(matches.length ? 0 : -1);
  };

  const add = (code) => {
    if (!chosen.includes(code)) chosen.push(code);
    input.value = "";
    close();
    drawChips();
    announce(`${NAME.get(code)} added to ${label.toLowerCase()}.`);
    input.focus();
  };

  const remove = (code) => {
    const at = chosen.indexOf(code);
    if (at >= 0) chosen.splice(at, 1);
    drawChips();
    announce(`${NAME.get(code) || code} removed from ${label.toLowerCase()}.`);
    // Focus stays in the picker: the next chip's button, else the search box.
    const buttons = chips.querySelectorAll("button");
    (buttons[Math.min(at, buttons.length - 1)] || input).focus();
  };

  input.addEventListener("input", search);
  input.addEventListener("blur", close);
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (options.hidden) search();
      if (!matches.length) return;
      const step = event.key === "ArrowDown" ? 1 : -1;
      highlight((active + step + matches.length) % matches.length);
    } else if (event.key === "Enter") {
      if (!options.hidden && active >= 0) {
        event.preventDefault(); // adds the country, never submits the section's form
        add(matches[active][0]);
      } else if (input.value.trim()) {
        event.preventDefault();
      }
    } else if (event.key === "Escape" && !options.hidden) {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  });

  drawChips();
  const field = h("div", { class: "field country-picker" },
    h("label", { for: id }, label),
    chips,
    h("div", { class: "combo" }, input, options),
    hint);
  return { field, value: () => [...chosen] };
}
