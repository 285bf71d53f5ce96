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

  // The server decides whether a move needs confirming (a post with reports moves them all): it
  // answers 409 with the question, asked here in the page, and the move is sent again once confirmed.
  function move(box, superior, confirmed) {
    var link = box.querySelector("a.move");
    var body = new URLSearchParams();
    body.append("superior", superior);
    body.append("where", "under");
    // The version the page was drawn at: a post someone else moved or saved since is not moved blindly.
    body.append("version", box.getAttribute("data-version"));
    if (confirmed) { body.append("confirmed", "1"); }
    fetch(link.getAttribute("href"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": chart.getAttribute("data-csrf"), "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    }).then(function (result) {
      if (result.status === 200) {
        window.location.reload();
      } else if (result.status === 409) {
        ask(result.data.confirm, box, function () { move(box, superior, true); });
      } else {
        tell(chart.getAttribute("data-move-refused") + " " + (result.data.errors || []).join(" "), box);
      }
    });
  }

  var panel = null;
  function close() {
    if (panel) { panel.remove(); panel = null; }
  }
  function show(text, box, buttons) {
    close();
    panel = document.createElement("div");
    panel.className = "move-confirm";
    panel.setAttribute("role", "alertdialog");
    panel.setAttribute("aria-labelledby", "move-confirm-text");
    var message = document.createElement("p");
    message.id = "move-confirm-text";
    message.textContent = text;
    panel.appendChild(message);
    buttons.forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = spec.label;
      if (spec.primary) { button.className = "primary"; }
      button.addEventListener("click", function () { close(); if (spec.then) { spec.then(); } else { box.focus(); } });
      panel.appendChild(button);
    });
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { close(); }
    });
    chart.parentNode.insertBefore(panel, chart);
    panel.scrollIntoView({ block: "nearest" });
    panel.querySelector("button").focus();
  }
  function ask(question, box, yes) {
    show(question, box, [
      { label: chart.getAttribute("data-move-confirm"), primary: true, then: yes },
      { label: chart.getAttribute("data-move-cancel") }
    ]);
  }
  function tell(text, box) {
    show(text, box, [{ label: chart.getAttribute("data-move-close"), primary: true }]);
  }
})();
