// The "who is calling" card on the dashboard: listens to the organisation's
// live events and shows the caller's name and tags when a call comes in.
// Without this script the dashboard simply has no card.
"use strict";

(() => {
  const box = document.getElementById("incoming-calls");
  if (!box || !window.EventSource) {
    return;
  }

  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };

  const show = (call) => {
    const card = el("section", "card call-card");
    card.setAttribute("role", "status");
    const head = el("div", "call-head");
    head.append(el("strong", "", "Incoming call"), el("span", "muted", " " + (call.e164 || call.number)));
    const close = el("button", "link call-close", "Dismiss");
    close.type = "button";
    close.addEventListener("click", () => card.remove());
    head.append(close);
    card.append(head);

    if (!call.items || call.items.length === 0) {
      card.append(el("p", "call-name", "Unknown caller"));
      const add = el("a", "", "Add as a new customer");
      add.href = "/customers/new";
      card.append(add);
    }
    for (const c of call.items || []) {
      const who = el("div", "call-customer");
      const name = el("a", "call-name", c.display_name);
      name.href = "/customers/" + encodeURIComponent(c.customer_id);
      who.append(name);
      if (c.business_name && c.business_name !== c.display_name) {
        who.append(el("span", "muted", " · " + c.business_name));
      }
      if (c.tags && c.tags.length) {
        const tags = el("ul", "call-tags");
        for (const t of c.tags) tags.append(el("li", "tag", t));
        who.append(tags);
      }
      if (c.call_status) {
        who.append(el("div", "muted", c.call_status));
      }
      card.append(who);
    }
    box.prepend(card);
    // Keep the few most recent calls.
    while (box.children.length > 3) box.lastElementChild.remove();
  };

  const source = new EventSource("/api/v1/events/stream");
  source.addEventListener("incoming_call", (event) => {
    try {
      show(JSON.parse(event.data));
    } catch (_) {
      // A malformed event is not worth breaking the page for.
    }
  });
})();
