// The campaign form shows only the fields that matter: the source fields of the chosen source kind,
// and the schedule parts of the chosen frequency. Any element with data-show-for="<field name>" and
// data-values="a b" is hidden unless that field's value is one of them. Without JS every field stays
// visible and usable; the server decides which ones it reads. (No inline script: the CSP forbids it.)
document.addEventListener("DOMContentLoaded", () => {
  const parts = document.querySelectorAll("[data-show-for]");
  const update = () => {
    for (const part of parts) {
      const control = document.querySelector(`[name="${part.dataset.showFor}"]`);
      if (!control) continue;
      part.hidden = !part.dataset.values.split(" ").includes(control.value);
    }
  };
  const names = new Set([...parts].map((part) => part.dataset.showFor));
  for (const name of names) {
    const control = document.querySelector(`[name="${name}"]`);
    if (control) control.addEventListener("change", update);
  }
  update();
});
