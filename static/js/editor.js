// Progressive enhancement for the job-description editor and the forms that name positions or people.
// Without it every form still works: rows have order numbers and a Remove box, a new empty row
// appears after each save, "Find" beside a position or person field lists the matches to choose
// from, and the server says when a text is too long. With it: add rows, remove them, reorder by drag
// and drop or with the arrow buttons, see the KPI weight and time-share totals and the length of
// each text as you type, pick positions and people from suggestions, split a pasted list into rows,
// and go from the error summary to each field in error. The server checks everything again.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Texts in the page's language, given by the template on the element (data-*), else in English.
  function text(element, name, fallback, values) {
    var found = element && element.closest("[data-" + name + "]");
    var template = (found && found.getAttribute("data-" + name)) || fallback;
    return template.replace(/\{(\w+)\}/g, function (_all, key) { return values && key in values ? values[key] : ""; });
  }
  function number(value) {
    return Number(value).toLocaleString(document.documentElement.lang || undefined);
  }
  // One polite live region for what the script does (rows split, suggestions found).
  var announcer = document.createElement("div");
  announcer.className = "visually-hidden";
  announcer.setAttribute("role", "status");
  document.body.appendChild(announcer);
  function announce(message) {
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = message; }, 50);
  }

  // ---------------------------------------------------------------------------------------------
  // Pasted lists. Pure functions, also tested on their own in the browser
  // (tests/functional/test_editing.py): window.portalEditor.stripListNumber and .pastedLines.
  //
  // stripListNumber removes one list number or bullet at the start of a line and keeps the rest:
  //   "1、接听电话" "1. 接听电话" "1) 接听电话" "1）接听电话" "（1）接听电话" "(1) 接听电话"
  //   "（一）接听电话" "一、接听电话" "① 接听电话" "• 接听电话" "· 接听电话" "１．接听电话" "1.2 接听电话"
  //   all give "接听电话"; text that only starts with a number is left alone: "1.5小时内响应",
  //   "10:00前完成日报", "100%完成", "2024年计划", "-5℃环境", "一线人员培训", "十分重要".
  var DIGITS = "[0-9\uFF10-\uFF19]+";
  var CHINESE_NUMBER = "[一二三四五六七八九十百零〇]+";
  var LIST_MARK = new RegExp("^\\s*(?:" + [
    "[(\uFF08]\\s*(?:" + DIGITS + "|" + CHINESE_NUMBER + ")\\s*[)\uFF09]",  // (1) （1） （一）
    DIGITS + "(?:[.\uFF0E]" + DIGITS + ")*\\s*[、.\uFF0E)\uFF09](?![0-9\uFF10-\uFF19])",  // 1、 1. 1) 1） 1.2.
    DIGITS + "(?:[.\uFF0E]" + DIGITS + ")+(?=\\s)",  // 1.2 followed by a space
    CHINESE_NUMBER + "\\s*[、.\uFF0E]",  // 一、
    "[\u2460-\u249B\u24EB-\u24FF\u2776-\u2793]",  // ① ⑴ ⒈ ❶ and the other circled numbers
    "[•·●○◦▪■□◆◇►▶※\u2022\u30FB]",  // bullets
    "[-–—*](?=\\s)"  // a dash or star followed by a space
  ].join("|") + ")\\s*");

  function stripListNumber(line) {
    return line.replace(LIST_MARK, "").trim();
  }
  // The lines of a pasted text that say something, each without its list number.
  function pastedLines(pasted) {
    return pasted.split(/\r\n|\r|\n/).map(stripListNumber).filter(function (line) { return line !== ""; });
  }
  window.portalEditor = { stripListNumber: stripListNumber, pastedLines: pastedLines };

  // ---------------------------------------------------------------------------------------------
  // Rows of the list sections.

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
  function hundredths(value) {
    value = (value || "").trim().replace(/[%％]$/, "");
    if (value === "") { return null; }
    var parsed = Number(value);
    return isFinite(parsed) ? Math.round(parsed * 100) : NaN;
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

  // A new empty row from the section's blueprint, after `after` (a row) or at the end.
  function addRow(fieldset, after) {
    var list = fieldset.querySelector(".row-list");
    var total = fieldset.querySelector('input[name$="-TOTAL_FORMS"]');
    var index = Number(total.value);
    var holder = document.createElement("ol");
    holder.innerHTML = fieldset.querySelector("template.empty-row").innerHTML.replace(/__prefix__/g, String(index));
    var row = holder.firstElementChild;
    list.insertBefore(row, after ? after.nextSibling : null);
    total.value = String(index + 1);
    return row;
  }

  function setUp(fieldset) {
    var list = fieldset.querySelector(".row-list");
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
        var added = addRow(fieldset, null);
        renumber(fieldset);
        var first = added.querySelector("textarea, input:not([type=hidden]), select");
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

    // Several lines pasted into one line field: offer to make a row of each (a prompt beside the
    // field, with buttons; focus stays in the field, the offer is announced). The paste itself is
    // the browser's, so "Keep as one" leaves the text exactly as pasted, line breaks and all.
    fieldset.addEventListener("paste", function (event) {
      var field = event.target;
      if (!field.matches || !field.matches("textarea[data-split]")) { return; }
      var data = event.clipboardData || window.clipboardData;
      var pasted = data ? data.getData("text") : "";
      if (pastedLines(pasted).length < 2) { return; }
      window.setTimeout(function () { offerSplit(fieldset, field); }, 0);
    });
    fieldset.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && event.target.matches && event.target.matches("textarea[data-split]")) {
        removeOffer(event.target.closest(".row"));
      }
    });
  }

  function removeOffer(row) {
    var offer = row && row.querySelector(".split-offer");
    if (offer) { offer.parentNode.removeChild(offer); }
  }

  function offerSplit(fieldset, field) {
    var row = field.closest(".row");
    var lines = pastedLines(field.value);
    removeOffer(row);
    if (lines.length < 2) { return; }
    var values = { count: lines.length };
    var offer = document.createElement("div");
    offer.className = "split-offer";
    offer.setAttribute("role", "group");
    var question = document.createElement("p");
    question.id = field.id + "_split";
    question.textContent = text(field, "split-offer",
      "{count} lines were pasted. Make a row of each? List numbers such as 1、 （一） ① are removed.", values);
    offer.setAttribute("aria-labelledby", question.id);
    var yes = document.createElement("button");
    yes.type = "button";
    yes.className = "split-yes";
    yes.textContent = text(field, "split-yes", "Split into {count} rows", values);
    var no = document.createElement("button");
    no.type = "button";
    no.className = "split-no";
    no.textContent = text(field, "split-no", "Keep as one", values);
    offer.appendChild(question);
    offer.appendChild(yes);
    offer.appendChild(no);
    field.closest(".cell").appendChild(offer);
    announce(question.textContent);

    no.addEventListener("click", function () {
      removeOffer(row);
      field.rows = Math.min(Math.max(field.rows, lines.length), 10);  // show the lines kept in one row
      field.focus();
    });
    yes.addEventListener("click", function () {
      var current = pastedLines(field.value);  // as it is now, had it been edited since the paste
      var suffix = field.name.slice(field.name.lastIndexOf("-"));
      removeOffer(row);
      field.value = current[0];
      var previous = row;
      current.slice(1).forEach(function (line) {
        previous = addRow(fieldset, previous);
        previous.querySelector('[name$="' + suffix + '"]').value = line;
      });
      renumber(fieldset);
      updateTotals(fieldset);
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.focus();
      announce(text(field, "split-done", "{count} rows made from the pasted lines.", { count: current.length }));
    });
  }

  document.querySelectorAll("fieldset.rows[data-formset]").forEach(setUp);

  // ---------------------------------------------------------------------------------------------
  // Texts and their limits: a count under the field instead of the browser's silent cut. Shown for
  // the long texts of the header always, for the others once they come near the limit.

  function codePoints(value) {
    return Array.from(value.trim()).length;  // as the server counts (a character outside the BMP is one)
  }
  function updateCount(field) {
    var limit = Number(field.getAttribute("data-limit"));
    var count = codePoints(field.value);
    var always = field.tagName === "TEXTAREA" && !field.closest(".row");
    var near = count >= limit * 0.9;
    var counter = document.getElementById(field.id + "_count");
    if (!counter) {
      if (!always && !near) { return; }
      counter = document.createElement("small");
      counter.id = field.id + "_count";
      counter.className = "char-count";
      counter.setAttribute("aria-hidden", "true");  // read out by the live region below, once typing pauses
      var live = document.createElement("span");
      live.className = "visually-hidden";
      live.id = field.id + "_count_live";
      live.setAttribute("aria-live", "polite");
      field.parentNode.insertBefore(live, field.nextSibling);
      field.parentNode.insertBefore(counter, field.nextSibling);
    }
    var over = count - limit;
    var values = { count: number(count), limit: number(limit), over: number(over) };
    counter.textContent = over > 0
      ? text(field, "count-over", "{count} / {limit} characters: {over} too many", values)
      : text(field, "count", "{count} / {limit} characters", values);
    counter.classList.toggle("over", over > 0);
    counter.hidden = !always && !near;
    field.classList.toggle("too-long", over > 0);
    window.clearTimeout(field.countTimer);
    if (near) {
      field.countTimer = window.setTimeout(function () {
        document.getElementById(field.id + "_count_live").textContent = counter.textContent;
      }, 800);
    }
  }
  document.addEventListener("input", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-limit") && event.target.id) {
      updateCount(event.target);
    }
  });
  document.querySelectorAll("[data-limit]").forEach(function (field) {
    if (field.id && !field.closest("template")) { updateCount(field); }
  });

  // ---------------------------------------------------------------------------------------------
  // The error summary: focus on it when the page opens (autofocus does it too), and its links move
  // focus to the field they name (a link alone would only scroll), or to the first field of a row
  // or section.

  // After the load too: opening a page at a fragment (#holders) moves the focus to it, and blocks autofocus.
  function focusOnLoad() {
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary && document.activeElement !== summary) { summary.focus(); }
  }
  focusOnLoad();
  window.addEventListener("load", function () { window.setTimeout(focusOnLoad, 0); });
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".error-summary a[href^='#']");
    if (!link) { return; }
    var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!target) { return; }
    var control = target;
    if (!target.matches("input, select, textarea") || target.offsetParent === null) {
      var scope = target.offsetParent === null ? (target.closest(".row") || target.closest("fieldset")) : target;
      control = Array.prototype.slice.call(scope.querySelectorAll("input, select, textarea")).filter(function (el) {
        return el.type !== "hidden" && el.offsetParent !== null;
      })[0];
    }
    if (!control) { return; }
    event.preventDefault();
    var label = control.id && document.querySelector('label[for="' + control.id + '"]');
    (label || control).scrollIntoView({ block: "center" });
    control.focus({ preventScroll: true });
  });

  // ---------------------------------------------------------------------------------------------
  // Pickers: a field with data-search (a position or a person) suggests matches as one types, as an
  // ARIA combobox: arrow keys move through the list, Enter takes one, Escape closes it. In a field of
  // several codes (data-multiple), a choice replaces the part after the last comma.

  var SEPARATORS = /\s*[,，;；、]\s*/;
  var pickers = 0;
  function setUpPicker(input) {
    var url = input.getAttribute("data-search");
    var multiple = input.getAttribute("data-multiple") === "1";
    var label = input.id && document.querySelector('label[for="' + input.id + '"]');
    var listbox = document.createElement("ul");
    listbox.id = (input.id || "picker-" + (pickers += 1)) + "_suggestions";
    listbox.className = "suggestions";
    listbox.setAttribute("role", "listbox");
    if (label) { listbox.setAttribute("aria-label", label.textContent.trim()); }
    listbox.hidden = true;
    input.parentNode.classList.add("picker");
    input.parentNode.insertBefore(listbox, input.nextSibling);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);
    var results = [], active = -1, timer = null, asked = 0;

    function term() {
      var parts = multiple ? input.value.split(SEPARATORS) : [input.value];
      return parts[parts.length - 1].trim();
    }
    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      var options = listbox.children;
      if (!options.length) { return; }
      active = (index + options.length) % options.length;
      Array.prototype.forEach.call(options, function (option, i) {
        option.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    }
    function show(found) {
      results = found;
      listbox.innerHTML = "";
      found.forEach(function (item, index) {
        var option = document.createElement("li");
        option.id = listbox.id + "_" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.setAttribute("data-index", String(index));
        var name = document.createElement("span");
        name.className = "label";
        name.textContent = item.label;
        option.appendChild(name);
        if (item.detail) {
          var detail = document.createElement("span");
          detail.className = "detail";
          detail.textContent = " " + item.detail;
          option.appendChild(detail);
        }
        listbox.appendChild(option);
      });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (!found.length) {
        close();
        announce(text(input, "none", "Nothing matches."));
        return;
      }
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
      announce(text(input, "found", "{count} matches: choose one with the up and down arrow keys and Enter.",
        { count: found.length }));
    }
    function choose(index) {
      var value = results[index].value;
      if (multiple) {
        var parts = input.value.split(SEPARATORS);
        parts[parts.length - 1] = value;
        input.value = parts.filter(function (part) { return part !== ""; }).join(", ");
      } else {
        input.value = value;
      }
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
      input.focus();
    }
    function ask() {
      var wanted = term();
      if (!wanted) { close(); return; }
      var number = (asked += 1);
      fetch(url + "?q=" + encodeURIComponent(wanted), {
        credentials: "same-origin", headers: { Accept: "application/json" }
      }).then(function (response) {
        return response.ok ? response.json() : { results: [] };
      }).then(function (data) {
        if (number === asked && document.activeElement === input) { show(data.results || []); }
      }).catch(function () { close(); });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 200);
    });
    input.addEventListener("keydown", function (event) {
      var open = !listbox.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!open) {
          if (results.length) { listbox.hidden = false; input.setAttribute("aria-expanded", "true"); } else { ask(); return; }
        }
        highlight(event.key === "ArrowDown" ? active + 1 : (active < 0 ? -1 : active - 1));
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();  // take the suggestion, not send the form
        choose(active);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);
    listbox.addEventListener("mousedown", function (event) { event.preventDefault(); });  // keep focus in the field
    listbox.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) { choose(Number(option.getAttribute("data-index"))); }
    });
  }
  document.querySelectorAll("input[data-search]").forEach(setUpPicker);
})();
