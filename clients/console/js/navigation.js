// What the screens share with the shell: moving to another screen, and the API's answers that every screen
// treats alike (401: sign in again; 403: the supervisor page; 404: "Resource not available"). app.js connects
// its own functions here at start, so the screens need not import app.js (which imports them).

let shell = null;

export function connect(functions) {
  shell = functions;
}

export function navigate(href, options) {
  shell.navigate(href, options);
}

// True when the shell took the error over (it shows another screen); else the error is in ``area``.
export function handleApiError(error, options) {
  return shell.handleApiError(error, options);
}
