// The API-keys page: copy a new key to the clipboard (confirm.js asks before revoking one).
// A static file because the site's Content-Security-Policy allows no inline script.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-copy]")) {
    const field = document.getElementById(button.dataset.copy);
    const status = document.querySelector("[data-copy-status]");
    if (!field || !navigator.clipboard) continue; // the field stays selectable by hand
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(field.value);
        if (status) status.textContent = "Copied to the clipboard.";
      } catch {
        field.select();
        if (status) status.textContent = "Press Ctrl+C (⌘C on a Mac) to copy the selected key.";
      }
    });
  }
  const field = document.getElementById("new-key-value");
  if (field) field.addEventListener("focus", () => field.select());
});
