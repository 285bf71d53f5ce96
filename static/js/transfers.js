// Follows a running import or export job: the counts update as the worker reports them, and the page
// reloads with the preview or result when the job is done. Without JavaScript, the Refresh link does it.
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box || box.dataset.running !== "true") return;
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        box.querySelector(".job-status").textContent = job.label;
        box.querySelectorAll("[data-count]").forEach(function (node) {
          node.textContent = job[node.dataset.count];
        });
        if (job.running) window.setTimeout(poll, 1000);
        else window.location.reload();
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
