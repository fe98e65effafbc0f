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
