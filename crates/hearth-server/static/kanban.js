// Drag and drop on the pipeline board. Progressive enhancement only: every
// card also has a "move to stage" form that works without this file.
"use strict";

(() => {
  const board = document.querySelector("[data-board]");
  if (!board) {
    return;
  }
  const csrf = board.dataset.csrf;
  let dragged = null;

  const status = document.createElement("p");
  status.className = "notice";
  status.setAttribute("role", "status");
  status.hidden = true;
  board.before(status);

  const announce = (message) => {
    status.textContent = message;
    status.hidden = false;
  };

  const clearMarks = () => {
    for (const el of board.querySelectorAll(".drop-target, .drop-before")) {
      el.classList.remove("drop-target", "drop-before");
    }
  };

  // The card the drop lands above, or null for the end of the column.
  const cardBelow = (column, y) => {
    const cards = [...column.querySelectorAll(".lead-card")].filter((c) => c !== dragged);
    return cards.find((c) => {
      const box = c.getBoundingClientRect();
      return y < box.top + box.height / 2;
    }) || null;
  };

  // Positions are the server's (dense per stage); filtered columns show a
  // subset of cards, so the place is read from the neighbouring card.
  const targetPosition = (column, before) => {
    const sameStage = dragged.closest(".column") === column;
    const from = Number(dragged.dataset.position);
    let position;
    if (before) {
      position = Number(before.dataset.position);
    } else {
      const shown = [...column.querySelectorAll(".lead-card")].filter((c) => c !== dragged);
      position = shown.length ? Number(shown[shown.length - 1].dataset.position) + 1 : 0;
    }
    if (sameStage && from < position) {
      position -= 1;
    }
    return position;
  };

  // Redraw the board from the server, which owns order, counts and totals.
  const refresh = async () => {
    const res = await fetch(window.location.href, { credentials: "same-origin" });
    if (!res.ok) {
      window.location.reload();
      return;
    }
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    const fresh = doc.querySelector("[data-board]");
    if (fresh) {
      board.replaceChildren(...fresh.childNodes);
    }
  };

  board.addEventListener("dragstart", (event) => {
    const card = event.target.closest && event.target.closest(".lead-card");
    if (!card) {
      return;
    }
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.lead);
  });

  board.addEventListener("dragend", () => {
    if (dragged) {
      dragged.classList.remove("dragging");
    }
    dragged = null;
    clearMarks();
  });

  board.addEventListener("dragover", (event) => {
    const column = event.target.closest && event.target.closest(".column");
    if (!column || !dragged) {
      return;
    }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    clearMarks();
    column.classList.add("drop-target");
    const before = cardBelow(column, event.clientY);
    if (before) {
      before.classList.add("drop-before");
    }
  });

  board.addEventListener("drop", async (event) => {
    const column = event.target.closest && event.target.closest(".column");
    if (!column || !dragged) {
      return;
    }
    event.preventDefault();
    const card = dragged;
    const body = {
      stage_id: column.dataset.stage,
      position: targetPosition(column, cardBelow(column, event.clientY)),
    };
    clearMarks();
    if (column.dataset.kind === "lost" && card.closest(".column") !== column) {
      const reason = window.prompt("Why was this lead lost?");
      if (!reason || !reason.trim()) {
        return;
      }
      body.lost_reason = reason.trim();
    }
    card.classList.add("saving");
    try {
      const res = await fetch(`/api/v1/leads/${card.dataset.lead}/move`, {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/json", "x-csrf-token": csrf },
        body: JSON.stringify(body),
      });
      if (!res.ok) {
        const problem = await res.json().catch(() => ({}));
        announce(problem.detail || "The lead could not be moved.");
      } else {
        status.hidden = true;
      }
    } catch (_) {
      announce("The lead could not be moved: no connection.");
    }
    await refresh();
  });
})();
