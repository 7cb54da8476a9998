// The results gallery: one player; the format buttons and the variant posters choose what it plays.
// Sources come from the page's JSON block (gallery-sources): {variant: {aspect: {src, poster, ...}}}.
(function () {
  "use strict";

  function start() {
    var gallery = document.querySelector(".gallery[data-variant]");
    var data = document.getElementById("gallery-sources");
    if (!gallery || !data) return;
    var sources = JSON.parse(data.textContent);
    var player = document.getElementById("preview-player");
    var label = document.getElementById("player-label");
    var formatButtons = document.querySelectorAll(".format-switch [data-format]");
    var variantButtons = document.querySelectorAll(".poster-button[data-variant]");

    function show(variant, format) {
      var formats = sources[variant] || {};
      var item = formats[format] || formats[Object.keys(formats)[0]];
      if (!item) return;
      if (!formats[format]) format = Object.keys(formats)[0];
      gallery.dataset.variant = variant;
      gallery.dataset.format = format;
      formatButtons.forEach(function (b) {
        b.setAttribute("aria-pressed", String(b.dataset.format === format));
        b.disabled = !formats[b.dataset.format];
      });
      variantButtons.forEach(function (b) { b.setAttribute("aria-pressed", String(b.dataset.variant === variant)); });
      var source = player.querySelector("source");
      if (source.getAttribute("src") === item.src) return;
      player.pause();
      source.setAttribute("src", item.src);
      var track = player.querySelector("track");
      if (track) track.remove();
      if (item.captions) {
        track = document.createElement("track");
        track.kind = "captions";
        track.label = "Captions";
        track.srclang = document.documentElement.lang || "en";
        track.src = item.captions;
        player.appendChild(track);
      }
      if (item.poster) player.setAttribute("poster", item.poster); else player.removeAttribute("poster");
      player.width = item.width;
      player.height = item.height;
      label.textContent = item.label;
      player.load();
    }

    formatButtons.forEach(function (b) {
      b.addEventListener("click", function () { show(gallery.dataset.variant, b.dataset.format); });
    });
    variantButtons.forEach(function (b) {
      b.addEventListener("click", function () {
        show(b.dataset.variant, gallery.dataset.format);
        var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
        gallery.scrollIntoView({ behavior: still ? "auto" : "smooth", block: "start" });
        player.focus({ preventScroll: true });
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
