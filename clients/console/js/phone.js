// A lenient first look at a typed phone number, only to enable the Next button: the API (phonenumbers) has the
// final word and answers 400 invalid_phone_number for what it cannot parse. So this only counts digits.

const SEPARATORS = new Set([" ", "(", ")", ".", "-", "\u00a0"]);

export function looksLikePhoneNumber(text) {
  const compact = [...String(text || "").trim()].filter((c) => !SEPARATORS.has(c)).join("");
  const international = compact.startsWith("+");
  const digits = international ? compact.slice(1) : compact;
  if (digits.length === 0 || ![...digits].every((c) => c >= "0" && c <= "9")) return false;
  if (international) return digits.length >= 7 && digits.length <= 15 && digits[0] !== "0";
  // No country code: a US number (the API's default region), with or without its leading 1.
  return digits.length === 10 || (digits.length === 11 && digits[0] === "1");
}
