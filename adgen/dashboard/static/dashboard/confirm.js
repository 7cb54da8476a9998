// Ask before a destructive form is sent: any <form data-confirm="question">. Without JS the form
// simply submits (the server's own rules still apply). A static file: the CSP allows no inline script.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
});
