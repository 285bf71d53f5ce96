// Progressive enhancement for the job-description editor. Without it the form still works:
// rows have order numbers and a Remove box, and a new empty row appears after each save.
// With it: add rows, remove them, reorder by drag and drop or with the arrow buttons, see the
// KPI weight and time-share totals as you type, and pick positions by searching. The server
// checks everything again.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function rows(fieldset) {
    return Array.prototype.slice.call(fieldset.querySelectorAll(".row-list > .row"));
  }
  function isRemoved(row) {
    var box = row.querySelector('input[name$="-DELETE"]');
    return Boolean(box && box.checked);
  }
  function keptRows(fieldset) {
    return rows(fieldset).filter(function (row) { return !isRemoved(row); });
  }
  function renumber(fieldset) {
    keptRows(fieldset).forEach(function (row, index) {
      var order = row.querySelector('input[name$="-ORDER"]');
      if (order) { order.value = index + 1; }
    });
  }
  // Percentages as whole hundredths, so 33.33 + 33.33 + 33.34 is exactly 100.
  function hundredths(text) {
    text = (text || "").trim().replace(/[%％]$/, "");
    if (text === "") { return null; }
    var number = Number(text);
    return isFinite(number) ? Math.round(number * 100) : NaN;
  }
  function updateTotals(fieldset) {
    fieldset.querySelectorAll("output.total").forEach(function (output) {
      var kind = output.getAttribute("data-sum");
      var sum = 0, given = 0, unreadable = false;
      keptRows(fieldset).forEach(function (row) {
        var input = row.querySelector("input." + kind);
        if (!input) { return; }
        var value = hundredths(input.value);
        if (value === null) { return; }
        if (isNaN(value)) { unreadable = true; return; }
        given += 1;
        sum += value;
      });
      var shown = unreadable ? "?" : String(sum / 100);
      output.textContent = output.getAttribute("data-label") + "：" + shown + "%";
      output.classList.toggle("off", unreadable || (given > 0 && sum !== 10000));
      output.classList.toggle("ok", !unreadable && given > 0 && sum === 10000);
    });
  }

  function setUp(fieldset) {
    var list = fieldset.querySelector(".row-list");
    var template = fieldset.querySelector("template.empty-row");
    var total = fieldset.querySelector('input[name$="-TOTAL_FORMS"]');
    fieldset.classList.add("enhanced");
    rows(fieldset).forEach(function (row) { row.classList.toggle("removed", isRemoved(row)); });
    renumber(fieldset);
    updateTotals(fieldset);

    fieldset.addEventListener("input", function () { updateTotals(fieldset); });
    fieldset.addEventListener("change", function (event) {
      var name = event.target.name || "";
      if (name.slice(-7) === "-DELETE") {
        event.target.closest(".row").classList.toggle("removed", event.target.checked);
        renumber(fieldset);
      }
      updateTotals(fieldset);
    });
    fieldset.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) { return; }
      var row = button.closest(".row");
      if (button.classList.contains("move-up") && row.previousElementSibling) {
        list.insertBefore(row, row.previousElementSibling);
        renumber(fieldset);
        button.focus();
      } else if (button.classList.contains("move-down") && row.nextElementSibling) {
        list.insertBefore(row.nextElementSibling, row);
        renumber(fieldset);
        button.focus();
      } else if (button.classList.contains("add-row")) {
        var index = Number(total.value);
        list.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
        total.value = String(index + 1);
        renumber(fieldset);
        var first = list.lastElementChild.querySelector("textarea, input:not([type=hidden]), select");
        if (first) { first.focus(); }
      }
    });

    // Drag and drop, started from a row's handle only (so text in the fields can still be selected).
    var dragged = null;
    list.addEventListener("mousedown", function (event) {
      var handle = event.target.closest(".handle");
      if (handle) { handle.closest(".row").setAttribute("draggable", "true"); }
    });
    list.addEventListener("dragstart", function (event) {
      dragged = event.target.closest(".row");
      if (!dragged) { return; }
      dragged.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", "");
    });
    list.addEventListener("dragover", function (event) {
      if (!dragged) { return; }
      event.preventDefault();
      var row = event.target.closest(".row");
      if (!row || row === dragged) { return; }
      var box = row.getBoundingClientRect();
      list.insertBefore(dragged, event.clientY > box.top + box.height / 2 ? row.nextSibling : row);
    });
    list.addEventListener("dragend", function () {
      if (dragged) {
        dragged.classList.remove("dragging");
        dragged.removeAttribute("draggable");
      }
      dragged = null;
      renumber(fieldset);
    });
  }
  document.querySelectorAll("fieldset.rows[data-formset]").forEach(setUp);

  // Position pickers: suggestions from the API's search while typing a code (or several, comma-separated).
  var pickers = 0;
  document.querySelectorAll("input.position-ref").forEach(function (input) {
    var url = input.getAttribute("data-search");
    if (!url) { return; }
    var list = document.createElement("datalist");
    list.id = "position-suggestions-" + (pickers += 1);
    input.setAttribute("list", list.id);
    input.parentNode.appendChild(list);
    var multiple = input.getAttribute("data-multiple") === "1";
    var timer = null;
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var parts = input.value.split(/[,，、]/);
        var term = parts[parts.length - 1].trim();
        if (term.length < 1) { return; }
        var prefix = multiple ? parts.slice(0, -1).map(function (p) { return p.trim(); }).filter(Boolean) : [];
        fetch(url + "?page_size=10&q=" + encodeURIComponent(term), { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) {
            list.innerHTML = "";
            (data.results || []).forEach(function (position) {
              var option = document.createElement("option");
              option.value = prefix.concat([position.code]).join(", ");
              option.label = position.code + " " + position.title;
              list.appendChild(option);
            });
          });
      }, 250);
    });
  });
})();
