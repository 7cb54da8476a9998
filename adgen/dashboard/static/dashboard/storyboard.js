// The script page's storyboard: each variant's spoken length estimated as the user types, scenes
// moved up and down (the hidden order fields tell the server), and the sticky credit bar kept off
// the field being edited. A static file because the site's Content-Security-Policy allows no inline script.
(() => {
  // How long a line takes to say, in the script writer's units: pipelines.script.locale.speech_units,
  // mirrored here so the estimate follows the typing (test_storyboard_browser.py checks the two agree).
  // Words count by syllables, numbers by digits, CJK characters one each.
  const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff]/gu;
  const LATIN_WORD = /[A-Za-z\u00C0-\u024F]+(?:['’-][A-Za-z\u00C0-\u024F]+)*/gu;
  const NUMBER = /\p{Nd}+(?:[.,]\p{Nd}+)*/gu;
  const VOWEL_GROUP = /[aeiouyàâäéèêëîïôöûüùáíóú]+/giu;

  const count = (text, pattern) => (text.match(pattern) || []).length;
  const numberUnits = (token, perDigit) => Math.max(1, 0.5 + perDigit * count(token, /\p{Nd}/gu));

  function wordUnits(word) {
    let syllables = count(word, VOWEL_GROUP);
    const lower = word.toLowerCase();
    if (lower.endsWith("e") && syllables > 1 && !lower.endsWith("le") && !lower.endsWith("ee")) syllables -= 1;
    return 0.5 + (0.5 * Math.max(1, syllables)) / 1.45;
  }

  function speechUnits(text, characterLanguage) {
    const numbers = text.match(NUMBER) || [];
    const rest = text.replace(NUMBER, " ");
    const words = rest.match(LATIN_WORD) || [];
    if (characterLanguage) {
      return count(rest, CJK) + 1.5 * words.length + numbers.reduce((sum, n) => sum + numberUnits(n, 1.6), 0);
    }
    return words.reduce((sum, w) => sum + wordUnits(w), 0) + 0.85 * count(rest, CJK)
      + numbers.reduce((sum, n) => sum + numberUnits(n, 0.8), 0);
  }

  function updateEstimate(variant) {
    const pace = parseFloat(variant.dataset.wordsPerSecond);
    const pause = parseFloat(variant.dataset.scenePause) || 0;
    const target = parseFloat(variant.dataset.targetSeconds);
    const tolerance = parseFloat(variant.dataset.lengthTolerance) || 0; // the writer's own: within it, a script fits
    const output = variant.querySelector("[data-length-estimate]");
    if (!(pace > 0) || !(target > 0) || !output) return;
    // the writer's own estimate (pipelines.script.guards.voiceover_seconds): units at the voice's pace,
    // plus the voice stage's pause between two spoken scenes
    const unitsPerSecond = pace * (parseFloat(variant.dataset.unitsPerToken) || 1);
    const characterLanguage = variant.dataset.characterLanguage === "true";
    const spoken = [...variant.querySelectorAll("[data-voiceover]")].map((field) => field.value)
      .filter((text) => text.trim());
    const units = spoken.reduce((sum, text) => sum + speechUnits(text, characterLanguage), 0);
    const seconds = units / unitsPerSecond + pause * Math.max(0, spoken.length - 1);
    const off = seconds / target - 1;
    const state = off > tolerance ? "long" : off < -tolerance ? "short" : "fits";
    const note = { long: " · too long", short: " · short", fits: "" }[state];
    output.textContent = `About ${Math.round(seconds)} s of ${Math.round(target)} s${note}`;
    output.dataset.state = state;
    output.dataset.seconds = seconds.toFixed(2);
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
      updateEstimate(variant);
      variant.addEventListener("input", (event) => {
        if (event.target.matches("[data-voiceover]")) updateEstimate(variant);
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
