// The script page's storyboard: each variant's spoken length estimated as the user types, scenes
// moved up and down (the hidden order fields tell the server), and the sticky credit bar kept off
// the field being edited. A static file because the site's Content-Security-Policy allows no inline script.
(() => {
  // The estimate is the server's (pipelines.script.locale.lines_seconds, the script writer's own
  // measure of speech): asked for a moment after the typing stops, the newest answer wins.
  function showEstimate(variant, seconds) {
    const target = parseFloat(variant.dataset.targetSeconds);
    const tolerance = parseFloat(variant.dataset.lengthTolerance) || 0; // the writer's own: within it, a script fits
    const output = variant.querySelector("[data-length-estimate]");
    if (!(target > 0) || !output || !Number.isFinite(seconds)) return;
    const off = seconds / target - 1;
    const state = off > tolerance ? "long" : off < -tolerance ? "short" : "fits";
    const note = { long: " · too long", short: " · short", fits: "" }[state];
    output.textContent = `About ${Math.round(seconds)} s of ${Math.round(target)} s${note}`;
    output.dataset.state = state;
    output.dataset.seconds = seconds.toFixed(2);
  }

  function requestEstimate(variant, url) {
    const query = new URLSearchParams({ language: variant.dataset.language || "en",
                                        pace: variant.dataset.wordsPerSecond });
    for (const field of variant.querySelectorAll("[data-voiceover]")) query.append("line", field.value);
    const asked = (variant.estimateAsked = (variant.estimateAsked || 0) + 1);
    fetch(`${url}?${query}`, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : null))
      .then((body) => { if (body && asked === variant.estimateAsked) showEstimate(variant, body.seconds); })
      .catch(() => {}); // offline for a moment: the last estimate stays
  }

  function renumber(list) {
    [...list.querySelectorAll(":scope > [data-scene]")].forEach((card, place, cards) => {
      card.querySelector("[data-scene-order]").value = String(place);
      card.querySelector("[data-scene-number]").textContent = String(place + 1);
      card.querySelector("[data-move='-1']").disabled = place === 0;
      card.querySelector("[data-move='1']").disabled = place === cards.length - 1;
    });
  }

  function move(button, status) {
    const card = button.closest("[data-scene]");
    const list = card.parentElement;
    const step = Number(button.dataset.move);
    const neighbour = step < 0 ? card.previousElementSibling : card.nextElementSibling;
    if (!neighbour) return;
    list.insertBefore(card, step < 0 ? neighbour : neighbour.nextElementSibling);
    renumber(list);
    // moving a node drops its focus; keep the keyboard on the same button, or its twin at either end
    (button.disabled ? card.querySelector(`[data-move='${-step}']`) : button).focus();
    const cards = [...list.children];
    const variantTitle = list.closest("[data-variant]").querySelector("h2").textContent.trim();
    const place = cards.indexOf(card) + 1;
    status.textContent = `${card.dataset.sceneName} is now scene ${place} of ${cards.length} in ${variantTitle}.`;
  }

  // the bar is sticky: the page scrolls a focused field clear of it (scroll-padding-bottom in
  // storyboard.css reads --quote-bar-height), and a field already under it is brought up
  function keepClearOf(bar) {
    const root = document.documentElement;
    const measure = () => root.style.setProperty("--quote-bar-height",
      `${Math.ceil(bar.getBoundingClientRect().height)}px`);
    measure();
    if ("ResizeObserver" in window) new ResizeObserver(measure).observe(bar);
    document.addEventListener("focusin", (event) => {
      const field = event.target;
      if (!(field instanceof HTMLElement) || bar.contains(field) || getComputedStyle(bar).position !== "sticky") return;
      const barTop = bar.getBoundingClientRect().top;
      const bottom = field.getBoundingClientRect().bottom;
      const margin = 12;
      if (bottom > barTop - margin) window.scrollBy(0, bottom - barTop + margin);
    });
  }

  // a picture the browser cannot show (a shop's http:// image under the CSP, a dead link) becomes a
  // neutral tile; the figure's caption still says what the scene shows
  function tileInstead(img) {
    const tile = document.createElement("span");
    tile.className = "broll-caption";
    img.replaceWith(tile);
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const img of document.querySelectorAll(".scene-shot img")) {
      if (img.complete && img.naturalWidth === 0 && img.getAttribute("src")) tileInstead(img);
      else img.addEventListener("error", () => tileInstead(img), { once: true });
    }
    const status = document.querySelector("[data-storyboard-status]");
    for (const variant of document.querySelectorAll("[data-variant]")) {
      const output = variant.querySelector("[data-length-estimate]");
      if (output) showEstimate(variant, parseFloat(output.dataset.seconds));
      const url = variant.closest("[data-estimate-url]")?.dataset.estimateUrl;
      let timer;
      variant.addEventListener("input", (event) => {
        if (!url || !event.target.matches("[data-voiceover]")) return;
        clearTimeout(timer);
        timer = setTimeout(() => requestEstimate(variant, url), 250);
      });
      for (const moves of variant.querySelectorAll("[data-scene-moves]")) moves.hidden = false;
      const list = variant.querySelector(".scene-cards");
      if (list) renumber(list);
      variant.addEventListener("click", (event) => {
        const button = event.target.closest("[data-move]");
        if (button && status) move(button, status);
      });
    }
    const bar = document.querySelector("[data-quote-bar]");
    if (bar) keepClearOf(bar);
  });
})();
