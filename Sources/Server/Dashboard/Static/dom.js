// DOM helpers: data always goes in as text (textContent, attributes), never as HTML.

/** Creates `<tag class=…>` with optional text and children. */
export function el(tag, className, text, ...children) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined && text !== null) element.textContent = String(text);
  for (const child of children) if (child) element.append(child);
  return element;
}

/** A `<button type=button>` calling `onClick`. */
export function button(label, className, onClick) {
  const element = el("button", className, label);
  element.type = "button";
  element.addEventListener("click", onClick);
  return element;
}

/** A phone number (`whatsapp:+966…` → `+966…`), always left to right, also inside Arabic text. */
export function phone(address, className = "phone") {
  const element = el("bdi", className, String(address ?? "").replace(/^whatsapp:/, ""));
  element.dir = "ltr";
  return element;
}

/** `document.getElementById`. */
export const byId = (id) => document.getElementById(id);

let toastTimer = 0;
/** Shows a short message at the bottom of the screen. */
export function toast(message, kind = "info") {
  const box = byId("toast");
  box.textContent = message;
  box.dataset.kind = kind;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (box.hidden = true), 4000);
}
