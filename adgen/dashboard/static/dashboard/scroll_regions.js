// A table wider than a phone scrolls sideways inside its .table-wrap; a keyboard user can only
// scroll what can take focus, so a wrapper that overflows becomes a named, focusable region
// (and stops being one when the window grows and the table fits).
(function () {
  function label(wrap) {
    var caption = wrap.querySelector("caption");
    var section = wrap.closest("section");
    var heading = section && section.querySelector("h1, h2, h3");
    var name = (caption || heading || {}).textContent || "Table";
    return name.trim() + " (scrolls sideways)";
  }
  function update() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", label(wrap));
      } else if (wrap.getAttribute("role") === "region") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", update);
  window.addEventListener("resize", update);
  document.addEventListener("htmx:afterSwap", update);
})();
