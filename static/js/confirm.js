// Ask before a destructive form is sent: <button data-confirm="Really?">.
// (A static script, not an inline onclick, which the Content Security Policy refuses.)
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});
