// The customer portal: a job's status changes on the page the moment staff
// move it (Server-Sent Events from /portal/api/events). Without this script
// the page shows the status as of its loading.
"use strict";

(() => {
  if (!document.querySelector("[data-live-jobs]") || !window.EventSource) {
    return;
  }
  const labels = {
    scheduled: "Scheduled",
    en_route: "En route",
    in_progress: "In progress",
    completed: "Completed",
    cancelled: "Cancelled",
  };
  const source = new EventSource("/portal/api/events");
  source.addEventListener("job_status", (event) => {
    const change = JSON.parse(event.data);
    for (const badge of document.querySelectorAll("[data-job-status]")) {
      if (badge.dataset.jobStatus === change.job_id) {
        badge.textContent = labels[change.status] || change.status;
      }
    }
  });
})();
