"""What every dashboard page must pass in Chromium, in one place for every browser test:
axe-core finds nothing (all its default rules, best practices included), nothing scrolls sideways,
every control is reached with Tab and shows where the focus is, every id an ARIA attribute or a
label names exists. Full-page screenshots at phone and
desktop width go to out/screenshots/<name>-<width>.png."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "out" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORTS = ((390, 844), (1280, 900))  # a phone, a laptop


@lru_cache(maxsize=1)
def axe_source() -> str:
    """axe-core's script (node_modules/axe-core, installed by `make`, or AXE_CORE_JS)."""
    for candidate in (os.environ.get("AXE_CORE_JS"), ROOT / "node_modules" / "axe-core" / "axe.min.js"):
        if candidate and Path(candidate).is_file():
            return Path(candidate).read_text()
    raise AssertionError("axe-core is not installed: run `make` (npm ci) or set AXE_CORE_JS")


# axe's default rules leave out WCAG 2.2 AA's target size (2.5.8); the dashboard meets it. (Its
# AAA and experimental rules stay off: 7:1 contrast is not our bar, p-as-heading flags the big
# balance figures.)
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}


def axe_violations(page) -> list[str]:
    """axe-core's violations on the page as it is now, one line each: rule, impact, the elements."""
    # a DevTools evaluation: the page's CSP (no eval, no inline script) stays on and axe still runs
    page.evaluate(axe_source() + "\n;0")
    return page.evaluate("""options => axe.run(document, options).then(r => r.violations.map(v =>
        `${v.id} (${v.impact}): ${v.help} -> ` + v.nodes.map(n => n.target.join(' ')).join(' | ')
        + ` [${(v.nodes[0].failureSummary || '').replace(/\\s+/g, ' ')}]`))""", AXE_OPTIONS)


def horizontal_overflow(page) -> int:
    """Pixels the page scrolls sideways (0 when it fits the window)."""
    return page.evaluate("Math.max(0, document.documentElement.scrollWidth - window.innerWidth)")


# Focusable controls a keyboard user must reach (radios are one stop per group, so left out; so is
# what tabindex="-1" takes out of the order on purpose, like a thumbnail repeating its title's link).
_CONTROLS = ("a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]):not([type=radio]), "
             "select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex='-1']), "
             "audio[controls], video[controls]")
_MARK_CONTROLS = """sel => {
  // checkVisibility: not in a closed <details>, not display:none or visibility:hidden
  const shown = e => e.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true});
  const all = [...document.querySelectorAll(sel)].filter(e => shown(e) && e.getAttribute('tabindex') !== '-1');
  all.forEach((e, i) => e.setAttribute('data-kbd', i));
  return {count: all.length, media: all.filter(e => e.matches('audio, video')).length}; }"""
_FOCUSED = """() => { const e = document.activeElement; if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
  const text = (e.textContent || e.value || e.getAttribute('aria-label') || '').trim().slice(0, 40);
  const name = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' "' + text + '"';
  return {mark: e.getAttribute('data-kbd'), media: e.matches('audio, video'), ring, name}; }"""
_NEXT_FRAME = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
_MEDIA_STOPS = 8  # Tab stops inside a media element's own controls (play, seek, volume, menu...)


def keyboard_problems(page) -> list[str]:
    """Tab through the page from the top: every shown control is reached, each with a visible
    focus ring (outline or box-shadow; audio and video draw their own controls' ring). Positive
    tabindex is axe's `tabindex` rule."""
    controls = page.evaluate(_MARK_CONTROLS, _CONTROLS)
    page.evaluate("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur()")
    reached: list[str] = []
    problems: list[str] = []
    # enough presses for every stop (radios and unmarked stops too); the walk ends when it wraps
    for _ in range(2 * controls["count"] + _MEDIA_STOPS * controls["media"] + 10):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED)
        if focused is None or focused["mark"] is None or (reached and focused["mark"] == reached[-1]):
            continue  # the browser's own UI, an unmarked element, or another stop inside a media element
        if focused["mark"] in reached:
            break  # back at the top
        reached.append(focused["mark"])
        if not focused["ring"] and not focused["media"]:
            problems.append(f"no visible focus on {focused['name']}")
    missed = page.evaluate("""marks => [...document.querySelectorAll('[data-kbd]')]
        .filter(e => !marks.includes(e.getAttribute('data-kbd')))
        .map(e => e.tagName.toLowerCase() + ' "'
             + (e.textContent || e.getAttribute('aria-label') || '').trim().slice(0, 40) + '"')""", reached)
    # leave nothing focused: a focused skip link would cover the header for the next check
    page.evaluate("document.querySelectorAll('[data-kbd]').forEach(e => e.removeAttribute('data-kbd'));"
                  "document.activeElement && document.activeElement.blur()")
    return problems + [f"not reached with Tab: {m}" for m in missed]


def broken_references(page) -> list[str]:
    """ids named by aria-describedby, aria-labelledby, aria-controls or <label for> that the page
    lacks (axe lets a half-broken aria-describedby pass; the help or error text is then never read)."""
    return page.evaluate("""() => {
      const missing = [];
      for (const e of document.querySelectorAll('[aria-describedby], [aria-labelledby], [aria-controls], label[for]')) {
        for (const attr of ['aria-describedby', 'aria-labelledby', 'aria-controls', 'for']) {
          for (const id of (e.getAttribute(attr) || '').split(/\\s+/).filter(Boolean)) {
            if (!document.getElementById(id)) missing.push(`${attr}="${id}" on <${e.tagName.toLowerCase()}>`);
          }
        }
      }
      return missing; }""")


def _shoot(page, name: str, width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    page.evaluate(_NEXT_FRAME)  # resize listeners (scroll_regions.js) have run
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def screenshots(page, name: str) -> None:
    """Only the screenshots, for a page that is not ours to fix (Swagger UI). Ends at 1280x900."""
    (SHOTS / name).parent.mkdir(parents=True, exist_ok=True)
    for width, height in VIEWPORTS:
        _shoot(page, name, width, height)


def check_page(page, name: str) -> None:
    """Screenshots at 390 and 1280 px; at both widths the page must have no axe violation, no
    sideways scrolling, and work from the keyboard. Ends at 1280x900."""
    (SHOTS / name).parent.mkdir(parents=True, exist_ok=True)  # a name may have a folder: "pages/login"
    problems: list[str] = []
    problems += [f"no such id: {ref}" for ref in broken_references(page)]
    for width, height in VIEWPORTS:
        _shoot(page, name, width, height)
        overflow = horizontal_overflow(page)
        if overflow:
            problems.append(f"{width}px: scrolls {overflow}px sideways")
        problems += [f"{width}px: {v}" for v in axe_violations(page)]
        problems += [f"{width}px: {p}" for p in keyboard_problems(page)]
    assert not problems, f"{name} ({page.url}):\n" + "\n".join(problems)


def signed_in_page(chromium, base: str, email: str, password: str = "correct horse battery", **context_options):
    """A new page logged in through the log-in form, collecting CSP refusals in `page.violations`."""
    page = chromium.new_context(**context_options).new_page()
    page.set_default_timeout(60_000)
    page.violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and page.violations.append(m.text))
    page.goto(f"{base}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("button:has-text('Log in')")
    page.wait_for_url("**/workspaces/**")
    return page
