// Progressive enhancement for the org chart: expand/collapse all, and reveal the first search match.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var chart = document.querySelector(".org-chart");
  if (!chart) { return; }
  document.querySelectorAll("[data-expand]").forEach(function (button) {
    button.addEventListener("click", function () {
      var open = button.getAttribute("data-expand") === "all";
      chart.querySelectorAll("details").forEach(function (details) { details.open = open; });
    });
  });
  var match = chart.querySelector(".box.match");
  if (match) { match.scrollIntoView({ block: "center" }); }
})();
