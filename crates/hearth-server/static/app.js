// Progressive enhancement only: every page works without this file.
"use strict";

// Forms that destroy something ask first (data-confirm="question").
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// "Copy notes": buttons stay hidden without JS, where the notes are a
// plain read-only text area anyone can select.
document.querySelectorAll("button[data-copy]").forEach((button) => {
  if (!navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    const source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) return;
    navigator.clipboard.writeText(source.value).then(() => {
      const label = button.textContent;
      button.textContent = "Copied";
      setTimeout(() => { button.textContent = label; }, 1500);
    });
  });
});

// Slots for the parts of a page that cost more than the page itself (a
// customer's look-alikes): each links to its part as a page of its own and
// is replaced by the element of the same id on that page, or removed when
// it has none.
document.querySelectorAll("[data-fill]").forEach((slot) => {
  fetch(slot.getAttribute("data-fill"), { credentials: "same-origin" })
    .then((res) => (res.ok ? res.text() : Promise.reject(new Error(res.statusText))))
    .then((html) => {
      const part = new DOMParser().parseFromString(html, "text/html").getElementById(slot.id);
      if (part) slot.replaceWith(part);
      else slot.remove();
    })
    .catch(() => {});
});
