// Imports page: posts the chosen CSV file to POST /api/v1/imports
// (async=true, so the server answers at once and runs it in the
// background), polls the import for its progress until it is done or
// failed, and reverts finished imports through the API.
(function () {
  "use strict";
  const form = document.getElementById("import-form");
  const list = document.getElementById("import-list");
  const csrf = list.dataset.csrf;
  const status = document.getElementById("import-status");
  const phase = document.getElementById("import-phase");
  const bar = document.getElementById("import-progress");
  const outcome = document.getElementById("import-outcome");
  const problems = document.getElementById("import-problems");
  const columns = document.getElementById("import-columns");
  const POLL_MS = 400;

  const headers = (extra) => Object.assign({ "x-csrf-token": csrf }, extra);

  // The message of an RFC 9457 problem, or the status line.
  const failure = async (res) => {
    try {
      const body = await res.json();
      return body.detail || res.statusText;
    } catch (_) {
      return `${res.status} ${res.statusText}`;
    }
  };

  const showProblems = (items, total) => {
    const body = problems.querySelector("tbody");
    body.replaceChildren();
    for (const p of items) {
      const row = document.createElement("tr");
      for (const text of [p.line, p.field, p.message]) {
        const cell = document.createElement("td");
        cell.textContent = String(text);
        row.appendChild(cell);
      }
      body.appendChild(row);
    }
    if (total > items.length) {
      const row = document.createElement("tr");
      const cell = document.createElement("td");
      cell.colSpan = 3;
      cell.className = "muted";
      cell.textContent = `… and ${total - items.length} more problems`;
      row.appendChild(cell);
      body.appendChild(row);
    }
    problems.hidden = items.length === 0;
  };

  // A dry run's reading of the header: each column and the field it fills.
  const showColumns = (items) => {
    const body = columns.querySelector("tbody");
    body.replaceChildren();
    for (const c of items) {
      const row = document.createElement("tr");
      for (const text of [c.column, c.field || "ignored"]) {
        const cell = document.createElement("td");
        cell.textContent = text;
        row.appendChild(cell);
      }
      body.appendChild(row);
    }
    columns.hidden = items.length === 0;
  };

  const say = (text, failed) => {
    outcome.textContent = text;
    outcome.className = failed ? "failed" : "";
  };

  // Redraw the list of past imports from the server.
  const refreshList = async () => {
    const res = await fetch(window.location.href, { credentials: "same-origin" });
    if (!res.ok) return;
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    const fresh = doc.getElementById("import-list");
    if (fresh) list.replaceChildren(...fresh.childNodes);
  };

  const showProgress = (imp) => {
    if (imp.bytes_total) {
      bar.max = imp.bytes_total;
      bar.value = imp.bytes_read || 0;
      const pct = Math.floor((100 * (imp.bytes_read || 0)) / imp.bytes_total);
      phase.textContent = `Importing ${imp.kind}: ${imp.rows_read} rows read (${pct} %)`;
    } else {
      bar.removeAttribute("value");
      phase.textContent = `Importing ${imp.kind}: ${imp.rows_read} rows read`;
    }
  };

  const follow = async (id) => {
    for (;;) {
      const res = await fetch(`/api/v1/imports/${id}`, { credentials: "same-origin" });
      if (!res.ok) {
        say(`Could not follow the import: ${await failure(res)}`, true);
        return;
      }
      const imp = await res.json();
      showProgress(imp);
      if (imp.status === "done") {
        bar.value = bar.max;
        phase.textContent = `Finished: ${imp.rows_read} rows read`;
        say(`Imported ${imp.rows_imported} ${imp.kind} (${imp.rows_skipped} skipped as duplicates).`, false);
        status.dataset.state = "done";
        await refreshList();
        return;
      }
      if (imp.status === "failed") {
        phase.textContent = `Stopped after ${imp.rows_read} rows`;
        say(`Import failed: ${imp.error || "nothing was imported"}`, true);
        showProblems(imp.problems || [], imp.problem_count || 0);
        status.dataset.state = "failed";
        await refreshList();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  };

  if (form) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const file = form.elements.file.files[0];
      if (!file) return;
      const kind = form.elements.kind.value;
      const dryRun = form.elements.dry_run.checked;
      const query = `kind=${encodeURIComponent(kind)}&` + (dryRun ? "dry_run=true" : "async=true");
      status.hidden = false;
      status.dataset.state = "uploading";
      problems.hidden = true;
      columns.hidden = true;
      say("", false);
      bar.removeAttribute("value");
      phase.textContent = `Uploading ${file.name} (${file.size} bytes)…`;
      form.querySelector("button[type=submit]").disabled = true;
      try {
        const res = await fetch(`/api/v1/imports?${query}`, {
          method: "POST",
          credentials: "same-origin",
          headers: headers({ "content-type": "text/csv" }),
          body: file,
        });
        if (dryRun) {
          if (!res.ok) {
            phase.textContent = "Dry run";
            say(`The file could not be checked: ${await failure(res)}`, true);
            status.dataset.state = "failed";
            return;
          }
          const report = await res.json();
          bar.max = 1;
          bar.value = 1;
          phase.textContent = `Dry run: ${report.rows} rows read`;
          const clean = report.problems.length === 0;
          say(
            `${report.importable} would be imported, ${report.skipped.length} skipped as duplicates` +
              (clean ? "; no problems." : `; ${report.problems.length} problems: nothing would be imported.`),
            !clean
          );
          showProblems(report.problems, report.problems.length);
          showColumns(report.columns);
          status.dataset.state = clean ? "done" : "failed";
          return;
        }
        if (res.status !== 202) {
          phase.textContent = "Not started";
          say(`The import did not start: ${await failure(res)}`, true);
          status.dataset.state = "failed";
          return;
        }
        const imp = await res.json();
        showProgress(imp);
        await follow(imp.id);
      } catch (e) {
        say(`The upload failed: ${e.message}`, true);
        status.dataset.state = "failed";
      } finally {
        form.querySelector("button[type=submit]").disabled = false;
      }
    });
  }

  list.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-revert]");
    if (!button) return;
    if (!window.confirm("Move every record this import created to the bin?")) return;
    button.disabled = true;
    const res = await fetch(`/api/v1/imports/${button.dataset.revert}/revert`, {
      method: "POST",
      credentials: "same-origin",
      headers: headers({ "content-type": "application/json" }),
      body: "{}",
    });
    if (!res.ok) {
      button.disabled = false;
      window.alert(`Could not revert: ${await failure(res)}`);
      return;
    }
    await refreshList();
  });
})();
