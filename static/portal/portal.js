/*
 * 业绩补录平台 — the enterprise portal's small scripts (plain JavaScript, no framework).
 *
 * 1. Rows (单体, 审图人员, 参建单位, 单位人员) are added and removed in place. New rows take the next free index
 *    and are never renumbered (the server orders rows by index and refers to a new unit as "#<position>").
 * 2. 工程用途 follows 项目分类: options carry data-types and the list shows those of the chosen category.
 * 3. Region picker: province → city → county, children fetched from /portal/regions/<code>/.
 * 4. Nothing typed is lost (issue 4 item 4). The record form is copied to localStorage under
 *    "yeji-portal:record:<id>" on every change, with the version of the page it was typed on. When the page loads:
 *    - after the user's own successful save (?saved=1) an older copy is dropped (the server has it);
 *    - a copy typed on the version the server still has is put back at once (a save that never reached the server,
 *      e.g. because the session had expired and the user had to log in again), with a banner to discard it;
 *    - a copy typed on an older version (another tab or colleague saved since) is offered, not applied;
 *    - a read-only (submitted or decided) record drops its copy.
 *    The copy never leaves the browser; the server only ever receives what the user saves.
 * 5. "Submit for review" is held back while the form has unsaved changes.
 * 6. Dates stay text inputs (the clerk may type 2015/3/8 or 2015年3月8日; the server reads them, projects.inputs);
 *    a calendar button beside each opens the browser's own date picker and writes the chosen day as 2015-03-08.
 * 7. The messages of the record page (已保存 …) stay in view as a toast (portal.css) with a close button.
 */
(function () {
  "use strict";

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_m, key) { return values[key] === undefined ? "" : values[key]; });
  }

  // ---------------------------------------------------------------------------------------------------------
  // 2. 工程用途 follows 项目分类
  // ---------------------------------------------------------------------------------------------------------
  function filterFunctions(select) {
    var source = document.getElementById(select.getAttribute("data-follows"));
    if (!source) { return; }
    var type = source.value;
    $all("option", select).forEach(function (option) {
      var types = option.getAttribute("data-types");
      var fits = !option.value || !type || !types || types.split(" ").indexOf(type) >= 0;
      option.hidden = !fits;
      option.disabled = !fits && !option.selected;
    });
  }
  function initFunctionFilter(root) {
    $all("select[data-follows]", root).forEach(function (select) {
      var source = document.getElementById(select.getAttribute("data-follows"));
      if (!source) { return; }
      source.addEventListener("change", function () {
        var chosen = select.options[select.selectedIndex];
        var types = chosen && chosen.getAttribute("data-types");
        if (chosen && chosen.value && source.value && types && types.split(" ").indexOf(source.value) < 0) {
          select.value = "";
        }
        filterFunctions(select);
      });
      filterFunctions(select);
    });
  }

  // ---------------------------------------------------------------------------------------------------------
  // 3. Region picker
  // ---------------------------------------------------------------------------------------------------------
  function fillSelect(select, regions, chosen) {
    var first = select.options[0];
    select.innerHTML = "";
    select.appendChild(first);
    regions.forEach(function (r) {
      var option = document.createElement("option");
      option.value = r.code;
      option.textContent = r.name;
      option.setAttribute("data-level", r.level);
      if (r.code === chosen) { option.selected = true; }
      select.appendChild(option);
    });
    select.hidden = regions.length === 0;
  }
  function fetchChildren(picker, code) {
    var url = picker.getAttribute("data-url").replace("CODE", encodeURIComponent(code));
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { regions: [] }; })
      .then(function (data) { return data.regions; });
  }
  function regionLevelOf(select) {
    var option = select.options[select.selectedIndex];
    return option ? parseInt(option.getAttribute("data-level") || "0", 10) : 0;
  }
  function initRegionPicker(picker) {
    var value = $(".region-value", picker);
    var levels = $all("select.region-level", picker);
    levels.forEach(function (select, depth) {
      select.addEventListener("change", function () {
        var code = select.value;
        for (var i = depth + 1; i < levels.length; i++) { fillSelect(levels[i], [], ""); }
        var isCounty = code && (depth === 2 || regionLevelOf(select) === 3 || /^\d{4}(?!00)\d{2}$/.test(code));
        value.value = isCounty ? code : "";
        value.dispatchEvent(new Event("change", { bubbles: true }));
        if (code && !isCounty && depth + 1 < levels.length) {
          fetchChildren(picker, code).then(function (regions) { fillSelect(levels[depth + 1], regions, ""); });
        }
      });
    });
    picker.setCode = function (code) {  // used when unsaved input is put back
      value.value = code || "";
      if (!code || code.length !== 6) { return Promise.resolve(); }
      var province = code.slice(0, 2) + "0000";
      var city = code.slice(0, 4) + "00";
      levels[0].value = province;
      return fetchChildren(picker, province).then(function (cities) {
        var direct = cities.some(function (r) { return r.code === code; });
        fillSelect(levels[1], cities, direct ? code : city);
        if (direct) { fillSelect(levels[2], [], ""); return null; }
        return fetchChildren(picker, city).then(function (counties) { fillSelect(levels[2], counties, code); });
      });
    };
  }

  // ---------------------------------------------------------------------------------------------------------
  // 1. Rows
  // ---------------------------------------------------------------------------------------------------------
  function renumber(container) {
    $all(":scope > .row-card", container).forEach(function (card, i) {
      var number = $(".row-number", card);
      if (number) { number.textContent = String(i + 1); }
    });
    var empty = $(":scope > .no-rows", container);
    if (empty) { empty.hidden = $all(":scope > .row-card", container).length > 0; }
  }
  function refreshUnitChoices() {
    var units = $("#p-units");
    if (!units) { return; }
    var choices = [];
    $all(":scope > .row-card", units).forEach(function (card, i) {
      var index = card.getAttribute("data-index");
      var idInput = card.querySelector('input[name="units[' + index + '].id"]');
      var nameInput = card.querySelector('[name="units[' + index + '].sub_prj_name"]');
      var ref = idInput && idInput.value ? idInput.value : "#" + index;
      var label = nameInput && nameInput.value ? nameInput.value : (units.getAttribute("data-row-label") + " " + (i + 1));
      choices.push({ value: ref, label: label });
    });
    $all("select.unit-ref").forEach(function (select) {
      if (select.closest("template")) { return; }
      var current = select.value;
      var first = select.options[0];
      select.innerHTML = "";
      select.appendChild(first);
      choices.forEach(function (c) {
        var option = document.createElement("option");
        option.value = c.value;
        option.textContent = c.label;
        if (c.value === current) { option.selected = true; }
        select.appendChild(option);
      });
    });
  }
  function addRow(container, index) {
    var part = container.getAttribute("data-part");
    var template = document.getElementById("tpl-" + part);
    if (!template) { return null; }
    if (index === undefined) {
      index = parseInt(container.getAttribute("data-next-index") || "0", 10);
    }
    container.setAttribute("data-next-index", String(Math.max(index + 1, parseInt(container.getAttribute("data-next-index") || "0", 10))));
    var html = template.innerHTML.replace(/__i__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var card = holder.firstElementChild;
    var button = $(":scope > .add-row", container);
    container.insertBefore(card, template);
    initFunctionFilter(card);
    initDatePickers(card, container.closest("form"));
    renumber(container);
    if (button) { container.appendChild(button); }
    if (part === "units") { refreshUnitChoices(); } else if (part === "corps") { refreshUnitChoices(); }
    return card;
  }
  function initRows(form) {
    form.addEventListener("click", function (event) {
      var add = event.target.closest(".add-row");
      if (add) {
        var card = addRow(add.closest(".rows"));
        var first = card && card.querySelector("input:not([type=hidden]), select, textarea");
        if (first) { first.focus(); }
        form.dispatchEvent(new Event("input"));
        return;
      }
      var remove = event.target.closest(".remove-row");
      if (remove) {
        var container = remove.closest(".rows");
        remove.closest(".row-card").remove();
        renumber(container);
        if (container.getAttribute("data-part") === "units") { refreshUnitChoices(); }
        form.dispatchEvent(new Event("input"));
      }
    });
    form.addEventListener("change", function (event) {
      if (/^units\[\d+\]\.sub_prj_name$/.test(event.target.name || "")) { refreshUnitChoices(); }
    });
  }

  // ---------------------------------------------------------------------------------------------------------
  // 4. Autosave in this browser
  // ---------------------------------------------------------------------------------------------------------
  function snapshot(form) {
    var fields = {};
    $all("input[name], select[name], textarea[name]", form).forEach(function (el) {
      if (el.closest("template") || el.name === "csrfmiddlewaretoken" || el.name === "version" ||
          el.name === "anchor" || el.name === "rows") { return; }
      fields[el.name] = el.value;
    });
    var rows = {};
    $all(".rows", form).forEach(function (container) {
      rows[container.getAttribute("data-part")] = $all(":scope > .row-card", container).map(function (card) {
        return card.getAttribute("data-index");
      });
    });
    return { fields: fields, rows: rows };
  }
  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  function applySnapshot(form, snap) {
    Object.keys(snap.rows || {}).forEach(function (part) {
      var container = form.querySelector('.rows[data-part="' + part + '"]');
      if (!container) { return; }
      var wanted = snap.rows[part];
      $all(":scope > .row-card", container).forEach(function (card) {
        if (wanted.indexOf(card.getAttribute("data-index")) < 0) { card.remove(); }
      });
      wanted.forEach(function (index) {
        if (!container.querySelector(':scope > .row-card[data-index="' + index + '"]')) {
          addRow(container, parseInt(index, 10));
        }
      });
      renumber(container);
    });
    refreshUnitChoices();
    var pending = [];
    Object.keys(snap.fields).forEach(function (name) {
      var el = form.querySelector('[name="' + name.replace(/"/g, '\\"') + '"]');
      if (!el || el.value === snap.fields[name]) { return; }
      if (el.classList.contains("region-value")) {
        var picker = el.closest(".region-picker");
        if (picker && picker.setCode) { pending.push(picker.setCode(snap.fields[name])); }
        return;
      }
      el.value = snap.fields[name];
    });
    refreshUnitChoices();
    Object.keys(snap.fields).forEach(function (name) {  // unit references once the units exist
      var el = form.querySelector('select.unit-ref[name="' + name + '"]');
      if (el) { el.value = snap.fields[name]; }
    });
    $all("select[data-follows]", form).forEach(filterFunctions);
    return Promise.all(pending);
  }

  function initAutosave(form) {
    var key = "yeji-portal:record:" + form.getAttribute("data-record");
    var version = parseInt(form.getAttribute("data-version"), 10);
    var status = document.getElementById("autosave-status");
    var banner = document.getElementById("restore-banner");
    var storage;
    try { storage = window.localStorage; } catch (e) { storage = null; }
    if (!storage) { return { dirty: function () { return false; } }; }

    function read() { try { return JSON.parse(storage.getItem(key) || "null"); } catch (e) { return null; } }
    function drop() { storage.removeItem(key); }

    if (form.getAttribute("data-editable") !== "1") { drop(); return { dirty: function () { return false; } }; }

    var params = new URLSearchParams(window.location.search);
    var saved = read();
    if (params.has("saved")) {
      if (saved && saved.version < version) { drop(); saved = null; }
      params.delete("saved");
      var query = params.toString();
      window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
    }
    var baseline = snapshot(form);

    var olderPending = false;
    function showBanner(kind, when) {
      olderPending = kind !== "restored";
      var text = banner.getAttribute(kind === "restored" ? "data-text-restored" : "data-text-older");
      $(".restore-text", banner).textContent = fmt(text, { time: when });
      $("#restore-apply", banner).hidden = kind === "restored";
      banner.hidden = false;
    }
    if (saved && !same(saved.data, baseline)) {
      var when = new Date(saved.time).toLocaleString();
      if (saved.version === version) {
        applySnapshot(form, saved.data);
        showBanner("restored", when);
      } else if (saved.version < version) {
        showBanner("older", when);
      }
    }
    $("#restore-apply", banner).addEventListener("click", function () {
      var copy = read();
      olderPending = false;
      banner.hidden = true;
      if (copy) { applySnapshot(form, copy.data).then(store); }
    });
    $("#restore-discard", banner).addEventListener("click", function () {
      olderPending = false;
      drop();
      banner.hidden = true;
      window.location.reload();
    });

    var timer = null;
    function store() {
      timer = null;
      if (olderPending) { return; }  // an older copy waits for the user's decision: do not overwrite it
      var data = snapshot(form);
      if (same(data, baseline)) {
        drop();
        if (status) { status.textContent = ""; }
        return;
      }
      try {
        storage.setItem(key, JSON.stringify({ version: version, time: Date.now(), data: data }));
      } catch (e) { return; }
      if (status) {
        status.textContent = fmt(form.getAttribute("data-autosaved-text"), { time: new Date().toLocaleTimeString() });
      }
    }
    function schedule() { if (timer) { clearTimeout(timer); } timer = setTimeout(store, 400); }
    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    form.addEventListener("submit", function () {
      if (timer) { clearTimeout(timer); }
      store();
    });
    return {
      dirty: function () { return !same(snapshot(form), baseline); },
    };
  }

  // ---------------------------------------------------------------------------------------------------------
  // Section index: remember where the user was, highlight the section in view
  // ---------------------------------------------------------------------------------------------------------
  function initIndex(form) {
    var anchorInput = form.querySelector('input[name="anchor"]');
    var links = $all(".section-index a");
    if (!("IntersectionObserver" in window) || !links.length) { return; }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) { return; }
        links.forEach(function (a) {
          var current = a.getAttribute("href") === "#" + entry.target.id;
          if (current) { a.setAttribute("aria-current", "location"); } else { a.removeAttribute("aria-current"); }
        });
        if (anchorInput) { anchorInput.value = entry.target.id; }
      });
    }, { rootMargin: "-20% 0px -70% 0px" });
    $all("section.section").forEach(function (s) { observer.observe(s); });
  }

  // ---------------------------------------------------------------------------------------------------------
  // 6. Date pickers beside the date inputs
  // ---------------------------------------------------------------------------------------------------------
  var DATE_FORMS = [
    /^\s*(\d{4})\s*[-\/.]\s*(\d{1,2})\s*[-\/.]\s*(\d{1,2})\s*$/,
    /^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?\s*$/,
    /^\s*(\d{4})(\d{2})(\d{2})\s*$/
  ];
  function isoDate(text) {
    var tidy = (text || "").replace(/[\uFF10-\uFF19]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xFEE0); });
    for (var i = 0; i < DATE_FORMS.length; i++) {
      var m = DATE_FORMS[i].exec(tidy);
      if (m) {
        var iso = m[1] + "-" + ("0" + m[2]).slice(-2) + "-" + ("0" + m[3]).slice(-2);
        var d = new Date(iso + "T00:00:00Z");
        return !isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso ? iso : "";
      }
    }
    return "";
  }
  function initDatePickers(root, form) {
    var template = form && form.getAttribute("data-date-button");
    if (!template) { return; }
    $all("input.w-date", root).forEach(function (input) {
      if (input.closest("template") || input.getAttribute("data-picker")) { return; }
      input.setAttribute("data-picker", "1");
      var label = document.querySelector('label[for="' + input.id + '"]');
      var name = label ? label.textContent.replace(/\*/g, "").replace("（必填）", "").trim() : "";
      var picker = document.createElement("input");
      picker.type = "date";
      picker.className = "date-picker";
      picker.tabIndex = -1;
      picker.setAttribute("aria-hidden", "true");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "date-button";
      button.setAttribute("aria-label", fmt(template, { label: name }));
      button.title = button.getAttribute("aria-label");
      button.innerHTML = '<svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true" focusable="false">' +
        '<rect x="2.5" y="4" width="15" height="13.5" rx="1.5" fill="none" stroke="currentColor" stroke-width="1.6"/>' +
        '<path d="M2.5 8h15M6.5 2v4M13.5 2v4" stroke="currentColor" stroke-width="1.6" fill="none"/></svg>';
      var wrap = document.createElement("span");
      wrap.className = "date-pair";
      input.parentNode.insertBefore(wrap, input);
      wrap.appendChild(input);
      wrap.appendChild(button);
      wrap.appendChild(picker);
      if (typeof picker.showPicker !== "function") {  // an older browser: its date input is shown as it is
        picker.classList.add("date-picker-visible");
        picker.removeAttribute("aria-hidden");
        picker.tabIndex = 0;
        picker.setAttribute("aria-label", button.getAttribute("aria-label"));
        button.hidden = true;
      }
      button.addEventListener("click", function () {
        picker.value = isoDate(input.value);
        try { picker.showPicker(); } catch (e) { picker.focus(); }
      });
      picker.addEventListener("change", function () {
        if (!picker.value) { return; }
        input.value = picker.value;
        input.dispatchEvent(new Event("input", { bubbles: true }));
        input.dispatchEvent(new Event("change", { bubbles: true }));
      });
      input.addEventListener("change", function () { picker.value = isoDate(input.value); });
    });
  }

  // ---------------------------------------------------------------------------------------------------------
  // 7. The toast of messages
  // ---------------------------------------------------------------------------------------------------------
  function initToast() {
    var box = document.querySelector(".page-record main > .messages");
    var form = document.getElementById("record-form");
    if (!box || !form || !form.getAttribute("data-close-text")) { return; }
    box.classList.add("toast");
    var close = document.createElement("button");
    close.type = "button";
    close.className = "toast-close";
    close.setAttribute("aria-label", form.getAttribute("data-close-text"));
    close.textContent = "×";
    close.addEventListener("click", function () { box.hidden = true; });
    box.appendChild(close);
  }

  // ---------------------------------------------------------------------------------------------------------
  document.addEventListener("DOMContentLoaded", function () {
    $all(".region-picker").forEach(initRegionPicker);
    var form = document.getElementById("record-form");
    if (!form) { return; }
    initFunctionFilter(form);
    initRows(form);
    initIndex(form);
    initDatePickers(form, form);
    initToast();
    var autosave = initAutosave(form);
    // check and send only what is saved (核对并提交 is a link, 申请直接审核 a form)
    [["submit-button", "click"], ["direct-review-form", "submit"]].forEach(function (pair) {
      var sendForm = document.getElementById(pair[0]);
      if (!sendForm) { return; }
      sendForm.addEventListener(pair[1], function (event) {
        if (autosave.dirty()) {
          event.preventDefault();
          window.alert(form.getAttribute("data-dirty-text"));
        }
      });
    });
    var problems = document.getElementById("problems") || document.getElementById("upload-errors");
    if (problems) { problems.focus(); }
  });
})();
