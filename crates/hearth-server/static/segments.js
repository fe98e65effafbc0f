// Segment builder: conditions as rows, a live count from
// POST /api/v1/segments/count, saving and deleting through the API.
(function () {
  "use strict";
  const form = document.getElementById("segment-builder");
  if (!form) return;
  const csrf = form.dataset.csrf;
  const list = document.getElementById("conditions");
  const rowTemplate = document.getElementById("condition-row");
  const liveCount = document.getElementById("live-count");
  const errorList = document.getElementById("builder-errors");
  const existing = form.dataset.existing ? JSON.parse(form.dataset.existing) : null;

  function fieldOption(row) {
    const select = row.querySelector("[name=field]");
    return select.options[select.selectedIndex];
  }

  function fillOps(row, chosen) {
    const option = fieldOption(row);
    const ops = row.querySelector("[name=op]");
    ops.replaceChildren();
    for (const op of option.dataset.ops.split(" ")) {
      const o = document.createElement("option");
      o.value = op;
      o.textContent = op.replace("_", " ");
      ops.appendChild(o);
    }
    if (chosen) ops.value = chosen;
    showValue(row);
  }

  function showValue(row) {
    const option = fieldOption(row);
    const op = row.querySelector("[name=op]").value;
    const value = row.querySelector("[name=value]");
    value.hidden = op === "present" || op === "absent";
    const choices = option.dataset.choices;
    value.placeholder = choices
      ? "one of: " + choices.split(" ").join(", ")
      : option.dataset.number === "true" ? "a whole number"
      : option.value === "customer_since" ? "YYYY-MM-DD" : "value";
  }

  function addRow(condition) {
    const row = rowTemplate.content.firstElementChild.cloneNode(true);
    list.appendChild(row);
    const field = row.querySelector("[name=field]");
    if (condition) field.value = condition.field;
    fillOps(row, condition && condition.op);
    if (condition && condition.value !== undefined && condition.value !== null) {
      row.querySelector("[name=value]").value = Array.isArray(condition.value)
        ? condition.value.join(", ")
        : String(condition.value);
    }
    field.addEventListener("change", () => { fillOps(row); changed(); });
    row.querySelector("[name=op]").addEventListener("change", () => { showValue(row); changed(); });
    row.querySelector("[name=value]").addEventListener("input", changed);
    row.querySelector(".chip-remove").addEventListener("click", () => { row.remove(); changed(); });
  }

  function filter() {
    const conditions = [];
    for (const row of list.querySelectorAll(".condition")) {
      const option = fieldOption(row);
      const op = row.querySelector("[name=op]").value;
      const raw = row.querySelector("[name=value]").value.trim();
      const condition = { field: option.value, op: op };
      if (op === "in") {
        condition.value = raw.split(",").map((v) => v.trim()).filter((v) => v);
      } else if (op !== "present" && op !== "absent") {
        condition.value = option.dataset.number === "true" && /^\d+$/.test(raw) ? Number(raw) : raw;
      }
      conditions.push(condition);
    }
    return { match: form.elements.match.value, conditions: conditions };
  }

  function showErrors(problem) {
    errorList.replaceChildren();
    const errors = (problem && problem.errors) || [{ field: "", message: (problem && problem.detail) || "Something went wrong" }];
    for (const e of errors) {
      const li = document.createElement("li");
      li.textContent = (e.field ? e.field + ": " : "") + e.message;
      errorList.appendChild(li);
    }
  }

  async function call(method, url, body) {
    const res = await fetch(url, {
      method: method,
      headers: { "content-type": "application/json", "x-csrf-token": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  let timer = null;
  function changed() {
    clearTimeout(timer);
    timer = setTimeout(count, 250);
  }

  async function count() {
    const res = await call("POST", "/api/v1/segments/count", { filter: filter() });
    if (res.status === 200) {
      errorList.replaceChildren();
      liveCount.textContent = res.body.count + (res.body.capped ? "+" : "");
    } else {
      liveCount.textContent = "–";
      showErrors(res.body);
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { name: form.elements.name.value, filter: filter() };
    const res = existing
      ? await call("PATCH", "/api/v1/segments/" + existing.id, Object.assign({ version: existing.version }, body))
      : await call("POST", "/api/v1/segments", body);
    if (res.status === 200 || res.status === 201) {
      window.location.assign("/segments/" + res.body.id);
    } else {
      showErrors(res.body);
    }
  });

  const del = document.getElementById("delete-segment");
  if (del && existing) {
    del.addEventListener("click", async () => {
      if (!window.confirm("Delete the segment " + existing.name + "?")) return;
      const res = await call("DELETE", "/api/v1/segments/" + existing.id + "?version=" + existing.version);
      if (res.status === 204) window.location.assign("/segments");
      else showErrors(res.body);
    });
  }

  document.getElementById("add-condition").addEventListener("click", () => { addRow(null); changed(); });
  form.elements.match.addEventListener("change", changed);
  if (existing) {
    form.elements.name.value = existing.name;
    form.elements.match.value = existing.filter.match || "all";
    existing.filter.conditions.forEach(addRow);
  } else {
    addRow(null);
  }
  changed();
})();
