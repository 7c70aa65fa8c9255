// A slow form (<form data-busy-form>): on submit, disable its submit button, mark it busy
// (Pico shows a spinner for aria-busy) and show the form's .busy-note, so a lead does not
// click again while the server works. A static file, as the Content Security Policy requires.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-busy-form]");
  if (!form || event.defaultPrevented) return;
  const button = form.querySelector("button[type=submit]");
  if (button) {
    // After the form data is gathered (the button carries no name), so the request is sent.
    window.setTimeout(() => {
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      if (button.dataset.busyText) {
        button.dataset.idleText = button.textContent;
        button.textContent = button.dataset.busyText;
      }
    }, 0);
  }
  const note = form.parentElement.querySelector(".busy-note");
  if (note) note.hidden = false;
});
// Back from the browser's cache (bfcache): the page is live again, not busy.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  for (const button of document.querySelectorAll("form[data-busy-form] button[aria-busy]")) {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    if (button.dataset.idleText) button.textContent = button.dataset.idleText;
  }
  for (const note of document.querySelectorAll(".busy-note")) note.hidden = true;
});
