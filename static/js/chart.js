// Progressive enhancement for the org chart: expand/collapse all, reveal the first search match,
// and for HR editors drag and drop a box onto another to move it there (the "Move under…" link
// on each box is the way without JavaScript).
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

  if (chart.getAttribute("data-movable") !== "1") { return; }
  var dragged = null;
  chart.querySelectorAll(".box[data-code]").forEach(function (box) {
    box.setAttribute("draggable", "true");
    box.addEventListener("dragstart", function (event) {
      dragged = box;
      box.classList.add("dragging");
      event.dataTransfer.setData("text/plain", box.getAttribute("data-code"));
      event.dataTransfer.effectAllowed = "move";
    });
    box.addEventListener("dragend", function () {
      box.classList.remove("dragging");
      dragged = null;
    });
    box.addEventListener("dragover", function (event) {
      if (dragged && dragged !== box) { event.preventDefault(); box.classList.add("drop-target"); }
    });
    box.addEventListener("dragleave", function () { box.classList.remove("drop-target"); });
    box.addEventListener("drop", function (event) {
      event.preventDefault();
      box.classList.remove("drop-target");
      if (!dragged || dragged === box) { return; }
      move(dragged, box.getAttribute("data-code"));
    });
  });

  function move(box, superior) {
    var link = box.querySelector("a.move");
    var body = new URLSearchParams();
    body.append("superior", superior);
    fetch(link.getAttribute("href"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": chart.getAttribute("data-csrf"), "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (result.ok) {
        window.location.reload();
      } else {
        window.alert(chart.getAttribute("data-move-refused") + " " + (result.data.errors || []).join(" "));
      }
    });
  }
})();
