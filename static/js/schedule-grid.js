// The schedule grid's cell editor: a popover anchored beside the clicked cell.
// htmx swaps the one #cell-editor (outerHTML, never nested); this file only places it,
// and closes it on Escape or its close/cancel buttons. A static file, as the CSP requires.
(() => {
  let anchor = null;
  const GAP = 6;

  function editor() {
    return document.getElementById("cell-editor");
  }

  function close() {
    const box = editor();
    if (!box) return;
    box.replaceChildren();
    box.classList.remove("open", "anchored");
    if (anchor && document.body.contains(anchor)) anchor.focus();
  }

  function place() {
    const box = editor();
    if (!box || !box.classList.contains("open") || !anchor || !document.body.contains(anchor)) return;
    // The inner article moves, not #cell-editor: htmx copies the swapped element's old
    // attributes while settling, and a copied style attribute is refused by the CSP.
    const panel = box.querySelector(".cell-editor");
    if (!panel) return;
    box.classList.add("anchored");
    const cell = anchor.getBoundingClientRect();
    const width = Math.min(panel.offsetWidth, window.innerWidth - 2 * GAP);
    const height = panel.offsetHeight;
    // Beside the cell (right, else left), else below; always inside the viewport.
    let left = cell.right + GAP;
    if (left + width > window.innerWidth - GAP) left = cell.left - GAP - width;
    let top = cell.top;
    if (left < GAP) {
      left = Math.max(GAP, Math.min(cell.left, window.innerWidth - width - GAP));
      top = cell.bottom + GAP;
      if (top + height > window.innerHeight - GAP) top = cell.top - GAP - height;
    }
    top = Math.max(GAP, Math.min(top, window.innerHeight - height - GAP));
    panel.style.left = `${left}px`;
    panel.style.top = `${top}px`;
  }

  document.addEventListener("htmx:beforeRequest", (event) => {
    const elt = event.detail.elt;
    if (elt && elt.matches && elt.matches("[hx-target='#cell-editor']")) anchor = elt;
  });

  document.addEventListener("htmx:afterSettle", () => {
    const box = editor();
    if (!box || !box.classList.contains("open")) return;
    place();
    const first = box.querySelector("select, input:not([type=hidden]), textarea");
    if (first && !box.contains(document.activeElement)) first.focus({ preventScroll: true });
  });

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-close-editor]");
    if (button && button.closest("#cell-editor.anchored")) {
      event.preventDefault();
      close();
    }
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && editor()?.classList.contains("open")) close();
  });

  window.addEventListener("resize", place);
  document.addEventListener("scroll", place, { capture: true, passive: true });
})();
