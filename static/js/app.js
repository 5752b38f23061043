// Small behaviours shared by every page; no inline scripts, so a strict CSP can forbid them.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
